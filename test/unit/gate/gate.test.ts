import { describe, expect, it } from "vitest";
import { decide, describeMissing, expireIfDue, roleOf, type GateInput, type GateResult } from "../../../src/gate/gate.ts";
import type { Approval, FrontMatter } from "../../../src/records/schema.ts";
import { proposalFrontMatter } from "../records/fixtures.ts";

const NOW = new Date("2026-11-21T10:10:00Z");
const policy = { approvers: ["alice", "bob", "carol", "group:oncall"], securityReviewers: ["sec", "dora"] };
const who = (username: string, groups: string[] = []) => ({ username, groups });
const approval = (identity: string, role = "approver", decision: "approved" | "rejected" = "approved"): Approval => ({ identity, role, decision, at: "2026-11-21T10:05:00Z" });

function record(overrides: Partial<FrontMatter> = {}): FrontMatter {
  return proposalFrontMatter({ window: { opened: "2026-11-21T10:00:00Z", expires: "2026-11-21T12:00:00Z" }, ...overrides });
}

function run(overrides: Partial<GateInput> & { fm?: Partial<FrontMatter> }): GateResult {
  const { fm, ...rest } = overrides;
  return decide({ record: record(fm), decision: "approve", identity: who("bob"), now: NOW, policy, ...rest });
}

describe("roleOf", () => {
  it.each([
    { name: "approver by name", user: who("alice"), want: "approver" },
    { name: "security reviewer", user: who("sec"), want: "security-reviewer" },
    { name: "approver through an authenticated group", user: who("zed", ["oncall"]), want: "approver" },
    { name: "a group named like the user does not count", user: who("oncall"), want: "none" },
    { name: "both lists", user: who("dora", ["oncall"]), want: "both" },
    { name: "nobody", user: who("viewer", ["aiops-viewers"]), want: "none" },
  ] as const)("$name", ({ user, want }) => expect(roleOf(user, policy)).toBe(want));
});

describe("decide: refusals", () => {
  it.each([
    { name: "unknown identity", input: { identity: who("unknown") }, reason: /did not say who you are/ },
    { name: "a diagnosis takes no approvals", input: { fm: { stage: "diagnosis", status: "recorded" } }, reason: /is a diagnosis/ },
    { name: "not an approver", input: { identity: who("carl") }, reason: /^user carl is not an approver in \.aiops\.yaml \(approvers: alice, bob, carol, group:oncall; securityReviewers: sec, dora\)$/ },
    { name: "not an approver may not reject someone else's proposal", input: { identity: who("carl"), decision: "reject" }, reason: /not an approver/ },
    { name: "medium: self-approval", input: { identity: who("alice") }, reason: /alice proposed .* may not approve it: the medium tier/ },
    { name: "critical: self-approval", input: { identity: who("alice"), fm: { tier: "critical" } }, reason: /critical tier needs approvers other than the proposer/ },
    { name: "duplicate approval", input: { fm: { tier: "critical", approvals: [approval("bob")] } }, reason: /bob already approved .*counts once/ },
    { name: "duplicate through another role still counts once", input: { identity: who("dora"), fm: { tier: "critical", approvals: [approval("dora", "security-reviewer")] } }, reason: /already approved/ },
    { name: "medium: failed dry run", input: { fm: { action: { type: "resources", dryRun: { result: "failed", message: "admission webhook denied" } } } }, reason: /dry run .* failed \(admission webhook denied\): a medium change needs a passing dry run/ },
    { name: "critical: missing dry run", input: { fm: { tier: "critical", action: { type: "scale" } } }, reason: /dry run .* is missing/ },
    { name: "already approved", input: { fm: { status: "approved" } }, reason: /already approved; no more approvals/ },
    { name: "rejected is final", input: { fm: { status: "rejected" }, decision: "reject" }, reason: /"rejected", which is final/ },
    { name: "applying", input: { fm: { status: "applying" } }, reason: /its status is "applying"/ },
  ] as const)("$name", ({ input, reason }) => {
    const result = run(input as Partial<GateInput> & { fm?: Partial<FrontMatter> });
    expect(result.kind).toBe("refused");
    if (result.kind !== "refused") return;
    expect(result.reason).toMatch(reason);
    expect(result.hint).not.toBe("");
    expect(result.expire).toBeUndefined();
  });

  it("an expired window is refused and carries the expiry to record", () => {
    const result = run({ fm: { window: { opened: "2026-11-21T09:00:00Z", expires: "2026-11-21T09:30:00Z" } } });
    expect(result).toMatchObject({ kind: "refused", reason: expect.stringMatching(/expired: its medium window closed at 2026-11-21T09:30:00Z/) });
    if (result.kind !== "refused") return;
    expect(result.expire).toMatchObject({ status: "expired", events: [{ at: "2026-11-21T10:10:00Z", type: "expired" }] });
  });

  it("the window is checked before anything else the user could fix (even a rejection is refused)", () => {
    const result = run({ decision: "reject", fm: { window: { opened: "2026-11-21T09:00:00Z", expires: "2026-11-21T10:10:00Z" } } });
    expect(result.kind === "refused" && result.expire !== undefined).toBe(true);
  });
});

describe("decide: recorded decisions", () => {
  it.each([
    { name: "low: one approver approves", fm: { tier: "low", action: { type: "scale", patchType: "strategic", patch: { spec: { replicas: 3 } }, rollback: { spec: { replicas: 2 } }, dryRun: { result: "passed", message: "ok" } } }, user: who("bob"), status: "approved", role: "approver" },
    { name: "low: the proposer may approve", fm: { tier: "low", action: { type: "scale", patchType: "strategic", patch: { spec: { replicas: 3 } }, rollback: { spec: { replicas: 2 } }, dryRun: { result: "passed", message: "ok" } } }, user: who("alice"), status: "approved", role: "approver" },
    { name: "medium: another approver", fm: {}, user: who("bob"), status: "approved", role: "approver" },
    { name: "medium: a group member", fm: {}, user: who("zed", ["oncall"]), status: "approved", role: "approver" },
    { name: "medium: a security reviewer counts as an approver", fm: {}, user: who("sec"), status: "approved", role: "security-reviewer" },
    { name: "critical: first approver leaves it proposed", fm: { tier: "critical" }, user: who("bob"), status: "proposed", role: "approver" },
    { name: "critical: security reviewer after an approver", fm: { tier: "critical", approvals: [approval("bob")] }, user: who("sec"), status: "approved", role: "security-reviewer" },
    { name: "critical: approver after a security reviewer", fm: { tier: "critical", approvals: [approval("sec", "security-reviewer")] }, user: who("carol"), status: "approved", role: "approver" },
    { name: "critical: two approvers but no security reviewer", fm: { tier: "critical", approvals: [approval("bob")] }, user: who("carol"), status: "proposed", role: "approver" },
    { name: "critical: 'both' is recorded as security reviewer", fm: { tier: "critical", approvals: [approval("bob")] }, user: who("dora", ["oncall"]), status: "approved", role: "security-reviewer" },
    { name: "critical: the proposer's own approval never counts", fm: { tier: "critical", user: { cluster: "carol", git: "c" }, approvals: [approval("carol"), approval("sec", "security-reviewer")] }, user: who("bob"), status: "approved", role: "approver" },
    { name: "no tier is judged as critical", fm: { tier: undefined }, user: who("bob"), status: "proposed", role: "approver" },
  ] as const)("$name", ({ fm, user, status, role }) => {
    const result = run({ identity: user, fm: fm as Partial<FrontMatter>, gitIdentity: "Bob <bob@example.com>", comment: " looks right " });
    expect(result.kind).toBe("record");
    if (result.kind !== "record") return;
    expect(result.status).toBe(status);
    // A group that made the user an approver is recorded (as the API server reported it), so audit verify can re-judge the role.
    const groups = user.groups.includes("oncall") ? { groups: ["oncall"] } : {};
    expect(result.approval).toEqual({ identity: user.username, role, decision: "approved", at: "2026-11-21T10:10:00Z", comment: "looks right", ...groups });
    expect(result.event.type).toBe(status === "approved" ? "approved" : "approval");
    expect(result.event.detail).toContain("git Bob <bob@example.com>");
    expect(result.bodyAppend).toMatch(/^## Decision\n\n- 2026-11-21T10:10:00Z \*\*approved\*\* by /);
    expect(result.missing === undefined).toBe(status === "approved");
  });

  it("reject: any approver, final, with the reason as comment", () => {
    const result = run({ decision: "reject", identity: who("alice"), comment: "wrong namespace", fm: { tier: "critical" } });
    expect(result).toMatchObject({ kind: "record", status: "rejected", approval: { identity: "alice", decision: "rejected", comment: "wrong namespace" }, event: { type: "rejected" }, missing: undefined });
  });

  it("reject: the proposer may withdraw a proposal without a role", () => {
    const result = run({ decision: "reject", identity: who("viewer"), fm: { user: { cluster: "viewer", git: "v" } } });
    expect(result).toMatchObject({ kind: "record", status: "rejected", approval: { identity: "viewer", role: "proposer" } });
  });

  it("trivial: approve is a note and records nothing", () => {
    expect(run({ fm: { tier: "trivial", window: undefined, target: { kind: "Pod", namespace: "shop", name: "api-1" }, action: { type: "restart", patch: { delete: { kind: "Pod" } }, rollback: { none: "x" } }, metrics: { pre: { otherReadyReplicas: 2 } } } })).toEqual({ kind: "note", message: expect.stringMatching(/trivial tier: no approval needed/) });
  });

  it("a policy record needs no dry run", () => {
    const result = run({ fm: { stage: "policy", tier: "critical", action: { type: "policy", patch: "approvers: [bob]\n" }, approvals: [approval("sec", "security-reviewer")] } });
    expect(result).toMatchObject({ kind: "record", status: "approved" });
  });

  it("a rejection earlier by someone else does not stop counting (status would be final anyway)", () => {
    const result = run({ fm: { approvals: [approval("carol", "approver", "rejected")] } });
    expect(result).toMatchObject({ kind: "record", status: "approved" });
  });
});

describe("describeMissing", () => {
  it.each([
    { tier: "low", approvals: [], want: "1 approval needed: an approver (alice, bob, carol, group:oncall, sec, dora)" },
    { tier: "medium", approvals: [approval("alice")], want: "1 approval needed: an approver other than alice (proposer) (bob, carol, group:oncall, sec, dora)" },
    { tier: "critical", approvals: [], want: "2 more approvals needed: 2 approvers other than alice (proposer), at least one a security reviewer (sec, dora)" },
    { tier: "critical", approvals: [approval("bob")], want: "1 more approval needed: a security reviewer other than alice (proposer), bob (sec, dora)" },
    { tier: "critical", approvals: [approval("sec", "security-reviewer")], want: "1 more approval needed: an approver other than alice (proposer), sec (bob, carol, group:oncall, dora)" },
    { tier: "critical", approvals: [approval("bob"), approval("carol")], want: "1 more approval needed: a security reviewer other than alice (proposer), bob, carol (sec, dora)" },
    { tier: "critical", approvals: [approval("bob"), approval("sec", "security-reviewer")], want: undefined },
  ] as const)("$tier after $approvals.length approval(s)", ({ tier, approvals, want }) => {
    expect(describeMissing(tier, "alice", approvals, policy)).toBe(want);
  });
});

describe("expireIfDue", () => {
  const window = { opened: "2026-11-21T10:00:00Z", expires: "2026-11-21T10:30:00Z" };
  it.each([
    { name: "inside the window", fm: { window }, now: "2026-11-21T10:29:59Z", due: false },
    { name: "at the end of the window", fm: { window }, now: "2026-11-21T10:30:00Z", due: true },
    { name: "approved but not applied in time", fm: { window, status: "approved" }, now: "2026-11-21T11:00:00Z", due: true },
    { name: "already applying", fm: { window, status: "applying" }, now: "2026-11-21T11:00:00Z", due: false },
    { name: "rejected", fm: { window, status: "rejected" }, now: "2026-11-21T11:00:00Z", due: false },
    { name: "no window (trivial)", fm: { window: undefined }, now: "2027-01-01T00:00:00Z", due: false },
  ] as const)("$name", ({ fm, now, due }) => {
    const expiry = expireIfDue(record(fm as Partial<FrontMatter>), new Date(now));
    expect(expiry !== undefined).toBe(due);
    if (expiry !== undefined) expect(expiry.events[0]).toEqual({ at: now, type: "expired", detail: expect.stringContaining(`window closed at ${window.expires}`) });
  });
});
