import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { archiveUri, renderManifest } from "../../../scripts/release/manifest.mjs";

const TEMPLATE = `spec:
  version: @@VERSION@@
  caveats: |
    ln -s "$KREW_ROOT/store/aiops/@@VERSION@@/kubectl_complete-aiops"
  platforms:
    @@PLATFORMS@@
`;
const SHA_A = "a".repeat(64);
const SHA_B = "0123456789abcdef".repeat(4);

describe("renderManifest", () => {
  it("fills the version everywhere and one entry per platform, in order, at the placeholder's indentation", () => {
    const text = renderManifest(TEMPLATE, {
      version: "1.2.3",
      baseUrl: "https://example.test/dl/",
      platforms: [
        { os: "linux", arch: "amd64", sha256: SHA_A },
        { os: "darwin", arch: "arm64", sha256: SHA_B },
      ],
    });
    expect(text).toContain("store/aiops/v1.2.3/kubectl_complete-aiops");
    expect(parse(text)).toEqual({
      spec: {
        version: "v1.2.3",
        caveats: 'ln -s "$KREW_ROOT/store/aiops/v1.2.3/kubectl_complete-aiops"\n',
        platforms: [
          { selector: { matchLabels: { os: "linux", arch: "amd64" } }, uri: "https://example.test/dl/v1.2.3/kubectl-aiops_1.2.3_linux_amd64.tar.gz", sha256: SHA_A, bin: "kubectl-aiops" },
          { selector: { matchLabels: { os: "darwin", arch: "arm64" } }, uri: "https://example.test/dl/v1.2.3/kubectl-aiops_1.2.3_darwin_arm64.tar.gz", sha256: SHA_B, bin: "kubectl-aiops" },
        ],
      },
    });
  });

  it.each([
    ["a placeholder checksum", "0".repeat(64)],
    ["an uppercase checksum", "A".repeat(64)],
    ["a short checksum", "abc"],
  ])("refuses %s", (_name, sha256) => {
    expect(() => renderManifest(TEMPLATE, { version: "1.0.0", baseUrl: "https://x", platforms: [{ os: "linux", arch: "amd64", sha256 }] })).toThrow(/not the sha256 of a built archive/);
  });

  it("refuses no platform, and a template without its placeholders", () => {
    expect(() => renderManifest(TEMPLATE, { version: "1.0.0", baseUrl: "https://x", platforms: [] })).toThrow(/at least one platform/);
    expect(() => renderManifest("spec: {}\n", { version: "1.0.0", baseUrl: "https://x", platforms: [{ os: "linux", arch: "amd64", sha256: SHA_A }] })).toThrow(/@@PLATFORMS@@/);
  });

  it("joins the base URL, the tag and the archive name with one slash", () => {
    expect(archiveUri("https://h/releases/download///", "0.1.0", { os: "linux", arch: "arm64" })).toBe("https://h/releases/download/v0.1.0/kubectl-aiops_0.1.0_linux_arm64.tar.gz");
  });
});
