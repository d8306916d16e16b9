/**
 * The approval gate (docs/policy.md, approval rules), pure: no I/O, no clock. Its only inputs are the
 * record's front matter, the identity the API server authenticated, and the policy file; nothing
 * read from logs, events or an LLM reaches it, so nothing of that kind can approve a change.
 * Whether the tier's rule is met is judged by `checkApprovals`, the function `audit verify` uses.
 */
// Layering: the gate works on records (front matter, windows, effective tier), so it sits above
// records/ and policy/ in its own pure folder, not in app/ (the I/O shell); moved from
// policy/gate.ts, where it made a cycle policy <-> records. It imports only pure records files.
import { checkApprovals, ROLE_APPROVER, ROLE_SECURITY_REVIEWER, type ApprovalCheck } from "../policy/approval-rule.ts";
import type { Policy } from "../policy/policy-file.ts";
import { DEFAULT_TIER_POLICY, type Tier } from "../policy/tiers.ts";
import type { Approval, FrontMatter, RecordEvent } from "../records/schema.ts";
import { isWindowOpen } from "../records/status.ts";
import { judgedTier, tierForgery } from "../records/tier-check.ts";
import { effectiveTier } from "../records/versions.ts";

export type GateDecision = "approve" | "reject";
export type PolicyRole = "approver" | "security-reviewer" | "both" | "none";

/** The authenticated identity (SelfSubjectReview), never a name the user typed. */
export interface GateIdentity {
  username: string;
  groups: readonly string[];
}

/** `protectedNamespaces` recomputes the record's tier (the defaults when absent). */
export type GatePolicy = Pick<Policy, "approvers" | "securityReviewers"> & Partial<Pick<Policy, "protectedNamespaces">>;

/** The tier approvals are judged against: recomputed from the record's action, never lower than it (tier-check.ts). */
function tierOf(input: Pick<GateInput, "record" | "policy">): Tier {
  return judgedTier(input.record, { protectedNamespaces: input.policy.protectedNamespaces ?? DEFAULT_TIER_POLICY.protectedNamespaces });
}

export interface GateInput {
  record: FrontMatter;
  decision: GateDecision;
  identity: GateIdentity;
  /** Recorded beside the cluster identity, in the event and the Decision section. */
  gitIdentity?: string | undefined;
  comment?: string | undefined;
  now: Date;
  policy: GatePolicy;
}

/** The status change and event that expire a proposal; the caller appends it to the record. */
export interface Expiry {
  status: "expired";
  events: RecordEvent[];
  bodyAppend: string;
}

export interface Refusal {
  kind: "refused";
  reason: string;
  /** What to do next. */
  hint: string;
  /** Set when the window has passed: the caller records the expiry, then refuses. */
  expire?: Expiry;
}

/** Trivial tier: no approval needed, nothing recorded. */
export interface Note {
  kind: "note";
  message: string;
}

export interface Recorded {
  kind: "record";
  approval: Approval;
  role: PolicyRole;
  /** "approved" exactly when checkApprovals is met with this approval; "rejected" on reject; else "proposed". */
  status: string;
  event: RecordEvent;
  /** The `## Decision` text appended to the body. */
  bodyAppend: string;
  check: ApprovalCheck;
  /** What the tier still needs; undefined once the rule is met or after a rejection. */
  missing: string | undefined;
}

export type GateResult = Recorded | Refusal | Note;

/** store.ts has the same `utcSeconds`; importing it would pull git and fs into this pure module. */
function utc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** An entry of approvers/securityReviewers matches the user name or, as `group:NAME`, a group. */
function listed(entries: readonly string[], identity: GateIdentity): boolean {
  return entries.some((e) => (e.startsWith("group:") ? identity.groups.includes(e.slice("group:".length)) : e === identity.username));
}

/** The identity's groups that a `group:NAME` entry of the policy names: recorded so `audit verify` can re-judge the role. */
function grantingGroups(identity: GateIdentity, policy: GatePolicy): string[] {
  const named = new Set([...policy.approvers, ...policy.securityReviewers].filter((e) => e.startsWith("group:")).map((e) => e.slice("group:".length)));
  return [...new Set(identity.groups)].filter((g) => named.has(g)).sort();
}

export function roleOf(identity: GateIdentity, policy: GatePolicy): PolicyRole {
  const approver = listed(policy.approvers, identity);
  const security = listed(policy.securityReviewers, identity);
  return approver && security ? "both" : security ? "security-reviewer" : approver ? "approver" : "none";
}

/**
 * The role written into the approval. checkApprovals counts a security reviewer as an approver
 * too, so "both" is recorded as security-reviewer: one vote that satisfies both halves.
 */
function recordedRole(role: PolicyRole): string {
  return role === "approver" ? ROLE_APPROVER : role === "none" ? "none" : ROLE_SECURITY_REVIEWER;
}

function roleText(role: PolicyRole): string {
  return role === "both" ? "approver, security reviewer" : role === "security-reviewer" ? "security reviewer" : role;
}

/** A proposal whose window has passed while it was still open: the expiry to record. */
export function expireIfDue(record: FrontMatter, now: Date): Expiry | undefined {
  if (record.window === undefined || !isWindowOpen(record.stage, record.status)) return undefined;
  const expires = Date.parse(record.window.expires);
  if (Number.isNaN(expires) || expires > now.getTime()) return undefined;
  const detail = `window closed at ${record.window.expires} while ${record.status}; it can no longer be approved or applied`;
  return { status: "expired", events: [{ at: utc(now), type: "expired", detail }], bodyAppend: `## Decision\n\n- ${utc(now)} **expired**: ${detail}\n` };
}

type Rule = (input: GateInput, role: PolicyRole) => Refusal | undefined;

const refuse = (reason: string, hint: string): Refusal => ({ kind: "refused", reason, hint });

const knownIdentity: Rule = ({ identity }) =>
  identity.username.trim() === "" || identity.username === "unknown" ? refuse("the API server did not say who you are (SelfSubjectReview gave no user name)", "check your credentials with: kubectl auth whoami") : undefined;

const decidableStage: Rule = ({ record }) =>
  record.stage === "proposal" || record.stage === "policy" ? undefined : refuse(`record ${record.id} is a ${record.stage}: only proposals and policy changes take approvals`, "kubectl aiops list --stage proposal shows the proposals");

const windowOpen: Rule = ({ record, now }) => {
  const expire = expireIfDue(record, now);
  if (expire === undefined) return undefined;
  return { ...refuse(`record ${record.id} expired: its ${record.tier ?? "decision"} window closed at ${record.window?.expires ?? "?"}`, "propose the change again (kubectl aiops propose ...) and decide within the window"), expire };
};

const stillProposed: Rule = ({ record }) => {
  if (record.status === "proposed") return undefined;
  const why = record.status === "approved" ? "it is already approved; no more approvals are needed" : `its status is "${record.status}"${["rejected", "expired"].includes(record.status) ? ", which is final" : ""}`;
  return refuse(`no decision recorded on ${record.id}: ${why}`, record.status === "approved" ? `apply it with: kubectl aiops ${record.stage === "policy" ? "policy apply" : "apply"} ${record.id}` : "only a proposed record takes approvals or rejections; kubectl aiops show RECORD tells its story");
};

const hasRole: Rule = ({ record, decision, identity, policy }, role) => {
  if (role !== "none") return undefined;
  // The proposer may withdraw their own proposal without a role: a rejection can only stop a change.
  if (decision === "reject" && identity.username === record.user.cluster) return undefined;
  const approvers = policy.approvers.length === 0 ? "none" : policy.approvers.join(", ");
  const reviewers = policy.securityReviewers.length === 0 ? "none" : policy.securityReviewers.join(", ");
  return refuse(`user ${identity.username} is not an approver in .aiops.yaml (approvers: ${approvers}; securityReviewers: ${reviewers})`, "ask one of them to decide, or change the policy through kubectl aiops policy propose (a critical-tier decision)");
};

const notDuplicate: Rule = ({ record, identity }) =>
  record.approvals.some((a) => a.identity === identity.username && a.decision === "approved")
    ? refuse(`${identity.username} already approved ${record.id}: the same person counts once`, missingHint(record))
    : undefined;

const notSelf: Rule = (input) => {
  const { record, identity } = input;
  const tier = tierOf(input);
  if ((tier !== "medium" && tier !== "critical") || identity.username !== record.user.cluster) return undefined;
  return refuse(`${identity.username} proposed ${record.id} and may not approve it: the ${tier} tier needs approvers other than the proposer`, missingHint(record));
};

const dryRunPassed: Rule = (input) => {
  const { record } = input;
  const tier = tierOf(input);
  // A policy change has no server-side dry run; a cluster change of medium or above needs one that passed.
  if (record.stage !== "proposal" || (tier !== "medium" && tier !== "critical")) return undefined;
  const result = record.action?.dryRun?.result ?? "missing";
  if (result === "passed") return undefined;
  return refuse(`the server-side dry run of ${record.id} ${result === "missing" ? "is missing" : result}${record.action?.dryRun?.message === undefined ? "" : ` (${record.action.dryRun.message})`}: a ${tier} change needs a passing dry run`, "fix the cause and propose the change again; the new proposal re-runs the dry run");
};

const COMMON_RULES: readonly Rule[] = [knownIdentity, decidableStage, windowOpen, stillProposed, hasRole];
const APPROVE_RULES: readonly Rule[] = [notDuplicate, notSelf, dryRunPassed];

export function decide(input: GateInput): GateResult {
  const role = roleOf(input.identity, input.policy);
  for (const rule of COMMON_RULES) {
    const refusal = rule(input, role);
    if (refusal !== undefined) return refusal;
  }
  const { record, identity, now } = input;
  const forged = tierForgery(record, { protectedNamespaces: input.policy.protectedNamespaces ?? DEFAULT_TIER_POLICY.protectedNamespaces });
  if (input.decision === "approve" && forged !== undefined) {
    return refuse(`${record.id} records tier ${forged.recorded}, but its action (${forged.computed.action}) is ${forged.computed.tier} tier: the record looks forged or was written by hand`, "reject it (kubectl aiops reject), run kubectl aiops audit verify, and propose the change again");
  }
  const tier = tierOf(input);
  if (input.decision === "approve" && tier === "trivial") {
    return { kind: "note", message: `${record.id} is trivial tier: no approval needed (it is logged); nothing recorded` };
  }
  if (input.decision === "approve") {
    for (const rule of APPROVE_RULES) {
      const refusal = rule(input, role);
      if (refusal !== undefined) return refusal;
    }
  }
  const decided = input.decision === "approve" ? "approved" : "rejected";
  const approval: Approval = { identity: identity.username, role: role === "none" ? "proposer" : recordedRole(role), decision: decided, at: utc(now) };
  if (input.comment !== undefined && input.comment.trim() !== "") approval.comment = input.comment.trim();
  const granting = grantingGroups(identity, input.policy);
  if (granting.length > 0) approval.groups = granting;
  const approvals = [...record.approvals, approval];
  const check = checkApprovals(tier, record.user.cluster, approvals);
  const status = decided === "rejected" ? "rejected" : check.ok ? "approved" : "proposed";
  const missing = status === "proposed" ? describeMissing(tier, record.user.cluster, approvals, input.policy) : undefined;
  const who = `${identity.username} (${role === "none" ? "proposer" : roleText(role)})${input.gitIdentity === undefined ? "" : `, git ${input.gitIdentity}`}`;
  const outcome = status === "approved" ? `rule met: ${check.reason}` : status === "rejected" ? "rejected is final" : (missing ?? "");
  const detail = `${decided} by ${who}; ${outcome}${approval.comment === undefined ? "" : `; comment: ${approval.comment}`}`;
  const event: RecordEvent = { at: approval.at, type: status === "proposed" ? "approval" : status, detail };
  const bodyAppend = `## Decision\n\n- ${approval.at} **${decided}** by ${who}${approval.comment === undefined ? "" : `: ${approval.comment}`}\n- status: ${status} (${outcome})\n`;
  return { kind: "record", approval, role, status, event, bodyAppend, check, missing };
}

/**
 * What the tier still needs, in words: "1 more approval needed: a security reviewer other than
 * alice (proposer), bob". Candidates from the policy are named when there are any left.
 */
export function describeMissing(tier: Tier, proposer: string, approvals: readonly Approval[], policy: GatePolicy): string | undefined {
  if (checkApprovals(tier, proposer, approvals).ok) return undefined;
  const approved = [...new Set(approvals.filter((a) => a.decision === "approved").map((a) => a.identity))];
  const others = approved.filter((i) => i !== proposer);
  const security = others.some((i) => approvals.some((a) => a.identity === i && a.decision === "approved" && a.role === ROLE_SECURITY_REVIEWER));
  const excluded = [`${proposer} (proposer)`, ...others].join(", ");
  // At the low tier the proposer may approve: only the medium and critical rules exclude them.
  const candidates = (list: readonly string[]): string => {
    const left = list.filter((n) => (n !== proposer || tier === "low") && !others.includes(n));
    return left.length === 0 ? "" : ` (${left.join(", ")})`;
  };
  const anyApprover = [...policy.approvers, ...policy.securityReviewers.filter((n) => !policy.approvers.includes(n))];
  switch (tier) {
    case "trivial":
      return undefined;
    case "low":
      return `1 approval needed: an approver${candidates(anyApprover)}`;
    case "medium":
      return `1 approval needed: an approver other than ${excluded}${candidates(anyApprover)}`;
    case "critical": {
      const needed = Math.max(2 - others.length, security ? 0 : 1);
      const what = security
        ? `an approver other than ${excluded}${candidates(anyApprover)}`
        : others.length === 0
          ? `2 approvers other than ${excluded}, at least one a security reviewer${candidates(policy.securityReviewers)}`
          : `a security reviewer other than ${excluded}${candidates(policy.securityReviewers)}`;
      return `${needed} more approval${needed === 1 ? "" : "s"} needed: ${what}`;
    }
  }
}

function missingHint(record: FrontMatter): string {
  return `kubectl aiops show ${record.id} lists the approvals so far; the ${effectiveTier(record.tier)} tier rule is in docs/policy.md (approval rules)`;
}
