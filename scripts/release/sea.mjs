// The self-contained executable: dist/'s bundle (built here with the release's constants) and the
// plugin's own files embedded as assets of a Node single executable application (SEA): one blob
// made by `node --experimental-sea-config` with the release's Node, injected by postject into each
// platform's Node binary.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { bundleOptions } from "../build-options.mjs";

/** The SEA fuse postject flips (Node's src/node_sea.cc, the same for every Node version that has SEA). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/** The plugin's bundle, as dist/ but without source maps, into `outdir`. */
export async function buildBundle(root, constants, outdir) {
  await build({ ...bundleOptions(root, constants, outdir), sourcemap: false });
}

/** Every file under `dir`, as posix paths relative to it, sorted. */
function filesUnder(dir, prefix = "") {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, path.posix.join(prefix, e.name)) : [path.posix.join(prefix, e.name)]))
    .sort();
}

/**
 * The SEA blob: sea-main.cjs as the entry, the bundle under "dist/" and the runbooks under
 * "runbooks/" (the keys src/util/paths.ts readOwnFile asks for). No code cache or snapshot: they
 * are specific to the platform that makes them, and one blob serves all four. `node` must be the
 * exact Node version the blob is injected into.
 */
export function writeBlob({ root, node, bundleDir, workDir }) {
  const assets = {};
  for (const file of filesUnder(bundleDir)) assets[`dist/${file}`] = path.join(bundleDir, file);
  for (const file of filesUnder(path.join(root, "runbooks")).filter((f) => f.endsWith(".md"))) assets[`runbooks/${file}`] = path.join(root, "runbooks", file);
  const blob = path.join(workDir, "sea.blob");
  const config = path.join(workDir, "sea-config.json");
  // The blob keeps the entry's path as given: relative (run in workDir), so that it does not name the checkout.
  copyFileSync(path.join(root, "scripts", "release", "sea-main.cjs"), path.join(workDir, "sea-main.cjs"));
  const main = "sea-main.cjs";
  // the V8 flag plugin/kubectl-aiops gives the bundle (a small young generation: lower peak RSS)
  const execArgv = ["--max-semi-space-size=4"];
  writeFileSync(config, `${JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false, execArgv, assets }, null, 2)}\n`);
  execFileSync(node, ["--experimental-sea-config", config], { cwd: workDir, stdio: "pipe" });
  return blob;
}

/**
 * Copies the platform's Node binary to `out` and injects the blob. A macOS binary's signature is
 * removed before and made again after (the injection invalidates it, and Apple Silicon kills an
 * unsigned binary): with `codesign`, so on macOS only, with the identity in
 * AIOPS_CODESIGN_IDENTITY ("-", ad hoc, by default). docs/install.md, release.
 */
export function injectBlob({ root, nodeBinary, blob, out, os }) {
  copyFileSync(nodeBinary, out);
  chmodSync(out, 0o755);
  if (os === "darwin") execFileSync("codesign", ["--remove-signature", out], { stdio: "pipe" });
  const postject = path.join(root, "node_modules", "postject", "dist", "cli.js");
  const args = [postject, out, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE, ...(os === "darwin" ? ["--macho-segment-name", "NODE_SEA"] : [])];
  execFileSync(process.execPath, args, { stdio: "pipe" });
  if (os === "darwin") execFileSync("codesign", ["--sign", process.env.AIOPS_CODESIGN_IDENTITY ?? "-", "--force", out], { stdio: "pipe" });
}

/** Whether macOS binaries can be signed here (`codesign`, which only macOS has). */
export function canSignDarwin() {
  try {
    execFileSync("sh", ["-c", "command -v codesign"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}
