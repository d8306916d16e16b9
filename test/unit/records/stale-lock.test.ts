/**
 * Locks left by killed writers, on real repositories: the record lock of a SIGKILLed kubectl
 * aiops, and the .git/index.lock and temporary index of a SIGKILLed `git commit`, are recovered
 * at the next write with a warning; a lock whose holder lives is waited for, and the error names
 * the file and what to do.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AiopsError } from "../../../src/errors.ts";
import { openGit } from "../../../src/records/git.ts";
import { resolveHistory } from "../../../src/records/history.ts";
import { processStart } from "../../../src/records/lock.ts";
import { lockFileOf, writeRecord } from "../../../src/records/store.ts";
import { git, gitdir, testGitEnv } from "../../helpers/gitdir.ts";
import { fixedDeps, newProposal } from "./fixtures.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const pinnedNode = path.resolve(here, "../../../node_modules/.bin/node");
const node = existsSync(pinnedNode) ? pinnedNode : process.execPath;
const linux = process.platform === "linux";
const historyIn = (dir: string) => resolveHistory({ cwd: dir, env: {} });

/** Resolves once `check` holds, polling every 20 ms; fails after `ms`. */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * `git commit -- app.txt` held in a pre-commit hook that sleeps while .git/hold-commit exists:
 * index.lock and next-index-<pid>.lock exist until it is killed.
 */
async function gitCommitInProgress(dir: string): Promise<ChildProcess> {
  const hook = path.join(dir, ".git", "hooks", "pre-commit");
  writeFileSync(path.join(dir, ".git", "hold-commit"), "");
  writeFileSync(hook, "#!/bin/sh\nif [ -f .git/hold-commit ]; then sleep 60; fi\n");
  chmodSync(hook, 0o755);
  writeFileSync(path.join(dir, "app.txt"), "v2\n");
  // Its own process group, so that the test can kill git and its hook together.
  const child = spawn("git", ["commit", "-q", "-m", "in progress", "--", "app.txt"], { cwd: dir, env: testGitEnv(), detached: true, stdio: "ignore" });
  await until(() => existsSync(path.join(dir, ".git", "index.lock")) && readdirSync(path.join(dir, ".git")).some((f) => f.startsWith("next-index-")));
  return child;
}

/** Kills git and its hook (SIGKILL: git cleans up nothing), then lets later commits pass the hook. */
async function killGroup(child: ChildProcess, dir: string): Promise<void> {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
  await exited(child);
  rmSync(path.join(dir, ".git", "hold-commit"), { force: true });
}

/** Backdates a file: a lock left a minute ago. */
function age(file: string, seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  utimesSync(file, then, then);
}

describe("record lock (src/records/lock.ts)", () => {
  it("a writer SIGKILLed while holding it: the next write breaks the lock with a warning and removes its temporary file", async () => {
    const dir = gitdir();
    const history = historyIn(dir);
    const folder = path.join(history.dir, "prompts", "2026", "11");
    const holder = spawn(node, [path.join(here, "lock-holder.ts"), lockFileOf(history), folder], { env: testGitEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let said = "";
    holder.stdout?.on("data", (chunk: Buffer) => (said += chunk.toString()));
    await until(() => said.includes("locked"));
    const content = JSON.parse(readFileSync(lockFileOf(history), "utf8")) as Record<string, unknown>;
    expect(content).toMatchObject({ pid: holder.pid, host: hostname(), started: expect.any(String), time: expect.any(String) });
    if (linux) expect(content["proc_start"]).toEqual(await processStart(holder.pid ?? 0));
    holder.kill("SIGKILL");
    await exited(holder);
    const temp = path.join(folder, `.aiops-tmp-${holder.pid}-0000`);
    expect(existsSync(temp)).toBe(true);

    const warnings: string[] = [];
    const written = await writeRecord(history, newProposal(), { ...fixedDeps(warnings), lockTimeoutMs: 5_000 });
    expect(git(dir, "log", "-1", "--format=%H")).toBe(written.commit);
    expect(warnings.join("\n")).toContain(`removed the stale lock ${lockFileOf(history)}: its holder, pid ${holder.pid}, is no longer running`);
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(lockFileOf(history))).toBe(false);
    expect(git(dir, "status", "--porcelain")).toBe("");
  }, 30_000);

  it.runIf(linux)("a reused pid: a live process that started after the lock's holder does not hold it", async () => {
    const dir = gitdir();
    const history = historyIn(dir);
    // This process's pid, but another start time: what pid 1 of a restarted container sees.
    writeFileSync(lockFileOf(history), JSON.stringify({ pid: process.pid, host: hostname(), time: new Date().toISOString(), token: "x", proc_start: "1" }));
    const warnings: string[] = [];
    await writeRecord(history, newProposal(), { ...fixedDeps(warnings), lockTimeoutMs: 2_000 });
    expect(warnings.join("\n")).toContain(`pid ${process.pid} now belongs to another process than its holder`);
  });

  it("a live holder is waited for however old its lock; the error names the file and the holder", async () => {
    const dir = gitdir();
    const history = historyIn(dir);
    const start = await processStart(process.pid);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    writeFileSync(lockFileOf(history), JSON.stringify({ pid: process.pid, host: hostname(), time: hourAgo, token: "x", ...(start === undefined ? {} : { proc_start: start }) }));
    const error = await writeRecord(history, newProposal(), { ...fixedDeps(), lockTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiopsError);
    expect(error).toMatchObject({ exitCode: 1, message: expect.stringContaining(lockFileOf(history)), hint: expect.stringContaining(`ps -p ${process.pid}`) });
    expect(existsSync(lockFileOf(history))).toBe(true);
  });

  it.each([
    { name: "is broken once older than any holder takes", time: new Date(Date.now() - 3_600_000).toISOString(), broken: true },
    { name: "is waited for while younger, and the error says how to remove it", time: new Date().toISOString(), broken: false },
  ])("a lock held from another host $name", async ({ time, broken }) => {
    const dir = gitdir();
    const history = historyIn(dir);
    writeFileSync(lockFileOf(history), JSON.stringify({ pid: 4242, host: "another-host", time, token: "x" }));
    const warnings: string[] = [];
    const result = writeRecord(history, newProposal(), { ...fixedDeps(warnings), lockTimeoutMs: 300 });
    if (broken) {
      await result;
      expect(warnings.join("\n")).toMatch(/held by pid 4242 on another-host for \d+s/);
    } else {
      await expect(result).rejects.toMatchObject({ hint: expect.stringContaining(`rm ${lockFileOf(history)}`) });
    }
  });
});

describe.runIf(linux)(".git/index.lock and the temporary index of a killed git (src/records/git.ts)", () => {
  it("git commit SIGKILLed: the next record write removes index.lock and next-index-<pid>.lock, with warnings", async () => {
    const dir = gitdir({ "app.txt": "v1\n" });
    const history = historyIn(dir);
    const child = await gitCommitInProgress(dir);
    const tempIndex = readdirSync(path.join(dir, ".git")).find((f) => f.startsWith("next-index-")) ?? "";
    await killGroup(child, dir);
    const indexLock = path.join(dir, ".git", "index.lock");
    expect(existsSync(indexLock)).toBe(true);
    // Killed a minute ago: older than a git that has just created its lock.
    age(indexLock, 60);

    const warnings: string[] = [];
    const written = await writeRecord(history, newProposal(), fixedDeps(warnings));
    expect(git(dir, "log", "-1", "--format=%H")).toBe(written.commit);
    expect(warnings.join("\n")).toContain(`removed ${indexLock}, left by a git process that was killed`);
    expect(warnings.join("\n")).toContain(`removed ${path.join(dir, ".git", tempIndex)}, a temporary index`);
    expect(existsSync(indexLock)).toBe(false);
    expect(readdirSync(path.join(dir, ".git")).filter((f) => f.startsWith("next-index-"))).toEqual([]);
    // The interrupted commit's change is still there, uncommitted, as the user left it.
    expect(git(dir, "status", "--porcelain", "--", "app.txt")).toBe("M app.txt");
  }, 30_000);

  it("a live git holding the repository keeps its index.lock: after the retry budget the error names the file and the git", async () => {
    const dir = gitdir({ "app.txt": "v1\n" });
    const history = historyIn(dir);
    const child = await gitCommitInProgress(dir);
    try {
      const indexLock = path.join(dir, ".git", "index.lock");
      age(indexLock, 60);
      const warnings: string[] = [];
      const error = await writeRecord(history, newProposal(), { ...fixedDeps(warnings), git: (root) => openGit(root, { onStaleLock: (m) => warnings.push(m), indexLockTimeoutMs: 500 }) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AiopsError);
      expect(error).toMatchObject({ exitCode: 1, message: expect.stringContaining(`${indexLock} has existed`), hint: expect.stringContaining(`git process ${child.pid}`) });
      expect(existsSync(indexLock)).toBe(true);
      expect(warnings.join("\n")).not.toContain("index.lock");
    } finally {
      await killGroup(child, dir);
    }
  }, 30_000);

  it("a planted index.lock, with recovery off: the error names the file and the command that removes it", async () => {
    const dir = gitdir();
    const indexLock = path.join(dir, ".git", "index.lock");
    writeFileSync(indexLock, "");
    age(indexLock, 60);
    const error = await writeRecord(historyIn(dir), newProposal(), { ...fixedDeps(), git: (root) => openGit(root, { indexLockTimeoutMs: 200 }) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 1, message: expect.stringContaining(indexLock), hint: expect.stringContaining(`rm ${indexLock}`) });
    expect(existsSync(indexLock)).toBe(true);
  });

  it("a planted index.lock younger than a few seconds is waited for, not removed", async () => {
    const dir = gitdir();
    const indexLock = path.join(dir, ".git", "index.lock");
    writeFileSync(indexLock, "");
    const warnings: string[] = [];
    await expect(writeRecord(historyIn(dir), newProposal(), { ...fixedDeps(warnings), git: (root) => openGit(root, { onStaleLock: (m) => warnings.push(m), indexLockTimeoutMs: 300 }) })).rejects.toThrow(/index\.lock has existed/);
    expect(existsSync(indexLock)).toBe(true);
  });
});
