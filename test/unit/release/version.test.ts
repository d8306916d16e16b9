import { describe, expect, it } from "vitest";
import { BUILD, buildInfo, formatBuildInfo, versionLine } from "../../../src/version.ts";
import { runCli } from "../../helpers/io.ts";

describe("version", () => {
  it("names the platform as krew does and says whether this is the single executable", () => {
    const info = buildInfo({ platform: "darwin", arch: "x64", nodeVersion: "v24.21.0", singleExecutable: true });
    expect(info).toEqual({ ...BUILD, platform: "darwin/amd64", node: "v24.21.0", singleExecutable: true });
    expect(buildInfo({ platform: "linux", arch: "arm64", nodeVersion: "v24.21.0", singleExecutable: false }).platform).toBe("linux/arm64");
  });

  it("prints one line for --version: the version, 12 digits of the commit (and -dirty), the build date", () => {
    expect(versionLine({ version: "1.2.3", gitCommit: "0123456789abcdef0123456789abcdef01234567", buildDate: "2026-12-07T10:00:00Z" })).toBe("1.2.3 (commit 0123456789ab, built 2026-12-07T10:00:00Z)");
    expect(versionLine({ version: "1.2.3", gitCommit: "0123456789abcdef0123456789abcdef01234567-dirty", buildDate: "unknown" })).toBe("1.2.3 (commit 0123456789ab-dirty, built unknown)");
  });

  it("prints a table by default, and the build info as JSON with -o json", async () => {
    const table = formatBuildInfo({ version: "1.2.3", gitCommit: "abc", buildDate: "2026-12-07T10:00:00Z", platform: "linux/amd64", node: "v24.21.0", singleExecutable: true });
    expect(table).toBe("Version:     1.2.3\nGit commit:  abc\nBuild date:  2026-12-07T10:00:00Z\nPlatform:    linux/amd64\nNode:        v24.21.0 (embedded: single executable)\n");
    const json = await runCli(["version", "-o", "json"]);
    expect(json.code).toBe(0);
    expect(Object.keys(JSON.parse(json.stdout))).toEqual(["version", "gitCommit", "buildDate", "platform", "node", "singleExecutable"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ version: BUILD.version, singleExecutable: false });
  });

  it("--version prints that line", async () => {
    const result = await runCli(["--version"]);
    expect(result.stdout).toBe(`${versionLine(BUILD)}\n`);
  });
});
