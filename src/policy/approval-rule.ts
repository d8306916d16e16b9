// Layering: policy/tiers.ts and this file are the bottom layer (no project imports), so records/
// (versions, timing, verify) can judge approvals without importing the gate; moved here from
// records/approvals-rule.ts to break the cycle policy <-> records.
import type { Tier } from "./tiers.ts";

/**
 * The approval rule of each tier (docs/policy.md, approval rules), as a pure function so `approve`,
 * `appendToRecord` and `audit verify` judge alike:
 *   trivial  none (logged)
 *   low      1 approver
 *   medium   1 approver who is not the proposer
 *   critical 2 distinct approvers, neither the proposer, at least one a security reviewer
 * Roles are those recorded in each approval; when the policy's lists are given, an identity must
 * also be on them, by name or through a `group:NAME` entry and a group recorded in the approval
 * (the groups the API server reported at approval time). Only "approved" decisions count, and an
 * "unknown" identity never does.
 */

export const ROLE_APPROVER = "approver";
export const ROLE_SECURITY_REVIEWER = "security-reviewer";

export interface ApprovalVote {
  identity: string;
  role: string;
  decision: string;
  /** Groups recorded at approval time through which a `group:` entry names the approver. */
  groups?: readonly string[] | undefined;
}

export interface PolicyRoles {
  approvers?: readonly string[];
  securityReviewers?: readonly string[];
}

export interface ApprovalCheck {
  ok: boolean;
  /** What the tier needs, and what is missing when not ok. */
  reason: string;
  /** Identities whose approval counted. */
  counted: string[];
}

export function checkApprovals(tier: Tier, proposer: string, approvals: readonly ApprovalVote[], roles?: PolicyRoles): ApprovalCheck {
  const votes = distinctApprovers(approvals, roles);
  const others = votes.filter((v) => v.identity !== proposer);
  switch (tier) {
    case "trivial":
      return { ok: true, reason: "trivial tier: no approval needed (logged)", counted: votes.map((v) => v.identity) };
    case "low":
      return result(votes.length >= 1, "low tier needs 1 approver", votes, "no approver approved");
    case "medium":
      return result(others.length >= 1, `medium tier needs 1 approver who is not the proposer (${proposer})`, others, votes.length > 0 ? "only the proposer approved" : "no approver approved");
    case "critical": {
      const security = others.filter((v) => v.security);
      const missing = others.length < 2 ? `${others.length} approver(s) other than the proposer approved` : "none of them is a security reviewer";
      return result(others.length >= 2 && security.length >= 1, `critical tier needs 2 distinct approvers, neither the proposer (${proposer}), at least one a security reviewer`, others, missing);
    }
  }
}

function result(ok: boolean, need: string, counted: { identity: string }[], missing: string): ApprovalCheck {
  return { ok, reason: ok ? need : `${need}: ${missing}`, counted: counted.map((v) => v.identity) };
}

function distinctApprovers(approvals: readonly ApprovalVote[], roles: PolicyRoles | undefined): { identity: string; security: boolean }[] {
  const byIdentity = new Map<string, boolean>();
  for (const vote of approvals) {
    const identity = vote.identity.trim();
    if (vote.decision !== "approved" || identity === "" || identity === "unknown") continue;
    const groups = vote.groups ?? [];
    const security = vote.role === ROLE_SECURITY_REVIEWER && listed(roles?.securityReviewers, identity, groups);
    const approver = security || (vote.role === ROLE_APPROVER && (listed(roles?.approvers, identity, groups) || listed(roles?.securityReviewers ?? [], identity, groups)));
    if (approver) byIdentity.set(identity, (byIdentity.get(identity) ?? false) || security);
  }
  return [...byIdentity].map(([identity, security]) => ({ identity, security }));
}

/**
 * Whether a policy list admits an identity: by name, or by a `group:NAME` entry for a group the
 * approval recorded (what the API server reported when it was given). No list: roles as recorded.
 */
export function listed(list: readonly string[] | undefined, identity: string, groups: readonly string[] = []): boolean {
  return list === undefined || list.includes(identity) || groups.some((g) => list.includes(`group:${g}`));
}
