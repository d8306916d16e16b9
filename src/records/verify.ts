import { listed, ROLE_SECURITY_REVIEWER, type PolicyRoles } from "../policy/approval-rule.ts";
import { defaultPolicy, parsePolicy, POLICY_FILE, tierPolicyOf, type Policy } from "../policy/policy-file.ts";
import type { Tier } from "../policy/tiers.ts";
import type { Approval, FrontMatter } from "./schema.ts";
import type { CommitSignature } from "./signatures.ts";
import { parseRecord, type RecordFile } from "./record-file.ts";
import type { HistoryWalk, WalkCommit } from "./git-walk.ts";
import { ZERO_SHA256 } from "./hash.ts";
import { idTime, isFutureId } from "./ids.ts";
import { parseRecordPath } from "./paths.ts";
import { judgedTier, tierForgery } from "./tier-check.ts";
import { checkFirstVersion, checkNextVersion, type ProblemKind } from "./versions.ts";

/**
 * `audit verify`, pure (docs/records.md, what audit verify checks; docs/trust.md): judges a walk
 * of the git history of the history folder, the policy file and the allowed signers (git-walk.ts),
 * commit by commit, each with the policy in force at its parent. Every record's first committed
 * version must hash to its content_sha256 and be authored by the record's git identity; later
 * versions may only append (versions.ts); no record may be deleted or renamed; the chain of
 * prev_record_sha256 in id order must be unbroken; tiers are recomputed from the action
 * (tier-check.ts); every decision is re-judged by the policy of its time; `.aiops.yaml` changes
 * only through `policy apply`; merges touching audited files are reported; and when signing is
 * required, every commit carries a good signature (signatures.ts) by the right key.
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
  /** Every commit must carry a good signature, whatever the policy of the time says (--require-signed). */
  requireSigned?: boolean;
  /** The policy before the first commit of the walk; the defaults when absent. Each version of the policy file in the walk replaces it for the commits after. */
  policy?: Policy;
  /** Repository-relative path of the policy file (`.aiops.yaml`). */
  policyPath?: string;
  /** Repository-relative path of the allowed-signers file the policy names. */
  signersPath?: string;
  /** Signature status of each commit (signatures.ts); needed when signing is required. */
  signatures?: ReadonlyMap<string, CommitSignature>;
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
  const futureIds = new Set<string>();
  const policyChanges: PolicyFileChange[] = [];
  const policyPath = options.policyPath ?? POLICY_FILE;
  let policy = options.policy ?? defaultPolicy();
  let policyText = "";
  let recordsSeen = false;

  for (const commit of walk.commits) {
    const inForce = policy;
    const tierPolicy = tierPolicyOf(inForce);
    const signing = options.requireSigned === true || inForce.requireSigned;
    const signature = options.signatures?.get(commit.hash);
    const at = (kind: ProblemKind, version: Pick<RecordVersion, "relative" | "record">, message: string, record?: string): void => {
      problems.push({ kind, record: record ?? version.record?.frontMatter.id ?? parseRecordPath(version.relative)?.id ?? version.relative, path: version.relative, commit: commit.hash, message });
    };
    if (signing && signature?.status !== "G") {
      const first = commit.changes[0];
      at("unsigned", { relative: first?.relative ?? "-" }, `commit ${commit.hash.slice(0, 12)} by ${commit.author}: ${SIGNATURE_MEANING[signature?.status ?? "N"] ?? `signature status ${signature?.status ?? "?"}`}`, first === undefined ? "-" : undefined);
    }
    if (commit.parents.length > 1 && (commit.changes.length > 0 || (commit.otherParentChanges ?? []).length > 0)) {
      const vsFirst = commit.changes.map((c) => c.relative);
      at("merge", { relative: vsFirst[0] ?? commit.otherParentChanges?.[0] ?? "-" }, `merge commit ${commit.hash.slice(0, 12)} changes audited files (against its first parent: ${vsFirst.join(", ") || "none"}; against its other parent(s): ${(commit.otherParentChanges ?? []).join(", ") || "none"}): records are written one commit at a time, and a merge can carry edits no single commit shows; inspect it with git show -m ${commit.hash.slice(0, 12)}`, "-");
    }

    for (const change of commit.changes) {
      if (change.extra !== true) continue;
      const text = /^0+$/.test(change.blob) ? "" : (walk.blobs.get(change.blob) ?? "");
      if (change.relative === policyPath) {
        if (recordsSeen) policyChanges.push({ commit: commit.hash, before: policyText, after: text });
        policyText = text;
        try {
          policy = text === "" ? defaultPolicy() : parsePolicy(text, `${policyPath} at ${commit.hash.slice(0, 12)}`);
        } catch (error) {
          at("policy", { relative: policyPath }, `${error instanceof Error ? error.message : String(error)}: the previous policy stays in force for the audit`, policyPath);
        }
      } else if (change.relative === options.signersPath && recordsSeen && signing) {
        // A new key vouches for every later commit: only a security reviewer's key in force may add one.
        const signer = signature?.status === "G" ? signature.signer : undefined;
        if (signer === undefined || !inForce.securityReviewers.includes(signer)) {
          at("signers", { relative: change.relative }, `the allowed-signers file ${change.relative} was changed by a commit ${signer === undefined ? "not signed by a known key" : `signed by ${signer}, who is not a security reviewer of the policy in force`}: a change of the signers must be signed by a security reviewer's key already in force`, change.relative);
        }
      }
    }

    for (const version of versionsOf(commit, walk)) {
      const { relative } = version;
      if (version.change === "deleted") {
        at("deleted", version, `record ${relative} was deleted`);
        gone.add(relative);
        continue;
      }
      if (version.change === "renamed") {
        at("renamed", version, `record renamed from ${version.fromRelative ?? "?"} to ${relative}`, parseRecordPath(version.fromRelative ?? "")?.id);
        if (version.fromRelative !== undefined) gone.add(version.fromRelative);
      }
      if (version.record === undefined) {
        at("invalid", version, version.error ?? "record content missing from the repository");
        latest.set(relative, undefined);
        continue;
      }
      const record = version.record;
      const fm = record.frontMatter;
      const previous = latest.get(relative);
      if (!latest.has(relative) || version.change === "renamed") {
        if (gone.has(relative)) at("deleted", version, `record ${relative} was re-created after being deleted`);
        for (const p of checkFirstVersion(record, parseRecordPath(relative))) at(p.kind, version, p.message);
        const forged = tierForgery(fm, tierPolicy);
        if (forged !== undefined) at("tier", version, `${forged.message}: the record looks forged or was written by hand`);
        for (const message of authorProblems(fm, commit)) at("author", version, message);
        if (signing && signature?.status === "G" && !principalsOf(fm).includes(signature.signer ?? "")) {
          at("unsigned", version, `record created by ${fm.user.cluster} (git ${fm.user.git}) but commit ${commit.hash.slice(0, 12)} is signed by ${signature.signer ?? "?"}: the key does not belong to the identity the record names`);
        }
        const id = fm.id;
        if (isFutureId(id, Date.parse(commit.date))) {
          at("invalid", version, `id ${id} is dated ${new Date(idTime(id)).toISOString()}, more than a day after its commit (${commit.date}): no clock of kubectl aiops made it; it is left out of the chain`);
          futureIds.add(id);
        }
        const other = firsts.get(id);
        if (other !== undefined && other.relative !== relative && version.change !== "renamed") at("invalid", version, `id ${id} is also used by ${other.relative}`);
        else if (other === undefined) firsts.set(id, { record, relative, commit: commit.hash });
        recordsSeen = true;
      } else if (previous !== undefined) {
        const tier = judgedTier(fm, tierPolicy);
        for (const p of checkNextVersion(previous, record, rolesOf(inForce), tier)) at(p.kind, version, p.message);
        const added = fm.approvals.slice(previous.frontMatter.approvals.length);
        for (const message of judgeApprovals(fm, added, inForce, tier)) at("approval", version, message);
        if (signing && signature?.status === "G") {
          for (const approval of added) {
            if (approval.identity !== signature.signer) at("unsigned", version, `the ${approval.decision} decision by ${approval.identity} is in commit ${commit.hash.slice(0, 12)} signed by ${signature.signer ?? "?"}: a decision counts only when signed by its approver's own key`);
          }
        }
      }
      latest.set(relative, record);
    }
  }

  checkChain(new Map([...firsts].filter(([id]) => !futureIds.has(id))), problems);
  checkPolicyChanges(policyChanges, latest, policyPath, problems);

  const ok = problems.length === 0;
  const records = firsts.size;
  const commits = walk.commits.length;
  const summary = ok
    ? `audit verify: ${records} records, ${commits} commits, chain intact`
    : `audit verify: ${problems.length} problem(s) in ${records} records, ${commits} commits`;
  return { apiVersion: "aiops.dev/v1", kind: "AuditVerify", ok, records, commits, problems, summary };
}

const SIGNATURE_MEANING: Record<string, string> = {
  N: "unsigned",
  B: "bad signature",
  U: "signed by a key that no allowed-signers line in force names",
  X: "expired signature",
  Y: "signature by an expired key",
  R: "signature by a revoked key",
  E: "signature cannot be checked (missing allowed-signers file or unknown key)",
};

interface PolicyFileChange {
  commit: string;
  before: string;
  after: string;
}

/** The record versions of one commit, in the order git listed its changes. */
function versionsOf(commit: WalkCommit, walk: HistoryWalk): RecordVersion[] {
  return recordVersions({ commits: [commit], blobs: walk.blobs });
}

function rolesOf(policy: Policy): PolicyRoles {
  return { approvers: policy.approvers, securityReviewers: policy.securityReviewers };
}

/** Who may sign a record's first commit: its cluster identity, or the e-mail of its git identity. */
function principalsOf(fm: FrontMatter): string[] {
  const email = /<([^>]*)>/.exec(fm.user.git)?.[1];
  return [fm.user.cluster, ...(email === undefined || email === "" ? [] : [email])].filter((p) => p !== "unknown");
}

/** The commit that first wrote a record is authored and committed by the git identity the record names. */
function authorProblems(fm: FrontMatter, commit: WalkCommit): string[] {
  if (fm.user.git === "unknown") return [];
  const out: string[] = [];
  if (commit.author !== fm.user.git) out.push(`commit ${commit.hash.slice(0, 12)} is authored by ${commit.author}, but the record names ${fm.user.git}: written under someone else's name`);
  if (commit.committer !== "" && commit.committer !== fm.user.git) out.push(`commit ${commit.hash.slice(0, 12)} is committed by ${commit.committer}, but the record names ${fm.user.git}`);
  return out;
}

/**
 * Each decision appended, re-judged by the policy in force when it was committed: the approver
 * named by it (by name, or through a group recorded from the API server), the role it claims,
 * no self-approval where the tier forbids it, inside the decision window.
 */
export function judgeApprovals(fm: FrontMatter, added: readonly Approval[], policy: Policy, tier: Tier): string[] {
  const out: string[] = [];
  for (const approval of added) {
    const who = approval.identity;
    const groups = approval.groups ?? [];
    if (approval.decision === "approved") {
      const security = listed(policy.securityReviewers, who, groups);
      if (!security && !listed(policy.approvers, who, groups)) {
        out.push(`approval by ${who}${groups.length === 0 ? "" : ` (groups ${groups.join(", ")})`}: the policy in force names no such approver (approvers: ${policy.approvers.join(", ") || "none"}; securityReviewers: ${policy.securityReviewers.join(", ") || "none"})`);
      } else if (approval.role === ROLE_SECURITY_REVIEWER && !security) {
        out.push(`approval by ${who} claims the security-reviewer role, which the policy in force does not give them`);
      }
      if ((tier === "medium" || tier === "critical") && who === fm.user.cluster) out.push(`approval by ${who}, who proposed ${fm.id}: a ${tier} change may not be approved by its proposer`);
    } else if (who !== fm.user.cluster && !listed(policy.approvers, who, groups) && !listed(policy.securityReviewers, who, groups)) {
      // Only the proposer may withdraw without a role (the gate's rule).
      out.push(`rejection by ${who}: the policy in force names no such approver, and only the proposer may reject without a role`);
    }
    const window = fm.window;
    if (window !== undefined && (approval.at < window.opened || approval.at > window.expires)) {
      out.push(`the ${approval.decision} decision by ${who} at ${approval.at} is outside the window ${window.opened} to ${window.expires}`);
    }
  }
  return out;
}

/**
 * After the first record, `.aiops.yaml` changes only through `policy apply`: the new content is the
 * `action.patch` of a policy record, diffed against the content it replaced, and that record was
 * applied by exactly this commit (its "applied" event names it).
 */
function checkPolicyChanges(changes: readonly PolicyFileChange[], latest: Map<string, RecordFile | undefined>, policyPath: string, problems: AuditProblem[]): void {
  const applied = [...latest.values()].filter((r): r is RecordFile => r !== undefined && r.frontMatter.stage === "policy" && r.frontMatter.status === "applied");
  for (const change of changes) {
    const source = applied.find((r) => {
      const fm = r.frontMatter;
      return fm.action?.patch === change.after && fm.action.rollback === change.before && fm.events.some((e) => e.type === "applied" && (e.detail ?? "").includes(change.commit));
    });
    if (source !== undefined) continue;
    problems.push({
      kind: "policy",
      record: policyPath,
      path: policyPath,
      commit: change.commit,
      message: `${policyPath} was changed by commit ${change.commit.slice(0, 12)} outside policy apply (no approved policy record applied this content by this commit): revert it (git revert ${change.commit.slice(0, 12)}) and propose the change with kubectl aiops policy propose FILE`,
    });
  }
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
