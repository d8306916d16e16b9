import { spawn } from "node:child_process";
import { readdir, readFile, readlink, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { AiopsError } from "../errors.ts";
import { isAlive, sleep } from "./lock.ts";

/**
 * Git for the record store. simple-git runs the write path (add, commit, status) one process at
 * a time; `runGit` streams the few bulk reads (log, cat-file --batch) that must not buffer
 * through simple-git. Every call targets the repository found by `resolveHistory`, whatever
 * GIT_DIR or GIT_INDEX_FILE a surrounding hook may have set.
 */

const REDIRECTING_ENV = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES"];

export function gitEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of REDIRECTING_ENV) delete env[name];
  return env;
}

export interface RecordGit {
  repoRoot: string;
  /** `git add -- <file>` then `git commit -m <message> -- <file>`: that path only. Returns the hash. */
  commitFile(relative: string, message: string): Promise<string>;
  /** `git reset -q -- <file>`: takes a file back out of the index after a failed commit. */
  unstage(relative: string): Promise<void>;
  raw(args: string[]): Promise<string>;
}

export interface GitOptions {
  /** `-c name=value` for every git this opens (commit signing, ssh-sign.ts). */
  config?: readonly string[];
  /** How long a git lock file (.git/index.lock) is waited for before the error naming it (default 10 s). */
  indexLockTimeoutMs?: number;
  /**
   * Given, a git lock file left by a killed git is removed and reported here: one no git process
   * of this repository holds (Linux /proc) and older than `indexLockStaleMs`. Only callers that
   * hold the record lock pass it, so no other kubectl aiops can be the one about to use it.
   */
  onStaleLock?: (message: string) => void;
  /** Younger lock files are never judged stale: a git may have just created one (default 5 s). */
  indexLockStaleMs?: number;
}

/** The variables git reads an identity from (git-var(1)); every other GIT_* variable is dropped. */
export const GIT_IDENTITY_VARIABLES = ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] as const;

export function openGit(repoRoot: string, options: GitOptions = {}): RecordGit {
  // simple-git drops ambient GIT_* variables itself (its environment guard), GIT_DIR included;
  // the identity variables pass, so an identity given only through them records and commits,
  // as with git itself.
  const git: SimpleGit = simpleGit({ baseDir: repoRoot, maxConcurrentProcesses: 1, trimmed: false, config: [...(options.config ?? [])], allowEnvironment: GIT_IDENTITY_VARIABLES });
  const retry = <T>(what: () => Promise<T>): Promise<T> => retryOnGitLock(repoRoot, what, options);
  return {
    repoRoot,
    async commitFile(relative, message) {
      // --verbose: simple-git waits 50 ms after a git process that printed nothing.
      await retry(() => git.raw(["add", "--verbose", "--", relative]));
      // Paths after "--" make this `git commit --only`: other staged changes stay staged.
      const result = await retry(() => git.commit(message, ["--", relative]));
      if (result.commit === "") {
        throw new AiopsError(`git made no commit for ${relative} ("${message}"): nothing differed from HEAD`, {
          hint: `check the file with: git -C ${repoRoot} status -- ${relative}`,
        });
      }
      return result.commit;
    },
    async unstage(relative) {
      await retry(() => git.raw(["reset", "-q", "--", relative])).catch(() => undefined);
    },
    raw: (args) => retry(() => git.raw(args)),
  };
}

/** The lock file git names when it cannot create it: `Unable to create '<path>.lock': File exists.` */
const LOCK_EXISTS = /Unable to create '([^']+\.lock)': File exists/;

async function retryOnGitLock<T>(repoRoot: string, what: () => Promise<T>, options: GitOptions): Promise<T> {
  const timeoutMs = options.indexLockTimeoutMs ?? 10_000;
  const started = Date.now();
  let delay = 20;
  for (;;) {
    try {
      return await what();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const lockFile = LOCK_EXISTS.exec(message)?.[1] ?? (message.includes("index.lock") ? path.join(repoRoot, ".git", "index.lock") : undefined);
      if (lockFile === undefined) throw gitFailure(repoRoot, message, error);
      if (options.onStaleLock !== undefined && (await removeStaleGitLock(repoRoot, lockFile, options.indexLockStaleMs ?? 5_000, options.onStaleLock))) continue;
      if (Date.now() - started > timeoutMs) throw await gitLockError(repoRoot, lockFile, timeoutMs, error);
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 1.6, 500);
    }
  }
}

async function gitLockError(repoRoot: string, lockFile: string, timeoutMs: number, cause: unknown): Promise<AiopsError> {
  const running = (await gitProcessesIn(repoRoot))?.[0];
  return new AiopsError(`git is busy in ${repoRoot}: ${lockFile} has existed for ${Math.round(timeoutMs / 1000)}s`, {
    hint:
      running !== undefined
        ? `git process ${running.pid} (${running.command}) may be using this repository: wait for it to finish, then retry`
        : `if no git command is running in this repository (ps -ef | grep git), a killed one left the lock: remove it with rm ${lockFile} and retry`,
    cause,
  });
}

/**
 * Removes a git lock file that no live git holds: old enough that no git just created it, and no
 * git process working in the repository (judged on Linux; elsewhere nothing is removed). It is
 * removed only if it is still the file judged (same inode and time).
 */
async function removeStaleGitLock(repoRoot: string, lockFile: string, staleMs: number, report: (message: string) => void): Promise<boolean> {
  const judged = await stat(lockFile).catch(() => undefined);
  if (judged === undefined) return true;
  if (Date.now() - judged.mtimeMs < staleMs) return false;
  const holders = await gitProcessesIn(repoRoot);
  if (holders === undefined || holders.length > 0) return false;
  const now = await stat(lockFile).catch(() => undefined);
  if (now === undefined) return true;
  if (now.ino !== judged.ino || now.mtimeMs !== judged.mtimeMs) return false;
  await unlink(lockFile).catch(() => undefined);
  report(`warning: removed ${lockFile}, left by a git process that was killed (no git runs in ${repoRoot}; the file dates from ${judged.mtime.toISOString()})`);
  return true;
}

/** `next-index-<pid>.lock`: the temporary index of `git commit -- <paths>`, named after the git's pid. */
const TEMP_INDEX = /^next-index-(\d+)\.lock$/;

/**
 * Removes the temporary index files a killed `git commit -- <paths>` leaves in the git dir (the
 * store commits that way), when their git is gone and no git works in the repository. Called
 * under the record lock.
 */
export async function removeLeftoverIndexes(repoRoot: string, gitDir: string, report: (message: string) => void): Promise<void> {
  const names = await readdir(gitDir).catch(() => [] as string[]);
  const leftovers = names.filter((name) => {
    const pid = Number(TEMP_INDEX.exec(name)?.[1]);
    return Number.isInteger(pid) && pid > 0 && !isAlive(pid);
  });
  if (leftovers.length === 0) return;
  const holders = await gitProcessesIn(repoRoot);
  if (holders === undefined || holders.length > 0) return;
  for (const name of leftovers) {
    await unlink(path.join(gitDir, name)).catch(() => undefined);
    report(`note: removed ${path.join(gitDir, name)}, a temporary index left by a git process that was killed`);
  }
}

/**
 * The live git processes working in `repoRoot`: their working directory, a path on their command
 * line or their GIT_DIR is in it. A git process whose directory cannot be read (another user's)
 * counts as one. Undefined where there is no /proc to look in.
 */
export async function gitProcessesIn(repoRoot: string): Promise<{ pid: number; command: string }[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return undefined;
  }
  const inRepo = (p: string): boolean => p === repoRoot || p.startsWith(`${repoRoot}${path.sep}`);
  const found: { pid: number; command: string }[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) return;
      const dir = `/proc/${entry}`;
      const stat = await readFile(`${dir}/stat`, "utf8").catch(() => "");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      // A zombie has finished: it holds nothing.
      if (!name.startsWith("git") || stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z") return;
      const command = (await readFile(`${dir}/cmdline`, "utf8").catch(() => name)).split("\0").join(" ").trim();
      const cwd = await readlink(`${dir}/cwd`).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? "" : undefined));
      if (cwd === undefined) {
        found.push({ pid, command });
        return;
      }
      const environ = await readFile(`${dir}/environ`, "utf8").catch(() => "");
      const gitDir = /(?:^|\0)GIT_DIR=([^\0]*)/.exec(environ)?.[1];
      if (inRepo(cwd) || command.split(" ").some((arg) => inRepo(arg.replace(/^--[a-z-]+=/, ""))) || (gitDir !== undefined && inRepo(path.resolve(cwd, gitDir)))) found.push({ pid, command });
    }),
  );
  return found;
}

function gitFailure(repoRoot: string, message: string, cause: unknown): AiopsError {
  const firstLines = message.trim().split("\n").slice(0, 3).join(" | ");
  const signing = /gpg|sign/i.test(message);
  return new AiopsError(`git failed in ${repoRoot}: ${firstLines}`, {
    hint: signing ? "commits are signed (commit.gpgsign): check the signing key and agent (git commit --allow-empty -m test shows the error)" : "run the same git command by hand to see the problem (git status, git config user.email)",
    cause,
  });
}

/** Runs git, optionally feeding stdin, and returns stdout as a Buffer (bulk reads). */
export function runGit(repoRoot: string, args: string[], input?: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd: repoRoot, env: gitEnv(), stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => reject(new AiopsError(`cannot run git: ${error.message}`, { hint: "install git and make sure it is on PATH", cause: error })));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(gitFailure(repoRoot, `git ${args[0] ?? ""} exited ${code}: ${Buffer.concat(err).toString("utf8")}`, undefined));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}
