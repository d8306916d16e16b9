import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decideRecord, type DecisionDeps } from "../../../src/app/approve.ts";
import { applyPolicyChange, changedFields, proposePolicyChange } from "../../../src/app/policy-change.ts";
import { verifyHistory } from "../../../src/app/records.ts";
import { diffLines } from "../../../src/policy/diff-lines.ts";
import { git, gitdir } from "../../helpers/gitdir.ts";

const OLD = "approvers: [alice, bob]\nsecurityReviewers: [sec]\n";
const NEW = "approvers: [alice, bob, carol]\nsecurityReviewers: [sec]\nverifyWindow: 5m\n";

function deps(user: string, now = "2026-11-21T10:05:00Z"): DecisionDeps {
  return { now: () => new Date(now), warn: () => undefined, identify: async () => ({ username: user, groups: [] }), store: { lockTimeoutMs: 20_000 } };
}

describe("diffLines", () => {
  it.each([
    { name: "changed and added lines", a: OLD, b: NEW, want: "-approvers: [alice, bob]\n+approvers: [alice, bob, carol]\n securityReviewers: [sec]\n+verifyWindow: 5m" },
    { name: "from nothing", a: "", b: "a\n", want: "+a" },
    { name: "to nothing", a: "a\nb\n", b: "", want: "-a\n-b" },
    { name: "same", a: "a\n", b: "a\n", want: " a" },
  ])("$name", ({ a, b, want }) => expect(diffLines(a, b)).toBe(want));
});

describe("policy change as a critical-tier record (real git)", () => {
  it("propose -> refused apply -> two approvals incl. a security reviewer -> apply commits .aiops.yaml", async () => {
    const dir = gitdir({ ".aiops.yaml": OLD, "proposed.yaml": NEW });
    const location = { cwd: dir, env: {} };
    expect(changedFields(OLD, NEW)).toEqual(["approvers", "verifyWindow"]);
    const proposed = await proposePolicyChange(location, { file: "proposed.yaml", command: "kubectl aiops policy propose proposed.yaml" }, deps("alice"));
    expect(proposed).toMatchObject({ status: "proposed", fields: ["approvers", "verifyWindow"] });
    const record = readFileSync(proposed.path, "utf8");
    expect(record).toMatch(/stage: "policy"/);
    expect(record).toMatch(/tier: "critical"/);
    expect(record).toContain("```diff\n-approvers: [alice, bob]\n+approvers: [alice, bob, carol]");
    expect(record).toMatch(/expires: "2026-11-21T12:05:00Z"/);

    await expect(applyPolicyChange(location, { record: proposed.record }, deps("alice"))).rejects.toThrow(/is proposed, not approved/);
    // carol is only an approver in the proposed file: the policy in force judges.
    await expect(decideRecord(location, { record: proposed.record, decision: "approve" }, deps("carol"))).rejects.toThrow(/user carol is not an approver/);
    await expect(decideRecord(location, { record: proposed.record, decision: "approve" }, deps("alice"))).rejects.toThrow(/may not approve it/);
    expect((await decideRecord(location, { record: proposed.record, decision: "approve" }, deps("bob"))).status).toBe("proposed");
    expect((await decideRecord(location, { record: proposed.record, decision: "approve" }, deps("sec"))).status).toBe("approved");

    const applied = await applyPolicyChange(location, { record: proposed.record }, deps("alice", "2026-11-21T10:10:00Z"));
    expect(applied.status).toBe("applied");
    expect(readFileSync(path.join(dir, ".aiops.yaml"), "utf8")).toBe(NEW);
    expect(git(dir, "log", "-2", "--format=%s").split("\n")).toEqual(["aiops(policy): Policy change: .aiops.yaml (approvers, verifyWindow)", `aiops(policy): apply ${proposed.record} Policy change: .aiops.yaml (approvers, verifyWindow)`]);
    expect(git(dir, "status", "--porcelain", "--", ".aiops.yaml", "history")).toBe("");
    expect((await verifyHistory(location, { requireSigned: false })).problems).toEqual([]);
    await expect(applyPolicyChange(location, { record: proposed.record }, deps("alice"))).rejects.toThrow(/is applied, not approved/);
  });

  it("refuses to apply over a policy file that changed since the proposal", async () => {
    const dir = gitdir({ ".aiops.yaml": OLD, "proposed.yaml": NEW });
    const location = { cwd: dir, env: {} };
    const { record } = await proposePolicyChange(location, { file: "proposed.yaml", command: "x" }, deps("alice"));
    await decideRecord(location, { record, decision: "approve" }, deps("bob"));
    await decideRecord(location, { record, decision: "approve" }, deps("sec"));
    writeFileSync(path.join(dir, ".aiops.yaml"), `${OLD}verifyWindow: 1m\n`);
    await expect(applyPolicyChange(location, { record }, deps("bob"))).rejects.toThrow(/changed since .* was proposed/);
  });

  it("refuses an invalid or unchanged file before recording anything", async () => {
    const dir = gitdir({ ".aiops.yaml": OLD, "bad.yaml": "approver: [x]\n", "same.yaml": OLD });
    const location = { cwd: dir, env: {} };
    await expect(proposePolicyChange(location, { file: "bad.yaml", command: "x" }, deps("alice"))).rejects.toThrow(/invalid policy field/);
    await expect(proposePolicyChange(location, { file: "same.yaml", command: "x" }, deps("alice"))).rejects.toThrow(/nothing to propose/);
    expect(git(dir, "rev-list", "--count", "HEAD")).toBe("1");
  });
});
