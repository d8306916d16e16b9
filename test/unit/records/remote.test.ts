import { execFileSync } from "node:child_process";
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveHistory } from "../../../src/records/history.ts";
import { pullRebase, pullRebaseRetrying, pushRecords, upstreamOf } from "../../../src/records/remote.ts";
import { git, gitdir, testGitEnv } from "../../helpers/gitdir.ts";

/** A bare origin seeded from a gitdir, and two clones of it (two replicas' histories). */
function setup(): { origin: string; a: string; b: string } {
  const seed = gitdir({ "history/README.md": "records\n" });
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), "aiops-remote-")));
  const origin = path.join(root, "origin.git");
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", origin], { env: testGitEnv() });
  git(seed, "push", "-q", origin, "HEAD:main");
  const clone = (name: string): string => {
    const dir = path.join(root, name);
    execFileSync("git", ["clone", "-q", origin, dir], { env: testGitEnv() });
    git(dir, "config", "user.name", `Replica ${name}`);
    git(dir, "config", "user.email", `${name}@example.com`);
    git(dir, "config", "commit.gpgsign", "false");
    return dir;
  };
  return { origin, a: clone("a"), b: clone("b") };
}

function commit(dir: string, file: string): void {
  writeFileSync(path.join(dir, "history", file), `${file}\n`);
  git(dir, "add", "--", `history/${file}`);
  git(dir, "commit", "-q", "-m", `aiops(diagnosis): ${file}`);
}

const historyOf = (dir: string) => resolveHistory({ cwd: dir, env: {} });
const originLog = (origin: string): string[] => execFileSync("git", ["--git-dir", origin, "log", "--format=%s", "main"], { env: testGitEnv(), encoding: "utf8" }).trim().split("\n");

describe("upstreamOf", () => {
  it("is the clone's origin/main, and undefined without an upstream", async () => {
    const { a } = setup();
    expect(await upstreamOf(historyOf(a))).toEqual({ remote: "origin", branch: "main" });
    expect(await upstreamOf(historyOf(gitdir()))).toBeUndefined();
  });
});

describe("pushRecords and pullRebase", () => {
  it("pushes our commits; with nothing new there is nothing to push", async () => {
    const { origin, a } = setup();
    const history = historyOf(a);
    const upstream = { remote: "origin", branch: "main" };
    expect(await pushRecords(history, upstream)).toEqual({ pushed: true, commits: 0 });
    commit(a, "one.md");
    expect(await pushRecords(history, upstream)).toEqual({ pushed: true, commits: 1 });
    expect(originLog(origin)).toEqual(["aiops(diagnosis): one.md", "initial commit"]);
  });

  it("a push rejected because another replica pushed first is rebased and pushed again", async () => {
    const { origin, a, b } = setup();
    const upstream = { remote: "origin", branch: "main" };
    commit(b, "theirs.md");
    expect((await pushRecords(historyOf(b), upstream)).pushed).toBe(true);
    commit(a, "ours.md");
    const waits: number[] = [];
    const result = await pushRecords(historyOf(a), upstream, { sleep: async (ms) => void waits.push(ms), backoffMs: 10 });
    expect(result).toEqual({ pushed: true, commits: 1 });
    expect(waits).toEqual([10]);
    expect(originLog(origin)).toEqual(["aiops(diagnosis): ours.md", "aiops(diagnosis): theirs.md", "initial commit"]);
  });

  it("pullRebase brings in what the previous leader pushed, under our unpushed commits", async () => {
    const { a, b } = setup();
    const upstream = { remote: "origin", branch: "main" };
    commit(a, "leader.md");
    await pushRecords(historyOf(a), upstream);
    commit(b, "mine.md");
    await pullRebase(historyOf(b), upstream);
    expect(git(b, "log", "--format=%s").split("\n")).toEqual(["aiops(diagnosis): mine.md", "aiops(diagnosis): leader.md", "initial commit"]);
  });

  it("a remote that keeps refusing is reported, not thrown, and the commits stay", async () => {
    const { a } = setup();
    git(a, "remote", "set-url", "origin", path.join(tmpdir(), "no-such-remote.git"));
    commit(a, "kept.md");
    const result = await pushRecords(historyOf(a), { remote: "origin", branch: "main" }, { tries: 2, sleep: async () => undefined });
    expect(result.pushed).toBe(false);
    expect(result.pushed ? "" : result.error.message).toMatch(/git failed|does not appear to be a git repository|no-such-remote/);
    expect(git(a, "log", "-1", "--format=%s")).toBe("aiops(diagnosis): kept.md");
  });

  it("a rebase that conflicts is aborted and leaves the branch as it was", async () => {
    const { a, b } = setup();
    const upstream = { remote: "origin", branch: "main" };
    writeFileSync(path.join(a, "history", "same.md"), "a\n");
    git(a, "add", "-A");
    git(a, "commit", "-q", "-m", "a");
    await pushRecords(historyOf(a), upstream);
    writeFileSync(path.join(b, "history", "same.md"), "b\n");
    git(b, "add", "-A");
    git(b, "commit", "-q", "-m", "b");
    const head = git(b, "rev-parse", "HEAD");
    await expect(pullRebase(historyOf(b), upstream)).rejects.toThrow(/could not rebase the records/);
    expect(git(b, "rev-parse", "HEAD")).toBe(head);
    expect(git(b, "status", "--porcelain")).toBe("");
  });

  it("a pull is tried as often as a push: each failure but the last reported, waits growing, the last thrown", async () => {
    const { a } = setup();
    git(a, "remote", "set-url", "origin", path.join(tmpdir(), "no-such-remote.git"));
    const retried: unknown[] = [];
    const waits: number[] = [];
    const pulling = pullRebaseRetrying(historyOf(a), { remote: "origin", branch: "main" }, (error) => retried.push(error), { sleep: async (ms) => void waits.push(ms) });
    await expect(pulling).rejects.toThrow(/no-such-remote|does not appear to be a git repository|git failed/);
    expect(retried).toHaveLength(2);
    expect(waits).toEqual([2000, 4000]);
  });
});
