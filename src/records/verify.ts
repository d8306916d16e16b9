import type { PolicyRoles } from "../policy/approval-rule.ts";
import { DEFAULT_TIER_POLICY, type TierPolicy } from "../policy/tiers.ts";
import { parseRecord, type RecordFile } from "./record-file.ts";
import type { HistoryWalk, WalkCommit } from "./git-walk.ts";
import { ZERO_SHA256 } from "./hash.ts";
import { parseRecordPath } from "./paths.ts";
import { tierForgery } from "./tier-check.ts";
import { checkFirstVersion, checkNextVersion, type ProblemKind } from "./versions.ts";

/**
 * `audit verify`, pure: judges a walk of the history folder's git history (see git-walk.ts).
 * Every record's first committed version must hash to its content_sha256, every later version
 * may only append (versions.ts), no record may be deleted or renamed, the chain of
 * prev_record_sha256 in id order must be unbroken, and with `requireSigned` every commit must
 * carry a good signature from a known key. The tier of every proposal and policy record is
 * recomputed from its action and target with the policy (tier-check.ts): a recorded tier lower
 * than that is a forgery.
 */

export interface AuditProblem {
  kind: ProblemKind;
  /** Record id, or the path when the file has no id. */
  record: string;
  path: string;
  commit: string;
  message: string;
}

export interface VerifyOptions {
  requireSigned?: boolean;
  roles?: PolicyRoles;
  /** The policy's protected namespaces, for recomputing tiers; the defaults when absent. */
  tierPolicy?: TierPolicy;
}

export interface VerifyResult {
  apiVersion: "aiops.dev/v1";
  kind: "AuditVerify";
  ok: boolean;
  records: number;
  commits: number;
  problems: AuditProblem[];
  summary: string;
}

/** One committed version of a record, as the walk saw it. */
export interface RecordVersion {
  commit: WalkCommit;
  relative: string;
  change: "created" | "updated" | "deleted" | "renamed";
  fromRelative?: string;
  record?: RecordFile;
  error?: string;
}

/** The walk as a sequence of record versions, oldest first (shared with `audit log`). */
export function recordVersions(walk: HistoryWalk): RecordVersion[] {
  const versions: RecordVersion[] = [];
  for (const commit of walk.commits) {
    for (const change of commit.changes) {
      if (parseRecordPath(change.relative) === undefined && (change.fromRelative === undefined || parseRecordPath(change.fromRelative) === undefined)) continue;
      const kind = change.status === "D" ? "deleted" : change.status === "R" ? "renamed" : change.status === "A" || change.status === "C" ? "created" : "updated";
      const version: RecordVersion = { commit, relative: change.relative, change: kind };
      if (change.fromRelative !== undefined) version.fromRelative = change.fromRelative;
      const text = walk.blobs.get(change.blob);
      if (kind !== "deleted" && text !== undefined) {
        try {
          version.record = parseRecord(text, `${change.relative} at ${commit.hash.slice(0, 12)}`);
        } catch (error) {
          version.error = error instanceof Error ? error.message : String(error);
        }
      }
      versions.push(version);
    }
  }
  return versions;
}

export function verifyWalk(walk: HistoryWalk, options: VerifyOptions = {}): VerifyResult {
  const problems: AuditProblem[] = [];
  const latest = new Map<string, RecordFile | undefined>();
  const firsts = new Map<string, { record: RecordFile; relative: string; commit: string }>();
  const gone = new Set<string>();
  const add = (kind: ProblemKind, version: RecordVersion, message: string, record?: string): void => {
    problems.push({ kind, record: record ?? version.record?.frontMatter.id ?? parseRecordPath(version.relative)?.id ?? version.relative, path: version.relative, commit: version.commit.hash, message });
  };

  for (const version of recordVersions(walk)) {
    const { relative } = version;
    if (version.change === "deleted") {
      add("deleted", version, `record ${relative} was deleted`);
      gone.add(relative);
      continue;
    }
    if (version.change === "renamed") {
      add("renamed", version, `record renamed from ${version.fromRelative ?? "?"} to ${relative}`, parseRecordPath(version.fromRelative ?? "")?.id);
      if (version.fromRelative !== undefined) gone.add(version.fromRelative);
    }
    if (version.record === undefined) {
      add("invalid", version, version.error ?? "record content missing from the repository");
      latest.set(relative, undefined);
      continue;
    }
    const previous = latest.get(relative);
    if (!latest.has(relative) || version.change === "renamed") {
      if (gone.has(relative)) add("deleted", version, `record ${relative} was re-created after being deleted`);
      for (const p of checkFirstVersion(version.record, parseRecordPath(relative))) add(p.kind, version, p.message);
      const forged = tierForgery(version.record.frontMatter, options.tierPolicy ?? DEFAULT_TIER_POLICY);
      if (forged !== undefined) add("tier", version, `${forged.message}: the record looks forged or was written by hand`);
      const id = version.record.frontMatter.id;
      const other = firsts.get(id);
      if (other !== undefined && other.relative !== relative && version.change !== "renamed") add("invalid", version, `id ${id} is also used by ${other.relative}`);
      else if (other === undefined) firsts.set(id, { record: version.record, relative, commit: version.commit.hash });
    } else if (previous !== undefined) {
      for (const p of checkNextVersion(previous, version.record, options.roles)) add(p.kind, version, p.message);
    }
    latest.set(relative, version.record);
  }

  checkChain(firsts, problems);
  if (options.requireSigned === true) checkSignatures(walk.commits, problems);

  const ok = problems.length === 0;
  const records = firsts.size;
  const commits = walk.commits.length;
  const summary = ok
    ? `audit verify: ${records} records, ${commits} commits, chain intact`
    : `audit verify: ${problems.length} problem(s) in ${records} records, ${commits} commits`;
  return { apiVersion: "aiops.dev/v1", kind: "AuditVerify", ok, records, commits, problems, summary };
}

function checkChain(firsts: Map<string, { record: RecordFile; relative: string; commit: string }>, problems: AuditProblem[]): void {
  const ordered = [...firsts.values()].sort((a, b) => (a.record.frontMatter.id < b.record.frontMatter.id ? -1 : 1));
  let expected = ZERO_SHA256;
  let previousId = "(none: first record)";
  for (const entry of ordered) {
    const fm = entry.record.frontMatter;
    if (fm.prev_record_sha256 !== expected) {
      problems.push({
        kind: "chain",
        record: fm.id,
        path: entry.relative,
        commit: entry.commit,
        message: `broken chain: prev_record_sha256 ${fm.prev_record_sha256.slice(0, 12)} does not match the record before it, ${previousId} (${expected.slice(0, 12)})`,
      });
    }
    expected = fm.content_sha256;
    previousId = fm.id;
  }
}

function checkSignatures(commits: WalkCommit[], problems: AuditProblem[]): void {
  const meaning: Record<string, string> = { N: "unsigned", B: "bad signature", U: "signature of unknown validity", X: "expired signature", Y: "signature by an expired key", R: "signature by a revoked key", E: "signature cannot be checked (unknown key or missing allowed-signers file)" };
  for (const commit of commits) {
    if (commit.signature === "G") continue;
    const first = commit.changes[0];
    problems.push({
      kind: "unsigned",
      record: first === undefined ? "-" : (parseRecordPath(first.relative)?.id ?? first.relative),
      path: first?.relative ?? "-",
      commit: commit.hash,
      message: `commit ${commit.hash.slice(0, 12)} by ${commit.author}: ${meaning[commit.signature ?? "N"] ?? `signature status ${commit.signature ?? "?"}`}`,
    });
  }
}
