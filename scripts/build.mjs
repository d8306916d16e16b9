// Bundles src/index.ts into dist/ with esbuild (options in build-options.mjs). Code splitting keeps
// heavy modules (the Kubernetes client) out of the startup path: they load only in the commands
// that use them.
// The bundle is written beside dist/ and swapped in at the end, so a plugin run while this builds
// (an e2e suite, a benchmark) finds either the old bundle or the new one, never a missing one.
import { build } from "esbuild";
import { existsSync, renameSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { buildConstants, bundleOptions } from "./build-options.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, "dist");
const next = path.join(root, `dist.next-${process.pid}`);
rmSync(next, { recursive: true, force: true });

try {
  await build({
    ...bundleOptions(root, buildConstants(root), next),
    sourcemap: "linked",
  });
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  throw error;
}

const old = `${dist}.old-${process.pid}`;
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
