import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderManifest } from "../../../scripts/release/manifest.mjs";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const TEMPLATE = readFileSync(path.join(ROOT, "scripts", "release", "krew-manifest.template.yaml"), "utf8");

interface PlatformEntry {
  selector: { matchLabels: { os: "linux" | "darwin"; arch: "amd64" | "arm64" } };
  uri: string;
  sha256: string;
  bin: string;
}

/**
 * The top-level krew-manifest.yaml is the manifest of the last release, copied there by
 * `npm run release -- --update-manifest` (docs/install.md): the template filled with real
 * checksums, never edited by hand.
 */
describe("krew-manifest.yaml", () => {
  const text = readFileSync(path.join(ROOT, "krew-manifest.yaml"), "utf8");
  const manifest = parse(text);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  const platforms = manifest.spec.platforms as PlatformEntry[];

  it("has krew's shape: apiVersion, kind, name, v-prefixed version of package.json", () => {
    expect(manifest.apiVersion).toBe("krew.googlecontainertools.github.com/v1alpha2");
    expect(manifest.kind).toBe("Plugin");
    expect(manifest.metadata.name).toBe("aiops");
    expect(manifest.spec.version).toBe(`v${pkg.version}`);
    expect(manifest.spec.shortDescription).not.toContain("\n");
    expect(manifest.spec.shortDescription.length).toBeLessThanOrEqual(70);
    expect(text).not.toContain("Requires Node");
  });

  it("names, for every platform, a selector, its own archive, a real sha256 and the binary at the archive's top", () => {
    expect(platforms.length).toBeGreaterThan(0);
    for (const p of platforms) {
      const { os, arch } = p.selector.matchLabels;
      expect(p.uri.endsWith(`/v${pkg.version}/kubectl-aiops_${pkg.version}_${os}_${arch}.tar.gz`)).toBe(true);
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(p.sha256).not.toMatch(/^0+$/);
      expect(p.bin).toBe("kubectl-aiops");
    }
  });

  it("is the template filled by the release: rendering the template with its own checksums gives it back", () => {
    const first = platforms[0];
    const baseUrl = first?.uri.replace(/\/v[^/]+\/[^/]+$/, "") ?? "";
    const rendered = renderManifest(TEMPLATE, {
      version: pkg.version,
      baseUrl,
      platforms: platforms.map((p) => ({ ...p.selector.matchLabels, sha256: p.sha256 })),
    });
    expect(text).toBe(rendered);
  });
});
