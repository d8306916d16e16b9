// `npm run release`: the self-contained executable for each platform, krew's archives, their
// checksums and krew's manifest, into release/. Offline once the Node binaries are cached
// (~/.cache/kubectl-aiops-release), and reproducible: the same tree gives the same bytes (the
// build date is the last commit's, SOURCE_DATE_EPOCH; archives have fixed owners and times).
//
//   npm run release [-- --platforms linux/amd64,linux/arm64] [--base-url URL] [--out DIR] [--force]
//     [--update-manifest] [--node-binary OS/ARCH=PATH]...
//
// Nothing is rebuilt when the inputs (sources, runbooks, these scripts, versions, options) are
// those of the last build in --out. --update-manifest copies the generated manifest to the
// top-level krew-manifest.yaml (done by the release commit: docs/install.md).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildConstants } from "./build-options.mjs";
import { tarGz, sha256Hex } from "./release/archive.mjs";
import { DEFAULT_BASE_URL, renderManifest } from "./release/manifest.mjs";
import { nodeBinary } from "./release/node-binary.mjs";
import { PLATFORMS, archiveName, checksumLine, parsePlatforms, platformName } from "./release/platforms.mjs";
import { buildBundle, canSignDarwin, injectBlob, writeBlob } from "./release/sea.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const INPUTS = ["src", "runbooks", "scripts/release", "scripts/build-options.mjs", "scripts/release.mjs", "scripts/testbed/oci-image.mjs", "package.json", "package-lock.json", "LICENSE", "plugin/kubectl_complete-aiops"];

function fail(message, hint) {
  process.stderr.write(`error: ${message}\n${hint === undefined ? "" : `hint: ${hint}\n`}`);
  process.exit(1);
}

function log(message) {
  process.stderr.write(`[release] ${message}\n`);
}

/** A hash of the options and of every input file's path and content: the cache key of a build. */
function inputsHash(options) {
  const hash = createHash("sha256").update(JSON.stringify(options));
  for (const input of INPUTS) {
    const full = path.join(root, input);
    if (!existsSync(full)) continue;
    const files = statSync(full).isDirectory()
      ? readdirSync(full, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name))).sort()
      : [input];
    for (const file of files) hash.update(`${file}\0`).update(readFileSync(path.join(root, file))).update("\0");
  }
  return hash.digest("hex");
}

function options() {
  try {
    const { values } = parseArgs({
      options: {
        platforms: { type: "string", default: PLATFORMS.map(platformName).join(",") },
        "base-url": { type: "string", default: DEFAULT_BASE_URL },
        out: { type: "string", default: path.join(root, "release") },
        force: { type: "boolean", default: false },
        "update-manifest": { type: "boolean", default: false },
        "node-binary": { type: "string", multiple: true, default: [] },
      },
    });
    return { ...values, platforms: parsePlatforms(values.platforms) };
  } catch (error) {
    return fail(error.message, "npm run release -- [--platforms linux/amd64,linux/arm64] [--base-url URL] [--out DIR] [--force] [--update-manifest] [--node-binary OS/ARCH=PATH]");
  }
}

/**
 * Each platform's Node binary (given with --node-binary, else from the registry's package), or
 * the end of the release, before any work, naming every platform that cannot be built and why.
 */
function nodeBinaries(platforms, given, nodeVersion, cache) {
  const binaries = new Map();
  const missing = [];
  for (const p of platforms) {
    const problems = p.os === "darwin" && !canSignDarwin() ? ["its binary must be signed again after the injection, with codesign: run the release on macOS"] : [];
    const local = given.get(platformName(p));
    if (local !== undefined && !existsSync(local)) problems.push(`--node-binary ${local} does not exist`);
    try {
      binaries.set(p, local !== undefined ? path.resolve(local) : nodeBinary(p, nodeVersion, cache));
    } catch (error) {
      problems.push(error.message);
    }
    if (problems.length > 0) missing.push(`${platformName(p)}: ${problems.join("; ")}`);
  }
  if (missing.length > 0) {
    const buildable = platforms.filter((p) => !missing.some((m) => m.startsWith(`${platformName(p)}:`))).map(platformName);
    fail(`cannot build ${missing.length} platform(s):\n  ${missing.join("\n  ")}`, `${buildable.length > 0 ? `build the others with --platforms ${buildable.join(",")}, or ` : ""}give a Node ${nodeVersion} binary with --node-binary OS/ARCH=PATH (docs/install.md, release)`);
  }
  return binaries;
}

/** The binaries, archives, checksums and manifest of `platforms`, into `out` (emptied first). */
async function buildRelease({ out, platforms, binaries, constants, baseUrl }) {
  rmSync(out, { recursive: true, force: true });
  const work = path.join(out, ".work");
  mkdirSync(work, { recursive: true });
  log(`bundle ${constants.version} (commit ${constants.gitCommit}, built ${constants.buildDate})`);
  await buildBundle(root, constants, path.join(work, "dist"));
  const blob = writeBlob({ root, node: process.execPath, bundleDir: path.join(work, "dist"), workDir: work });
  const license = readFileSync(path.join(root, "LICENSE"));
  const complete = readFileSync(path.join(root, "plugin", "kubectl_complete-aiops"));
  const built = [];
  for (const p of platforms) {
    const binDir = path.join(out, "bin", `${p.os}-${p.arch}`);
    mkdirSync(binDir, { recursive: true });
    const binary = path.join(binDir, "kubectl-aiops");
    injectBlob({ root, nodeBinary: binaries.get(p), blob, out: binary, os: p.os });
    const archive = tarGz([
      { path: "kubectl-aiops", data: readFileSync(binary), mode: 0o755 },
      { path: "kubectl_complete-aiops", data: complete, mode: 0o755 },
      { path: "LICENSE", data: license, mode: 0o644 },
    ]);
    const name = archiveName(constants.version, p);
    const sha256 = sha256Hex(archive);
    writeFileSync(path.join(out, name), archive);
    writeFileSync(path.join(out, `${name}.sha256`), checksumLine(sha256, name));
    built.push({ ...p, sha256 });
    log(`${name}  ${(archive.length / 1048576).toFixed(1)} MiB  sha256 ${sha256}`);
  }
  const template = readFileSync(path.join(root, "scripts", "release", "krew-manifest.template.yaml"), "utf8");
  writeFileSync(path.join(out, "krew-manifest.yaml"), renderManifest(template, { version: constants.version, baseUrl, platforms: built }));
  rmSync(work, { recursive: true, force: true });
}

const opts = options();
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const nodeVersion = pkg.devDependencies.node;
if (process.version !== `v${nodeVersion}`) fail(`the release runs on Node ${nodeVersion} (the blob must be made by the Node it is injected into); this is ${process.version}`, "run it as npm run release (node_modules/.bin/node first on PATH)");
const constants = buildConstants(root);
const out = path.resolve(opts.out);
const cache = process.env.AIOPS_RELEASE_CACHE ?? path.join(homedir(), ".cache", "kubectl-aiops-release");
const given = new Map(opts["node-binary"].map((spec) => [spec.split("=")[0], spec.slice(spec.indexOf("=") + 1)]));
const givenContent = [...given].map(([name, file]) => [name, existsSync(file) ? sha256Hex(readFileSync(file)) : file]);
const key = inputsHash({ constants, nodeVersion, platforms: opts.platforms.map(platformName), baseUrl: opts["base-url"], givenContent });
const stamp = path.join(out, ".inputs-sha256");
const manifestFile = path.join(out, "krew-manifest.yaml");

if (!opts.force && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === key && existsSync(manifestFile)) {
  log(`up to date in ${out} (inputs unchanged; --force rebuilds)`);
} else {
  const started = Date.now();
  const binaries = nodeBinaries(opts.platforms, given, nodeVersion, cache);
  try {
    await buildRelease({ out, platforms: opts.platforms, binaries, constants, baseUrl: opts["base-url"] });
  } catch (error) {
    fail(`the release build failed: ${error instanceof Error ? error.message.split("\n").slice(0, 6).join("\n") : String(error)}`, "fix the cause above and run npm run release again (nothing in --out is kept from a failed build)");
  }
  writeFileSync(stamp, `${key}\n`);
  log(`built ${opts.platforms.length} platform(s) in ${((Date.now() - started) / 1000).toFixed(1)} s into ${out}`);
}

if (opts["update-manifest"]) {
  copyFileSync(manifestFile, path.join(root, "krew-manifest.yaml"));
  log("krew-manifest.yaml updated from the release");
}
