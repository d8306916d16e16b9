// How the plugin is bundled: esbuild's options and plugins and the build-time constants, shared
// by the dist/ build (scripts/build.mjs) and the release (scripts/release/sea.mjs).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import path from "node:path";

// zod re-exports its 60-odd locales as `z.locales`, and a namespace import keeps them all in
// the bundle (370 KB parsed at every start). Only English messages are used (zod imports them
// itself), so the namespace is given just that one.
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    // The module's path is relative to the working folder: esbuild prints it in the bundle, whose
    // bytes must not depend on where the checkout is (scripts/release.mjs is reproducible).
    const root = b.initialOptions.absWorkingDir ?? process.cwd();
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.relative(root, path.join(path.dirname(args.importer), "..", "locales", "index-en.js")), namespace: "zod-locales" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from "./en.js";`,
      resolveDir: path.dirname(path.resolve(root, args.path)),
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

// yargs renders the whole help text after every command it runs (cacheHelpMessage, kept for a
// help shown when the handler fails): 20-25 ms of every start, a tenth of `diagnose -f`. Here help
// is never shown after a handler ran (showHelpOnFail(false) in src/cli/main.ts; --help is answered
// before any handler), so the call is left out. A yargs upgrade that moves it fails the build.
const HELP_CACHE_CALL = "yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();";
const yargsNoHelpCache = {
  name: "yargs-no-help-cache",
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]yargs[\\/]build[\\/]lib[\\/]command\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes(HELP_CACHE_CALL)) throw new Error(`yargs-no-help-cache: ${args.path} no longer holds ${HELP_CACHE_CALL} (scripts/build-options.mjs): check the yargs upgrade`);
      return { contents: source.replace(HELP_CACHE_CALL, "/* help not cached: scripts/build-options.mjs */"), loader: "js" };
    });
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
        `const leftOut = () => { throw new Error("undici is not in the kubectl-aiops bundle (scripts/build-options.mjs): talk to the API server through src/kube/client.ts"); };`,
        "export class Agent { constructor() { leftOut(); } }",
        "export class ProxyAgent { constructor() { leftOut(); } }",
        "export function fetch() { return leftOut(); }",
      ].join("\n"),
    }));
  },
};

/**
 * The values src/version.ts reads: package.json's version, the commit (with "-dirty" when a
 * tracked file differs from it) and the build date. The date is SOURCE_DATE_EPOCH when set, else
 * the commit's time, never the clock: the same tree builds the same bytes.
 */
export function buildConstants(root) {
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const git = (...args) => execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  let gitCommit = "unknown";
  let epoch = process.env.SOURCE_DATE_EPOCH;
  try {
    gitCommit = git("rev-parse", "HEAD") + (git("status", "--porcelain", "--untracked-files=no") === "" ? "" : "-dirty");
    epoch ??= git("log", "-1", "--format=%ct");
  } catch {
    // not a git checkout (an unpacked package): the version alone says what this is
  }
  const buildDate = epoch === undefined ? "unknown" : new Date(Number(epoch) * 1000).toISOString().replace(/\.000Z$/, "Z");
  return { version, gitCommit, buildDate };
}

/**
 * esbuild's options for the plugin's bundle: ESM, split so that heavy modules (the Kubernetes
 * client) load only in the commands that use them. dist/ and the single executable
 * (scripts/release/sea.mjs embeds the same files) are built from these.
 */
export function bundleOptions(root, constants, outdir) {
  return {
    absWorkingDir: root,
    entryPoints: { "kubectl-aiops": "src/index.ts" },
    bundle: true,
    platform: "node",
    target: "node22",
    minify: false,
    legalComments: "none",
    define: {
      __AIOPS_VERSION__: JSON.stringify(constants.version),
      __AIOPS_GIT_COMMIT__: JSON.stringify(constants.gitCommit),
      __AIOPS_BUILD_DATE__: JSON.stringify(constants.buildDate),
    },
    plugins: [builtinsThroughRequire, zodEnglishOnly, kubeConfigOnly, yargsNoHelpCache],
    logLevel: "warning",
    outdir,
    splitting: true,
    format: "esm",
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __aiopsCreateRequire } from 'node:module'; const require = __aiopsCreateRequire(import.meta.url);" },
  };
}
