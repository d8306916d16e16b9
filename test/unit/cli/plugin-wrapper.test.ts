import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const PLUGIN = path.join(ROOT, "plugin", "kubectl-aiops");
const EXAMPLE = path.join(ROOT, "test", "fixtures", "one-pod.json");

/** The plugin as users run it: the shell wrapper and the built bundle, in a child process. */
describe("plugin/kubectl-aiops", () => {
  beforeAll(() => {
    if (!existsSync(path.join(ROOT, "dist", "kubectl-aiops.mjs"))) {
      const build = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { encoding: "utf8" });
      expect(build.status, build.stderr).toBe(0);
    }
  });

  it("runs through a symlink on PATH from any working directory", () => {
    const bin = mkdtempSync(path.join(tmpdir(), "aiops-bin-"));
    symlinkSync(PLUGIN, path.join(bin, "kubectl-aiops"));
    const result = spawnSync("kubectl-aiops", ["diagnose", "-f", EXAMPLE, "-o", "json"], {
      cwd: tmpdir(),
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}` },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).kind).toBe("DiagnosisList");
  });

  it("says clearly when Node is older than 22", () => {
    const old = spawnSync("sh", ["-c", "command -v node"], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } }).stdout.trim();
    const version = old === "" ? "" : spawnSync(old, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim();
    // The machine's system Node (20) is the old one; a newer system Node makes this case moot.
    expect(Number(version.split(".")[0]) < 22 || old === "").toBe(true);
    const result = spawnSync(PLUGIN, ["--help"], { encoding: "utf8", env: { ...process.env, AIOPS_NODE: old || "/nonexistent/node" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/needs Node\.js 22\.12 or newer/);
    expect(result.stderr).toMatch(/hint: install a current Node\.js LTS/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints completion candidates through kubectl_complete-aiops", () => {
    const result = spawnSync(path.join(ROOT, "plugin", "kubectl_complete-aiops"), ["diagnose", "dep"], { encoding: "utf8" });
    expect(result.stdout).toBe("deployment\n:4\n");
  });
});
