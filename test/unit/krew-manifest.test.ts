import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("krew-manifest.yaml", () => {
  const manifest = parse(readFileSync(path.join(ROOT, "krew-manifest.yaml"), "utf8"));
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };

  it("has krew's shape: apiVersion, kind, name, v-prefixed version of package.json", () => {
    expect(manifest.apiVersion).toBe("krew.googlecontainertools.github.com/v1alpha2");
    expect(manifest.kind).toBe("Plugin");
    expect(manifest.metadata.name).toBe("aiops");
    expect(manifest.spec.version).toBe(`v${pkg.version}`);
    expect(manifest.spec.shortDescription).not.toContain("\n");
    expect(manifest.spec.shortDescription.length).toBeLessThanOrEqual(70);
  });

  it("names, for every platform, a selector, an archive, a lowercase sha256 and the plugin binary", () => {
    expect(manifest.spec.platforms.length).toBeGreaterThan(0);
    for (const platform of manifest.spec.platforms) {
      expect(platform.selector.matchLabels.os).toMatch(/^(linux|darwin|windows)$/);
      expect(platform.uri).toMatch(/\.(tar\.gz|zip)$/);
      expect(platform.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(platform.bin).toBe("plugin/kubectl-aiops");
    }
  });
});
