import { describe, expect, it } from "vitest";
import { checkApprovals, type ApprovalVote } from "../../../src/policy/approval-rule.ts";

const approve = (identity: string, role = "approver"): ApprovalVote => ({ identity, role, decision: "approved" });
const reject = (identity: string): ApprovalVote => ({ identity, role: "approver", decision: "rejected" });

describe("checkApprovals (docs/policy.md, approval rules)", () => {
  it.each([
    { name: "trivial needs nothing", tier: "trivial", approvals: [], ok: true },
    { name: "low: one approver", tier: "low", approvals: [approve("bob")], ok: true },
    { name: "low: none", tier: "low", approvals: [], ok: false },
    { name: "low: the proposer may approve", tier: "low", approvals: [approve("alice")], ok: true },
    { name: "low: a rejection is no approval", tier: "low", approvals: [reject("bob")], ok: false },
    { name: "low: an unknown identity does not count", tier: "low", approvals: [approve("unknown")], ok: false },
    { name: "low: a role that is not an approver", tier: "low", approvals: [approve("bob", "viewer")], ok: false },
    { name: "medium: one approver, not the proposer", tier: "medium", approvals: [approve("bob")], ok: true },
    { name: "medium: only the proposer", tier: "medium", approvals: [approve("alice")], ok: false },
    { name: "critical: two approvers, one security reviewer", tier: "critical", approvals: [approve("bob"), approve("sec", "security-reviewer")], ok: true },
    { name: "critical: two approvers, no security reviewer", tier: "critical", approvals: [approve("bob"), approve("carol")], ok: false },
    { name: "critical: one security reviewer alone", tier: "critical", approvals: [approve("sec", "security-reviewer")], ok: false },
    { name: "critical: the same person twice", tier: "critical", approvals: [approve("sec", "security-reviewer"), approve("sec")], ok: false },
    { name: "critical: the proposer as second approver", tier: "critical", approvals: [approve("sec", "security-reviewer"), approve("alice")], ok: false },
    { name: "critical: the proposer as security reviewer", tier: "critical", approvals: [approve("bob"), approve("alice", "security-reviewer")], ok: false },
  ] as const)("$name", ({ tier, approvals, ok }) => {
    const check = checkApprovals(tier, "alice", approvals);
    expect(check.ok).toBe(ok);
    expect(check.reason).toContain(tier);
  });

  it("with the policy's lists, a recorded role alone is not enough", () => {
    const roles = { approvers: ["bob"], securityReviewers: ["sec"] };
    expect(checkApprovals("medium", "alice", [approve("mallory")], roles).ok).toBe(false);
    expect(checkApprovals("medium", "alice", [approve("bob")], roles).ok).toBe(true);
    expect(checkApprovals("critical", "alice", [approve("bob"), approve("eve", "security-reviewer")], roles).ok).toBe(false);
    expect(checkApprovals("critical", "alice", [approve("bob"), approve("sec", "security-reviewer")], roles).ok).toBe(true);
  });
});
