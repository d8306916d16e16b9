import { checkApprovals, type PolicyRoles } from "../policy/approval-rule.ts";
import { TIERS, type Tier } from "../policy/tiers.ts";
import type { RecordFile } from "./record-file.ts";
import { canonicalJson, contentSha256, immutableFrontMatter } from "./hash.ts";
import { INITIAL_STATUS, isLegalTransition, requiresApproval } from "./status.ts";

/**
 * The rules between two versions of one record (docs/records.md, what may change), pure: `audit verify`
 * applies them to every pair of consecutive committed versions, `appendToRecord` to the version
 * it is about to write, recovery to an uncommitted change.
 */

export type ProblemKind = "invalid" | "edited" | "deleted" | "renamed" | "transition" | "chain" | "approval" | "unsigned" | "tier" | "author" | "policy" | "merge" | "signers" | "witness";

export interface VersionProblem {
  kind: ProblemKind;
  message: string;
}

/** Checks a record as first written: its hash, its initial status. */
export function checkFirstVersion(record: RecordFile, expectedName?: { id: string; stage: string }): VersionProblem[] {
  const fm = record.frontMatter;
  const problems: VersionProblem[] = [];
  if (expectedName !== undefined && (expectedName.id !== fm.id || expectedName.stage !== fm.stage)) {
    problems.push({ kind: "invalid", message: `file name says ${expectedName.id} (${expectedName.stage}) but front matter says ${fm.id} (${fm.stage})` });
  }
  const computed = contentSha256(fm, record.body);
  if (computed !== fm.content_sha256) {
    problems.push({ kind: "edited", message: `content_sha256 does not match the record as first committed (recorded ${fm.content_sha256.slice(0, 12)}, computed ${computed.slice(0, 12)}): edited before its first commit` });
  }
  if (fm.status !== INITIAL_STATUS[fm.stage]) {
    problems.push({ kind: "transition", message: `a new ${fm.stage} must start as "${INITIAL_STATUS[fm.stage]}", not "${fm.status}"` });
  }
  return problems;
}

/**
 * Checks that `next` only appends to `previous` and moves its status legally. `tier` is the tier
 * to judge approvals against (audit verify passes the recomputed one); the recorded tier otherwise.
 */
export function checkNextVersion(previous: RecordFile, next: RecordFile, roles?: PolicyRoles, tier?: Tier): VersionProblem[] {
  const a = previous.frontMatter;
  const b = next.frontMatter;
  const problems: VersionProblem[] = [];
  const changed = changedKeys(immutableFrontMatter(a), immutableFrontMatter(b));
  if (a.content_sha256 !== b.content_sha256) changed.push("content_sha256");
  if (changed.length > 0) problems.push({ kind: "edited", message: `immutable field(s) changed: ${changed.join(", ")}` });
  if (!next.body.startsWith(previous.body)) problems.push({ kind: "edited", message: `body edited: a later version may only append sections at the end (${firstDifference(previous.body, next.body)})` });
  if (!isPrefix(a.approvals, b.approvals)) problems.push({ kind: "edited", message: "approvals rewritten: earlier approvals may not change or disappear" });
  if (!isPrefix(a.events, b.events)) problems.push({ kind: "edited", message: "events rewritten: earlier events may not change or disappear" });
  if (!isLegalTransition(b.stage, a.status, b.status)) problems.push({ kind: "transition", message: `illegal status transition ${a.status} -> ${b.status} for a ${b.stage}` });
  else if (a.status !== b.status && requiresApproval(b.stage, b.status) && !requiresApproval(a.stage, a.status)) {
    const check = checkApprovals(tier ?? effectiveTier(b.tier), b.user.cluster, b.approvals, roles);
    if (!check.ok) problems.push({ kind: "approval", message: `${a.status} -> ${b.status} without the approvals its tier needs: ${check.reason}` });
  }
  return problems;
}

/** A record without a tier is judged by the strictest rule. */
export function effectiveTier(tier: Tier | undefined): Tier {
  return tier ?? TIERS[TIERS.length - 1] ?? "critical";
}

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => canonicalJson(a[key]) !== canonicalJson(b[key])).sort();
}

function isPrefix(before: readonly unknown[], after: readonly unknown[]): boolean {
  return before.length <= after.length && before.every((item, i) => canonicalJson(item) === canonicalJson(after[i]));
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const line = a.slice(0, i).split("\n").length;
  return `first difference at body line ${line}`;
}
