import { mkdtempSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { git, gitdir, testGitEnv } from "../../helpers/gitdir.ts";
import { runCli } from "../../helpers/io.ts";

const EXAMPLE = path.resolve(import.meta.dirname, "../../../examples/incidents/oomkill-memory-leak.json");

describe("diagnose --record and similar incidents (real git)", () => {
  it("writes one diagnosis record in one commit, which audit verify accepts", async () => {
    const repo = gitdir({ "README.md": "ops repo\n" });
    const result = await runCli(["diagnose", "-f", EXAMPLE, "--record", "-o", "json"], { cwd: repo, env: testGitEnv() });
    expect(result.code, result.stderr).toBe(0);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    const recorded = /recorded (\w{26}) \((.+)\)/.exec(result.stderr);
    expect(recorded).not.toBeNull();
    const file = recorded?.[2] ?? "";
    expect(file.startsWith(path.join(repo, "history", "prompts"))).toBe(true);
    expect(file).toMatch(/\.diagnosis\.md$/);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("stage: \"diagnosis\"");
    expect(text).toContain("OOMKilled");
    expect(text).toContain("## Evidence");
    expect(git(repo, "log", "--format=%s")).toMatch(/^aiops\(diagnosis\): OOMKilled, DeploymentUnavailable in /);
    expect(git(repo, "status", "--porcelain")).toBe("");
    const verify = await runCli(["audit", "verify"], { cwd: repo, env: testGitEnv() });
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/audit verify: 1 record/);
  });

  it("shows earlier incidents of the same kind as similar", async () => {
    const repo = gitdir();
    await runCli(["diagnose", "-f", EXAMPLE, "--record"], { cwd: repo, env: testGitEnv() });
    const second = await runCli(["diagnose", "-f", EXAMPLE, "-o", "json"], { cwd: repo, env: testGitEnv() });
    const list = JSON.parse(second.stdout) as { items: { similar: { category: string; record: string }[]; similarSummary?: string }[] };
    const item = list.items.find((i) => i.similar.length > 0);
    expect(item?.similar[0]?.category).toBe("OOMKilled");
    expect(item?.similarSummary).toContain("similar incident");
    const table = await runCli(["diagnose", "-f", EXAMPLE], { cwd: repo, env: testGitEnv() });
    expect(table.stdout).toContain("Similar past incidents for deployment/worker");
  });

  it("refuses to record outside a git repository, saying how to create one", async () => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "aiops-norepo-")));
    const result = await runCli(["diagnose", "-f", EXAMPLE, "--record"], { cwd: dir, env: testGitEnv() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not inside a git repository");
    expect(result.stderr).toContain("git init");
    const plain = await runCli(["diagnose", "-f", EXAMPLE, "-o", "json"], { cwd: dir, env: testGitEnv() });
    expect(plain.code).toBe(0);
  });
});
