import { readFileSync } from "node:fs";
import { readFile, stat, unlink } from "node:fs/promises";
import { RECORD_LIMITS, sizeError } from "../util/bounded-parse.ts";
import path from "node:path";
import { AiopsError, NotFoundError, PolicyError, UsageError } from "../errors.ts";
import type { PolicyRoles } from "../policy/approval-rule.ts";
import { VERSION } from "../version.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { normalizeBody, parseRecord, readFrontMatter, serializeRecord, validateFrontMatter, type RecordFile } from "./record-file.ts";
import { openGit, type RecordGit } from "./git.ts";
import { commitSigning } from "./ssh-sign.ts";
import { contentSha256, ZERO_SHA256 } from "./hash.ts";
import { isDetached, refuseSymlinks, requireBranch, type History } from "./history.ts";
import { isFutureId, newRecordId, type IdGenerator } from "./ids.ts";
import { clearPendingWrite, notePendingWrite } from "./journal.ts";
import { withLock, type LockOptions } from "./lock.ts";
import { recordRelativePath } from "./paths.ts";
import { findPending, recoverPending } from "./recovery.ts";
import { scanRecords, type RecordLocation } from "./scan.ts";
import type { Approval, FrontMatter, FrontMatterInput, RecordEvent } from "./schema.ts";
import { INITIAL_STATUS, nextStatuses } from "./status.ts";
import { checkNextVersion } from "./versions.ts";

/**
 * The git-backed record store. Every write takes the repository's record lock, first recovers
 * what an interrupted run left, then writes one file atomically and commits exactly that file
 * with `aiops(<stage>): <title>`.
 */

/** What the store needs from the outside world; tests pass a fixed clock and real git. */
export interface StoreDeps {
  now(): Date;
  warn?(message: string): void;
  newId?: IdGenerator;
  /** How long to wait for another writer's lock (default 30 s). */
  lockTimeoutMs?: number;
  /** Defaults to simple-git on the history's repository, removing git lock files a killed git left. */
  git?(repoRoot: string): RecordGit;
}

/** A new record: everything but what the store decides (id, date, hashes, initial status). */
export type NewRecord = Omit<FrontMatterInput, "id" | "date" | "surface" | "tool_version" | "model" | "user" | "status" | "content_sha256" | "prev_record_sha256" | "approvals"> & {
  tool_version?: string;
  model?: string;
  user: { cluster: string; git?: string };
  body: string;
};

export interface StoredRecord extends RecordFile {
  location: RecordLocation;
}

export interface WrittenRecord extends StoredRecord {
  commit: string;
}

/** Changes a later commit may make (docs/records.md, what may change); anything else is immutable. */
export interface RecordChange {
  status?: string;
  approvals?: Approval[];
  events?: RecordEvent[];
  /** Replaces `metrics.post`. */
  metricsPost?: Record<string, unknown>;
  /** Markdown appended at the end of the body, normally one or more `## Section`s. */
  bodyAppend?: string;
  /** The policy's approver lists, when the caller has them: stricter than recorded roles alone. */
  roles?: PolicyRoles;
}

export function lockFileOf(history: History): string {
  return path.join(history.gitDir, "aiops-records.lock");
}

/** RFC 3339 UTC to the second, the form every record date takes. */
export function utcSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export async function writeRecord(history: History, input: NewRecord, deps: StoreDeps): Promise<WrittenRecord> {
  const git = await gitOf(history, deps);
  return withLock(
    lockFileOf(history),
    async () => {
      requireBranch(history);
      // Recovery commits or removes files but never adds a record file, so the directory scan
      // and the git identity lookup can run beside it.
      const [{ left }, scanned, gitUser] = await Promise.all([recoverPending(history, git, warnOf(deps)), scanRecords(history), input.user.git ?? gitIdentity(git)]);
      // Files recovery left uncommitted never become a link of the chain; every other record
      // file now equals its committed version.
      const locations = scanned.filter((l) => !left.includes(l.relative));
      const now = deps.now();
      // A record whose id is dated in the future (written by hand: no clock of ours made it) is
      // no link of the chain and no floor for new ids, so it cannot exhaust or derail later writes;
      // audit verify reports it.
      const newest = locations.findLast((l) => !isFutureId(l.id, now.getTime()));
      const prev = newest === undefined ? ZERO_SHA256 : (await readLocation(newest)).frontMatter.content_sha256;
      const { body: rawBody, user, tool_version, model, ...fields } = input;
      const draft = {
        ...fields,
        id: (deps.newId ?? newRecordId)(now.getTime(), newest?.id),
        date: utcSeconds(now),
        surface: "kubectl-aiops",
        tool_version: tool_version ?? VERSION,
        model: model ?? "rules",
        user: { cluster: user.cluster, git: gitUser },
        status: INITIAL_STATUS[input.stage],
        content_sha256: ZERO_SHA256,
        prev_record_sha256: prev,
        approvals: [],
      };
      const body = normalizeBody(rawBody);
      const validated = validateFrontMatter(draft, "new record");
      const frontMatter: FrontMatter = { ...validated, content_sha256: contentSha256(validated, body) };
      const relative = recordRelativePath(frontMatter);
      const location: RecordLocation = { id: frontMatter.id, stage: frontMatter.stage, relative, absolute: path.join(history.dir, relative) };
      const record: RecordFile = { frontMatter, body };
      const commit = await writeAndCommit(git, history, location, record, undefined);
      return { ...record, location, commit };
    },
    lockOptions(deps),
  );
}

export async function appendToRecord(history: History, id: string, change: RecordChange, deps: StoreDeps): Promise<WrittenRecord> {
  const git = await gitOf(history, deps);
  return withLock(
    lockFileOf(history),
    async () => {
      requireBranch(history);
      const { left } = await recoverPending(history, git, warnOf(deps));
      const location = (await scanRecords(history)).find((l) => l.id === id);
      if (location === undefined) throw new NotFoundError(`no record with id ${id} in ${history.dir}`, { hint: "kubectl aiops list shows the records" });
      if (left.includes(location.relative)) {
        throw new PolicyError(`refused to update record ${id}: its file has uncommitted changes that are not a legal append`, { hint: `inspect them with git diff -- ${location.absolute}; restore the committed version with git checkout HEAD -- ${location.absolute}` });
      }
      const previous = await readLocation(location);
      const next = applyChange(previous, change);
      if (serializeRecord(next) === serializeRecord(previous)) throw new UsageError(`nothing to record for ${id}: the change leaves the record as it is`);
      validateFrontMatter(next.frontMatter, location.relative);
      const problems = checkNextVersion(previous, next, change.roles);
      if (problems.length > 0) {
        const from = previous.frontMatter.status;
        const moves = nextStatuses(previous.frontMatter.stage, from);
        throw new PolicyError(`refused to update record ${id}: ${problems.map((p) => p.message).join("; ")}`, {
          hint: problems.some((p) => p.kind === "transition")
            ? `from "${from}" a ${previous.frontMatter.stage} can move to: ${moves.length === 0 ? "nothing (final status)" : moves.join(", ")}`
            : "a record may only change status, gain approvals, events and metrics.post, and gain body sections at its end",
        });
      }
      const commit = await writeAndCommit(git, history, location, next, previous);
      return { ...next, location, commit };
    },
    lockOptions(deps),
  );
}

function applyChange(previous: RecordFile, change: RecordChange): RecordFile {
  const fm = previous.frontMatter;
  const frontMatter: FrontMatter = {
    ...fm,
    status: change.status ?? fm.status,
    approvals: [...fm.approvals, ...(change.approvals ?? [])],
    events: [...fm.events, ...(change.events ?? [])],
  };
  if (change.metricsPost !== undefined) frontMatter.metrics = { ...fm.metrics, post: change.metricsPost };
  let body = previous.body;
  if (change.bodyAppend !== undefined && change.bodyAppend.trim() !== "") {
    body = `${normalizeBody(body)}${body === "" || body.endsWith("\n\n") ? "" : "\n"}${normalizeBody(change.bodyAppend.replace(/^\n+/, ""))}`;
  }
  return { frontMatter, body };
}

/**
 * Notes the write for crash recovery, writes the file atomically and commits it; when git
 * refuses, puts the working tree back as it was and rethrows.
 */
async function writeAndCommit(git: RecordGit, history: History, location: RecordLocation, record: RecordFile, previous: RecordFile | undefined): Promise<string> {
  const repoPath = history.relDir === "" ? location.relative : `${history.relDir}/${location.relative}`;
  refuseSymlinks(history, location.relative);
  const content = serializeRecord(record);
  await notePendingWrite(history, location.relative, content);
  await writeFileAtomic(location.absolute, content);
  try {
    return await git.commitFile(repoPath, `aiops(${record.frontMatter.stage}): ${record.frontMatter.title}`);
  } catch (error) {
    await git.unstage(repoPath);
    if (previous === undefined) await unlink(location.absolute).catch(() => undefined);
    else await writeFileAtomic(location.absolute, serializeRecord(previous));
    throw error;
  } finally {
    await clearPendingWrite(history, location.relative);
  }
}

async function gitIdentity(git: RecordGit): Promise<string> {
  const ident = await git.raw(["var", "GIT_AUTHOR_IDENT"]).catch(() => "");
  const match = /^(.*?<[^>]*>)\s+\d+\s+[+-]\d{4}\s*$/.exec(ident.trim());
  if (match?.[1] === undefined) {
    throw new AiopsError("git has no identity to record and commit with", { hint: 'set one: git config user.name "Your Name" && git config user.email you@example.com' });
  }
  return match[1];
}

export async function readLocation(location: RecordLocation): Promise<RecordFile> {
  // Sized before it is read: a huge file planted in the history never reaches memory.
  const { size } = await stat(location.absolute);
  if (size > RECORD_LIMITS.maxBytes) throw sizeError(location.relative, size, RECORD_LIMITS);
  return parseRecord(await readFile(location.absolute, "utf8"), location.relative);
}

export interface ListedRecord {
  location: RecordLocation;
  frontMatter: FrontMatter;
}

export interface RecordListing {
  records: ListedRecord[];
  /** Files with a record's name that do not parse: listed as problems, not hidden. */
  invalid: { location: RecordLocation; error: string }[];
}

/**
 * Every record's front matter, for `list` and similar-incident search. The only git call is the
 * status check of `recover`; a pending file found there is committed under the lock.
 */
export async function listRecords(history: History, deps: StoreDeps & { recover?: boolean }): Promise<RecordListing> {
  if (deps.recover !== false) await recoverIfPending(history, deps);
  const locations = await scanRecords(history);
  const records: ListedRecord[] = [];
  const invalid: RecordListing["invalid"] = [];
  for (const location of locations) {
    try {
      // Synchronous reads: for 10,000 small files they beat the thread pool by an order of magnitude.
      records.push({ location, frontMatter: readFrontMatter(readFileSync(location.absolute, "utf8"), location.relative) });
    } catch (error) {
      invalid.push({ location, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { records, invalid };
}

export async function recoverIfPending(history: History, deps: StoreDeps): Promise<void> {
  const git = await gitOf(history, deps);
  if ((await findPending(history, git)).length === 0) return;
  if (isDetached(history)) {
    warnOf(deps)(`warning: uncommitted record files in ${history.dir} are not recovered while HEAD is detached (git switch <branch>)`);
    return;
  }
  await withLock(lockFileOf(history), () => recoverPending(history, git, warnOf(deps)), lockOptions(deps));
}

function warnOf(deps: StoreDeps): (message: string) => void {
  return deps.warn ?? (() => undefined);
}

function lockOptions(deps: StoreDeps): LockOptions {
  const onStale = warnOf(deps);
  return deps.lockTimeoutMs === undefined ? { onStale } : { timeoutMs: deps.lockTimeoutMs, onStale };
}

/**
 * The store's git works under the record lock: a git lock file a killed git left may be removed
 * (with a warning). It signs every commit when the policy requires it (docs/trust.md); with no key
 * configured, that is refused here, before anything is written.
 */
async function gitOf(history: History, deps: StoreDeps): Promise<RecordGit> {
  const config = await commitSigning(history.repoRoot);
  return deps.git?.(history.repoRoot) ?? openGit(history.repoRoot, { onStaleLock: warnOf(deps), config });
}
