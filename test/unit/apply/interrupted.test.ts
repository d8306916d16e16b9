import { describe, expect, it } from "vitest";
import { checkApplicable } from "../../../src/app/apply/checks.ts";
import { interruptedApply, interruptedNotices } from "../../../src/app/apply/interrupted.ts";
import { baselineCategoriesOf } from "../../../src/app/apply/run.ts";
import { parseSeconds } from "../../../src/cli/commands/apply.ts";
import type { FrontMatter } from "../../../src/records/schema.ts";

const ID = "01M800RXK7P46YBMH70D2MYC85";
const fm = (o: Partial<FrontMatter> = {}): FrontMatter => ({
  id: ID, title: "Scale", stage: "proposal", date: "2026-11-21T10:00:00Z", surface: "kubectl-aiops", tool_version: "1", model: "rules", command: "x",
  user: { cluster: "alice", git: "a <a@x>" }, target: { kind: "Deployment", namespace: "shop", name: "web" }, tier: "low", status: "approved",
  action: { type: "scale", patchType: "strategic", patch: { spec: { replicas: 3 } }, rollback: { spec: { replicas: 2 } } },
  content_sha256: "0".repeat(64), prev_record_sha256: "0".repeat(64), window: { opened: "2026-11-21T10:00:00Z", expires: "2026-11-21T10:05:00Z" },
  approvals: [{ identity: "bob", role: "approver", decision: "approved", at: "2026-11-21T10:01:00Z" }], events: [], ...o,
}) as FrontMatter;
const ev = (type: string, at = "2026-11-21T10:02:00Z") => ({ at, type, detail: "x" });

describe("interruptedApply", () => {
  const cases: { events: string[]; step: RegExp; rollingBack: boolean }[] = [
    { events: ["apply-checked", "applying"], step: /the patch \(it may or may not have reached/, rollingBack: false },
    { events: ["apply-checked", "applying", "patched"], step: /the rollout wait/, rollingBack: false },
    { events: ["applying", "patched", "rollout-complete"], step: /the verification window/, rollingBack: false },
    { events: ["applying", "patched", "rollout-complete", "verify-failed"], step: /the automatic rollback/, rollingBack: true },
    { events: ["applying", "patched", "rollout-failed", "rollback-started"], step: /the inverse may or may not/, rollingBack: true },
  ];
  for (const c of cases) {
    it(`after ${c.events.at(-1)}`, () => {
      const found = interruptedApply(fm({ status: "applying", events: c.events.map((t) => ev(t)) }));
      expect(found?.step).toMatch(c.step);
      expect(found?.rollingBack).toBe(c.rollingBack);
      expect(found?.message).toMatch(new RegExp(`^apply of ${ID} was interrupted at .*run kubectl aiops rollback ${ID} to undo, or kubectl aiops apply ${ID} --resume`));
    });
  }
  it("says nothing about records that are not applying", () => {
    expect(interruptedApply(fm())).toBeUndefined();
    expect(interruptedNotices([{ frontMatter: fm() }, { frontMatter: fm({ status: "applying" }) }])).toHaveLength(1);
  });
  it("reads back the baseline categories for --resume", () => {
    expect(baselineCategoriesOf(fm({ events: [{ at: "2026-11-21T10:02:00Z", type: "apply-checked", detail: "audit ok; baseline categories: OOMKilled,CrashLoopBackOff" }] }))).toEqual(["OOMKilled", "CrashLoopBackOff"]);
    expect(baselineCategoriesOf(fm())).toEqual([]);
  });
});

describe("checkApplicable", () => {
  const roles = { approvers: ["alice", "bob"], securityReviewers: ["sec"] };
  const at = (iso: string) => new Date(iso);
  it("applies an approved record inside its window", () => {
    expect(checkApplicable(fm(), at("2026-11-21T10:03:00Z"), roles, { resume: false })).toEqual({ kind: "apply", autoApprove: false });
  });
  it("expires after the window", () => {
    expect(checkApplicable(fm(), at("2026-11-21T10:06:00Z"), roles, { resume: false }).kind).toBe("expired");
  });
  it("refuses a proposal not yet approved, naming the rule", () => {
    expect(() => checkApplicable(fm({ status: "proposed", approvals: [] }), at("2026-11-21T10:03:00Z"), roles, { resume: false })).toThrow(/not approved yet: low tier needs 1 approver/);
  });
  it("auto-approves a trivial proposal (logged)", () => {
    expect(checkApplicable(fm({ status: "proposed", tier: "trivial", approvals: [], target: { kind: "Pod", namespace: "shop", name: "web-1" }, action: { type: "restart", patch: { delete: { kind: "Pod" } }, rollback: { none: "x" } }, metrics: { pre: { otherReadyReplicas: 2 } } }), at("2026-11-21T10:03:00Z"), roles, { resume: false })).toEqual({ kind: "apply", autoApprove: true });
  });
  it("refuses approvals that do not meet the tier (self-approval of a medium change)", () => {
    expect(() => checkApplicable(fm({ tier: "medium", approvals: [{ identity: "alice", role: "approver", decision: "approved", at: "2026-11-21T10:01:00Z" }] }), at("2026-11-21T10:03:00Z"), roles, { resume: false })).toThrow(/only the proposer approved/);
  });
  it("points an interrupted apply at rollback and --resume", () => {
    expect(() => checkApplicable(fm({ status: "applying", events: [ev("applying")] }), at("2026-11-21T10:03:00Z"), roles, { resume: false })).toThrow(/was interrupted at the patch/);
    expect(checkApplicable(fm({ status: "applying" }), at("2026-11-21T11:00:00Z"), roles, { resume: true })).toEqual({ kind: "resume" });
    expect(() => checkApplicable(fm(), at("2026-11-21T10:03:00Z"), roles, { resume: true })).toThrow(/--resume continues an interrupted apply/);
  });
  it("refuses verified records and points at rollback", () => {
    expect(() => checkApplicable(fm({ status: "verified" }), at("2026-11-21T10:03:00Z"), roles, { resume: false })).toThrow(/already applied and verified/);
  });
});

describe("parseSeconds", () => {
  it("takes 0, bare seconds and durations; refuses the rest", () => {
    expect(parseSeconds("verify-window", "0", 3600)).toBe(0);
    expect(parseSeconds("verify-window", "45", 3600)).toBe(45);
    expect(parseSeconds("verify-window", "2m", 3600)).toBe(120);
    expect(() => parseSeconds("verify-window", "2h", 3600)).toThrow(/at most 3600s/);
    expect(() => parseSeconds("verify-window", "soon", 3600)).toThrow(/invalid --verify-window/);
  });
});
