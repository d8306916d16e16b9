// Bundles src/index.ts into dist/ with esbuild. Code splitting keeps heavy modules (the
// Kubernetes client) out of the startup path: they load only in the commands that use them.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
rmSync(path.join(root, "dist"), { recursive: true, force: true });

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
await build({
  absWorkingDir: root,
  entryPoints: { "kubectl-aiops": "src/index.ts" },
  outdir: "dist",
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
  plugins: [zodEnglishOnly],
  logLevel: "warning",
});
