// Bundles src/index.ts into dist/ with esbuild. Code splitting keeps heavy modules (the
// Kubernetes client) out of the startup path: they load only in the commands that use them.
// The bundle is written beside dist/ and swapped in at the end, so a plugin run while this builds
// (an e2e suite, a benchmark) finds either the old bundle or the new one, never a missing one.
import { build } from "esbuild";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const dist = path.join(root, "dist");
const next = path.join(root, `dist.next-${process.pid}`);
rmSync(next, { recursive: true, force: true });

// zod re-exports its 60-odd locales as `z.locales`, and a namespace import keeps them all in
// the bundle (370 KB parsed at every start). Only English messages are used (zod imports them
// itself), so the namespace is given just that one.
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.join(path.dirname(args.importer), "..", "locales", "en.js").replace(/en\.js$/, "index-en.js"), namespace: "zod-locales" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), "en.js"))};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

// Node's built-in modules through require(), not import: an ESM import of a builtin builds its
// module facade, reading every export, and node:http's exports include WebSocket and
// MessageEvent, whose getters load Node's own copy of undici (20-40 ms; fs, util and tls cost a
// few ms more each). require() returns the same module object without the facade.
const builtinsThroughRequire = {
  name: "builtins-through-require",
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z0-9_/]+$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      // the require() in the module below: left to the runtime (the banner's require)
      if (args.namespace === "builtin") return { path: args.path, external: true };
      return { path: args.path.replace(/^node:/, ""), namespace: "builtin" };
    });
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({ contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`, loader: "js" }));
  },
};

// Of @kubernetes/client-node only KubeConfig is used (kube/client.ts: credentials and TLS
// options; the requests are plain node:https). Its index re-exports the whole client, whose
// generated API classes, Watch, Log and Metrics fetch through undici: 2.8 MB parsed by every
// command that talks to a cluster, 80 ms of each start. Its modules only define classes and
// functions (the one statement, a File polyfill for Node 18, is moot on Node >= 22), so esbuild
// may drop what KubeConfig does not reach; and undici, which KubeConfig reaches only in
// applyToFetchOptions (for those API classes), is replaced by a module that fails loudly.
const clientNodeModules = /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/]/;
const kubeConfigOnly = {
  name: "kubeconfig-only",
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolved === true || !clientNodeModules.test(args.importer)) return undefined;
      if (args.path === "undici") return { path: "undici", namespace: "left-out" };
      const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { resolved: true } });
      return resolved.errors.length === 0 && clientNodeModules.test(resolved.path) ? { ...resolved, sideEffects: false } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: "left-out" }, () => ({
      contents: [
        `const leftOut = () => { throw new Error("undici is not in the kubectl-aiops bundle (scripts/build.mjs): talk to the API server through src/kube/client.ts"); };`,
        "export class Agent { constructor() { leftOut(); } }",
        "export class ProxyAgent { constructor() { leftOut(); } }",
        "export function fetch() { return leftOut(); }",
      ].join("\n"),
    }));
  },
};

try {
  await build({
    absWorkingDir: root,
    entryPoints: { "kubectl-aiops": "src/index.ts" },
    outdir: next,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    sourcemap: "linked",
    minify: false,
    legalComments: "none",
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    define: { __AIOPS_VERSION__: JSON.stringify(version) },
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __aiopsCreateRequire } from 'node:module'; const require = __aiopsCreateRequire(import.meta.url);" },
    plugins: [builtinsThroughRequire, zodEnglishOnly, kubeConfigOnly],
    logLevel: "warning",
  });
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  throw error;
}

const old = `${dist}.old-${process.pid}`;
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
