// krew's plugin manifest from its template (krew-manifest.template.yaml beside this file): the
// release fills the version and one platform entry per archive; nothing else is written by hand.
import { archiveName } from "./platforms.mjs";

export const DEFAULT_BASE_URL = "https://github.com/kubectl-aiops/kubectl-aiops/releases/download";

/** The URI of one archive: <base>/v<version>/<archive>. */
export function archiveUri(baseUrl, version, platform) {
  return `${baseUrl.replace(/\/+$/, "")}/v${version}/${archiveName(version, platform)}`;
}

/**
 * Renders the template: @@VERSION@@ becomes "v<version>" and the line "@@PLATFORMS@@" (at its own
 * indentation) becomes one entry per built platform, `{ os, arch, sha256 }`, in the order given.
 */
export function renderManifest(template, { version, baseUrl, platforms }) {
  if (!template.includes("@@PLATFORMS@@") || !template.includes("@@VERSION@@")) throw new Error("the krew manifest template lacks @@VERSION@@ or @@PLATFORMS@@");
  if (platforms.length === 0) throw new Error("a krew manifest needs at least one platform");
  for (const p of platforms) {
    if (!/^[0-9a-f]{64}$/.test(p.sha256) || /^0+$/.test(p.sha256)) throw new Error(`${p.os}/${p.arch}: "${p.sha256}" is not the sha256 of a built archive`);
  }
  return template
    .replace(/^( *)@@PLATFORMS@@\n/m, (_line, indent) => platforms.map((p) => platformEntry(indent, version, baseUrl, p)).join(""))
    .replaceAll("@@VERSION@@", `v${version}`);
}

function platformEntry(indent, version, baseUrl, p) {
  return [
    "- selector:",
    "    matchLabels:",
    `      os: ${p.os}`,
    `      arch: ${p.arch}`,
    `  uri: ${archiveUri(baseUrl, version, p)}`,
    `  sha256: "${p.sha256}"`,
    "  bin: kubectl-aiops",
  ].map((line) => `${indent}${line}\n`).join("");
}
