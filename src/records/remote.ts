/**
 * The history's remote, for a `watch` that shares its records (`--push`, and the takeover of
 * `--leader-elect`): the branch's upstream (`branch.<name>.remote` and `.merge`, as `git clone`
 * sets them), brought in with fetch + rebase, and our commits pushed to it. Both run under the
 * record lock, so no record is written while a rebase rewrites the branch. Records are one file
 * each, so a rebase onto another writer's records does not conflict; one that does is aborted and
 * reported, leaving the branch as it was.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { AiopsError } from "../errors.ts";
import { runGit } from "./git.ts";
import type { History } from "./history.ts";
import { withLock } from "./lock.ts";
import { commitSigning } from "./ssh-sign.ts";
import { lockFileOf } from "./store.ts";

export interface Upstream {
  remote: string;
  /** The remote's branch name ("main"). */
  branch: string;
}

/** The upstream of the history's branch, or undefined (detached HEAD, no upstream). */
export async function upstreamOf(history: History): Promise<Upstream | undefined> {
  const head = readFileSync(path.join(history.gitDir, "HEAD"), "utf8").trim();
  if (!head.startsWith("ref: refs/heads/")) return undefined;
  const local = head.slice("ref: refs/heads/".length);
  const read = async (name: string): Promise<string> => (await runGit(history.repoRoot, ["config", "--get", name]).catch(() => Buffer.from(""))).toString("utf8").trim();
  const [remote, merge] = await Promise.all([read(`branch.${local}.remote`), read(`branch.${local}.merge`)]);
  if (remote === "" || remote === "." || !merge.startsWith("refs/heads/")) return undefined;
  return { remote, branch: merge.slice("refs/heads/".length) };
}

export interface RemoteDeps {
  /** Pushes tried before giving up (default 3); between two, the remote is fetched and rebased onto. */
  tries?: number;
  /** Wait before the n-th retry: n times this (default 2 s). */
  backoffMs?: number;
  sleep?(ms: number): Promise<void>;
  lockTimeoutMs?: number;
}

const DEFAULT_TRIES = 3;
const DEFAULT_BACKOFF_MS = 2000;

/** The wait before the retry after failed attempt `attempt`: `attempt` times the backoff. */
async function backOff(attempt: number, deps: RemoteDeps): Promise<void> {
  const ms = attempt * (deps.backoffMs ?? DEFAULT_BACKOFF_MS);
  await (deps.sleep ?? ((wait: number) => new Promise<void>((resolve) => setTimeout(resolve, wait))))(ms);
}

/** Fetches the upstream and replays our unpushed commits on top of it (under the record lock). */
export async function pullRebase(history: History, upstream: Upstream, deps: RemoteDeps = {}): Promise<void> {
  await locked(history, deps, () => fetchAndRebase(history, upstream));
}

/**
 * pullRebase, tried as often as a push (a remote briefly out of reach); every failure but the
 * last is handed to `onRetry` before the wait, the last one is thrown.
 */
export async function pullRebaseRetrying(history: History, upstream: Upstream, onRetry: (error: unknown) => void, deps: RemoteDeps = {}): Promise<void> {
  const tries = deps.tries ?? DEFAULT_TRIES;
  for (let attempt = 1; ; attempt++) {
    try {
      await pullRebase(history, upstream, deps);
      return;
    } catch (error) {
      if (attempt >= tries) throw error;
      onRetry(error);
      await backOff(attempt, deps);
    }
  }
}

export type PushResult = { pushed: true; commits: number } | { pushed: false; error: AiopsError };

/**
 * Pushes the branch to its upstream; a rejected push (another writer went first) is retried after
 * a rebase onto the remote. Never throws for a push that keeps failing: the caller keeps the
 * commits and tries again later.
 */
export async function pushRecords(history: History, upstream: Upstream, deps: RemoteDeps = {}): Promise<PushResult> {
  const tries = deps.tries ?? DEFAULT_TRIES;
  let last: AiopsError | undefined;
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      const commits = await locked(history, deps, async () => {
        const ahead = await unpushed(history, upstream);
        if (ahead === 0) return 0;
        await git(history, ["push", "--quiet", upstream.remote, `HEAD:refs/heads/${upstream.branch}`]);
        return ahead;
      });
      return { pushed: true, commits };
    } catch (error) {
      last = asAiopsError(error);
    }
    if (attempt === tries) break;
    await backOff(attempt, deps);
    try {
      await pullRebase(history, upstream, deps);
    } catch (error) {
      last = asAiopsError(error);
    }
  }
  return { pushed: false, error: last ?? new AiopsError("push failed") };
}

/** Commits on our branch that the remote-tracking branch lacks (all of them when it is unknown). */
async function unpushed(history: History, upstream: Upstream): Promise<number> {
  const tracking = `refs/remotes/${upstream.remote}/${upstream.branch}`;
  const known = await runGit(history.repoRoot, ["rev-parse", "--verify", "--quiet", tracking]).then(
    () => true,
    () => false,
  );
  if (!known) return Number.POSITIVE_INFINITY;
  return Number((await runGit(history.repoRoot, ["rev-list", "--count", `${tracking}..HEAD`])).toString("utf8").trim());
}

async function fetchAndRebase(history: History, upstream: Upstream): Promise<void> {
  // The refspec updates the remote-tracking branch too (unpushed() compares with it).
  await git(history, ["fetch", "--quiet", upstream.remote, `+refs/heads/${upstream.branch}:refs/remotes/${upstream.remote}/${upstream.branch}`]);
  try {
    await git(history, ["rebase", "--quiet", `refs/remotes/${upstream.remote}/${upstream.branch}`]);
  } catch (error) {
    await runGit(history.repoRoot, ["rebase", "--abort"]).catch(() => undefined);
    throw new AiopsError(`could not rebase the records of ${history.repoRoot} onto ${upstream.remote}/${upstream.branch}: ${asAiopsError(error).message}`, {
      hint: `resolve it by hand in a clone: git pull --rebase ${upstream.remote} ${upstream.branch}`,
      cause: error,
    });
  }
}

/** git with the store's signing configuration: a rebase rewrites our commits and must sign them as a commit would. */
async function git(history: History, args: string[]): Promise<void> {
  const config = await commitSigning(history.repoRoot);
  await runGit(history.repoRoot, [...config.flatMap((c) => ["-c", c]), ...args]);
}

function locked<T>(history: History, deps: RemoteDeps, fn: () => Promise<T>): Promise<T> {
  return withLock(lockFileOf(history), fn, deps.lockTimeoutMs === undefined ? {} : { timeoutMs: deps.lockTimeoutMs });
}

function asAiopsError(error: unknown): AiopsError {
  return error instanceof AiopsError ? error : new AiopsError(error instanceof Error ? error.message : String(error), { cause: error });
}
