import { spawn } from "node:child_process";
import path from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { AiopsError } from "../errors.ts";
import { sleep } from "./lock.ts";

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

export function openGit(repoRoot: string, options: { indexLockTimeoutMs?: number } = {}): RecordGit {
  // simple-git drops ambient GIT_* variables itself (its environment guard), GIT_DIR included.
  const git: SimpleGit = simpleGit({ baseDir: repoRoot, maxConcurrentProcesses: 1, trimmed: false });
  const retry = <T>(what: () => Promise<T>): Promise<T> => retryOnIndexLock(repoRoot, what, options.indexLockTimeoutMs ?? 10_000);
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

async function retryOnIndexLock<T>(repoRoot: string, what: () => Promise<T>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  let delay = 20;
  for (;;) {
    try {
      return await what();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!message.includes("index.lock")) throw gitFailure(repoRoot, message, error);
      if (Date.now() - started > timeoutMs) {
        throw new AiopsError(`git is busy in ${repoRoot}: .git/index.lock has existed for ${Math.round(timeoutMs / 1000)}s`, {
          hint: `another git command is running in this repository; wait for it, or if none is running remove ${path.join(repoRoot, ".git", "index.lock")}`,
          cause: error,
        });
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 1.6, 500);
    }
  }
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
