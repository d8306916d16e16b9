// Pins deploy/'s pods to the release image by digest: every `image:` line of deploy/*.yaml
// becomes `<repository>:v<version>@sha256:<digest of the image's manifest>`, read from the OCI
// archive the image build wrote (scripts/testbed/report-image.sh). Generated, never hand-edited:
//
//   node scripts/release/pin-image.mjs ARCHIVE.tar [--check]
//
// --check changes nothing and exits 1 when deploy/ pins another digest (or none). Prints the
// reference and the image's size (the sum of its uncompressed layers).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const RELEASE_IMAGE_REPOSITORY = "ghcr.io/kubectl-aiops/kubectl-aiops";
const IMAGE_LINE = /^(\s*(?:-\s+)?image:[ \t]*)(\S+)([ \t]+#.*)?[ \t]*$/gm;

/** The text with every `image:` value replaced by `ref`. */
export function pinImages(text, ref) {
  return text.replace(IMAGE_LINE, (_, prefix, _old, comment) => `${prefix}${ref}${comment ?? ""}`);
}

/** Every `image:` value of a manifest's text. */
export function imagesOf(text) {
  return [...text.matchAll(IMAGE_LINE)].map((m) => m[2]);
}

/** The reference deploy/ pins: repository, release tag and manifest digest. */
export function pinnedReference(version, digest) {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`not a manifest digest: ${digest}`);
  return `${RELEASE_IMAGE_REPOSITORY}:v${version}@${digest}`;
}

/** The manifest of the one image in an OCI archive, and its digest (several names may share it). */
export function imageManifest(archive) {
  const member = (name) => execFileSync("tar", ["-xOf", archive, name], { maxBuffer: 1 << 26 });
  const index = JSON.parse(member("index.json").toString("utf8"));
  const digests = [...new Set(index.manifests.map((m) => m.digest))];
  if (digests.length !== 1) throw new Error(`${archive} holds ${digests.length} image manifests; expected one`);
  const manifest = JSON.parse(member(`blobs/sha256/${digests[0].slice("sha256:".length)}`).toString("utf8"));
  return { digest: digests[0], manifest };
}

function main(argv) {
  const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
  const archive = argv.find((a) => !a.startsWith("--"));
  if (archive === undefined) {
    process.stderr.write("error: no image archive given\nhint: node scripts/release/pin-image.mjs \"$(bash scripts/testbed/build-report-image.sh)\" [--check]\n");
    return 2;
  }
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const { digest, manifest } = imageManifest(archive);
  const bytes = manifest.layers.reduce((sum, l) => sum + l.size, 0);
  const ref = pinnedReference(version, digest);
  const dir = path.join(root, "deploy");
  const stale = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
    const text = readFileSync(path.join(dir, file), "utf8");
    const pinned = pinImages(text, ref);
    if (pinned === text) continue;
    stale.push(file);
    if (!argv.includes("--check")) writeFileSync(path.join(dir, file), pinned);
  }
  process.stdout.write(`${ref}\n${(bytes / 1048576).toFixed(1)} MiB uncompressed\n`);
  if (argv.includes("--check") && stale.length > 0) {
    process.stderr.write(`error: deploy/ does not pin ${ref}: ${stale.join(", ")}\nhint: node scripts/release/pin-image.mjs ${archive}\n`);
    return 1;
  }
  if (stale.length > 0) process.stderr.write(`pinned ${stale.join(", ")}\n`);
  return 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
