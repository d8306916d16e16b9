import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { git, testGitEnv } from "../../helpers/gitdir.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const PLUGIN = path.join(ROOT, "plugin", "kubectl-aiops");
const EXAMPLE = path.join(ROOT, "test", "fixtures", "one-pod.json");

/**
 * An identity given only through GIT_AUTHOR_* / GIT_COMMITTER_* (a CI job, a container without
 * a git config) records, as git itself commits with it. The plugin runs in a child process:
 * its git processes inherit that process's environment, which an in-process run cannot set.
 */
describe("--record with a git identity from the environment alone", () => {
  beforeAll(() => {
    if (!existsSync(path.join(ROOT, "dist", "kubectl-aiops.mjs"))) {
      const build = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { encoding: "utf8" });
      expect(build.status, build.stderr).toBe(0);
    }
  });

  function bareRepo(): { repo: string; home: string } {
    const home = realpathSync(mkdtempSync(path.join(tmpdir(), "aiops-home-")));
    const repo = realpathSync(mkdtempSync(path.join(tmpdir(), "aiops-git-")));
    git(repo, "init", "-q", "-b", "main");
    git(repo, "config", "commit.gpgsign", "false");
    return { repo, home };
  }

  function record(repo: string, home: string, env: Record<string, string>) {
    const base = testGitEnv();
    for (const name of Object.keys(base)) if (/^GIT_(AUTHOR|COMMITTER)_/.test(name)) delete base[name];
    // HOME without a .gitconfig, no system config: the environment is the only identity.
    return spawnSync(PLUGIN, ["diagnose", "-f", EXAMPLE, "--record", "-o", "json"], { cwd: repo, encoding: "utf8", env: { ...base, HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: "1", ...env } });
  }

  it("commits as the author and committer the variables name", () => {
    const { repo, home } = bareRepo();
    const result = record(repo, home, { GIT_AUTHOR_NAME: "Ann Author", GIT_AUTHOR_EMAIL: "ann@example.com", GIT_COMMITTER_NAME: "Cy Committer", GIT_COMMITTER_EMAIL: "cy@example.com" });
    expect(result.status, result.stderr).toBe(0);
    expect(git(repo, "log", "-1", "--format=%an <%ae> / %cn <%ce>")).toBe("Ann Author <ann@example.com> / Cy Committer <cy@example.com>");
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("still refuses, with a hint, when neither the config nor the environment names anyone", () => {
    const { repo, home } = bareRepo();
    const result = record(repo, home, { GIT_AUTHOR_NAME: "", GIT_AUTHOR_EMAIL: "", EMAIL: "" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/git has no identity/);
    expect(result.stderr).toMatch(/hint: /);
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("ignores the other GIT_* variables: GIT_DIR cannot send the record to another repository", () => {
    const { repo, home } = bareRepo();
    const other = bareRepo().repo;
    const result = record(repo, home, { GIT_AUTHOR_NAME: "Ann", GIT_AUTHOR_EMAIL: "ann@example.com", GIT_COMMITTER_NAME: "Ann", GIT_COMMITTER_EMAIL: "ann@example.com", GIT_DIR: path.join(other, ".git") });
    expect(result.status, result.stderr).toBe(0);
    expect(git(repo, "log", "--format=%s")).toMatch(/^aiops\(diagnosis\)/);
    expect(() => git(other, "log")).toThrow();
  });
});
