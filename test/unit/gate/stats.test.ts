import { describe, expect, it } from "vitest";
import { computeStats, missingParts } from "../../../src/records/stats.ts";
import { renderStats } from "../../../src/render/stats.ts";
import { percentile, ruleMetAt } from "../../../src/records/timing.ts";
import type { RecordFile } from "../../../src/records/record-file.ts";
import type { Approval, FrontMatter, RecordEvent } from "../../../src/records/schema.ts";
import { proposalFrontMatter, SAMPLE_BODY } from "../records/fixtures.ts";

const ok = (identity: string, at: string, role = "approver"): Approval => ({ identity, role, decision: "approved", at });
const ev = (type: string, at: string): RecordEvent => ({ at, type });
const DECISION = "\n## Decision\n\n- approved\n";
const EXECUTION = "\n## Execution\n\n- patched\n";
const VALIDATION = "\n## Validation\n\n- healthy\n";

function rec(id: string, fm: Partial<FrontMatter>, body = SAMPLE_BODY): RecordFile {
  return { frontMatter: proposalFrontMatter({ id: `01JD3X5Y6Z7A8B9C0D1E2F3G${id}`, ...fm }), body };
}

describe("percentile (nearest rank)", () => {
  it.each([
    { values: [], p: 50, want: undefined },
    { values: [7], p: 95, want: 7 },
    { values: [1, 2, 3, 4], p: 50, want: 2 },
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], p: 95, want: 19 },
  ])("p$p of $values.length values", ({ values, p, want }) => expect(percentile(values, p)).toBe(want));
});

describe("ruleMetAt", () => {
  it.each([
    { name: "medium: the first approver who is not the proposer", fm: { approvals: [ok("alice", "2026-11-21T10:01:00Z"), ok("bob", "2026-11-21T10:02:00Z")] }, want: "2026-11-21T10:02:00Z" },
    { name: "critical: the security reviewer completing the rule", fm: { tier: "critical", approvals: [ok("bob", "2026-11-21T10:01:00Z"), ok("sec", "2026-11-21T10:09:00Z", "security-reviewer"), ok("carol", "2026-11-21T10:10:00Z")] }, want: "2026-11-21T10:09:00Z" },
    { name: "never met", fm: { tier: "critical", approvals: [ok("bob", "2026-11-21T10:01:00Z")] }, want: undefined },
    { name: "trivial needs none", fm: { tier: "trivial" }, want: undefined },
  ] as const)("$name", ({ fm, want }) => expect(ruleMetAt(proposalFrontMatter(fm as Partial<FrontMatter>))).toBe(want));
});

describe("missingParts", () => {
  const approved = { status: "verified", approvals: [ok("bob", "2026-11-21T10:02:00Z")] };
  it.each([
    { name: "sections for everything", fm: approved, body: SAMPLE_BODY + DECISION + EXECUTION + VALIDATION, want: [] },
    { name: "events stand for execution and validation", fm: { ...approved, events: [ev("applying", "2026-11-21T10:03:00Z"), ev("verified", "2026-11-21T10:06:00Z")] }, body: SAMPLE_BODY + DECISION, want: [] },
    { name: "no decision section, no validation", fm: approved, body: SAMPLE_BODY + EXECUTION, want: ["decision", "validation"] },
    { name: "approvals breaking the rule", fm: { status: "verified", approvals: [ok("alice", "2026-11-21T10:02:00Z")] }, body: SAMPLE_BODY + DECISION + EXECUTION + VALIDATION, want: ["decision"] },
    { name: "applying: validation not due yet", fm: { ...approved, status: "applying" }, body: SAMPLE_BODY + DECISION + EXECUTION, want: [] },
    { name: "no evidence section", fm: approved, body: "## Prompt\n\nx\n" + DECISION + EXECUTION + VALIDATION, want: ["proposal"] },
  ] as const)("$name", ({ fm, body, want }) => expect(missingParts(rec("4H", fm as Partial<FrontMatter>, body))).toEqual(want));
});

describe("computeStats", () => {
  const full = SAMPLE_BODY + DECISION + EXECUTION + VALIDATION;
  const records: RecordFile[] = [
    // medium, approved after 2 min, verified 5 min later
    rec("01", { approvals: [ok("bob", "2026-11-21T10:02:00Z")], status: "verified", events: [ev("verified", "2026-11-21T10:07:00Z")] }, full),
    // medium, approved after 10 min, rolled back
    rec("02", { approvals: [ok("bob", "2026-11-21T10:10:00Z")], status: "rolled-back", events: [ev("rolled-back", "2026-11-21T10:14:00Z")] }, full),
    // critical, rule met at 30 min, executed but its record lacks validation
    rec("03", { tier: "critical", approvals: [ok("bob", "2026-11-21T10:20:00Z"), ok("sec", "2026-11-21T10:30:00Z", "security-reviewer")], status: "failed" }, SAMPLE_BODY + DECISION + EXECUTION),
    // low and never executed: not a change for completeness
    rec("04", { tier: "low", approvals: [ok("alice", "2026-11-21T10:01:00Z")], status: "approved" }),
    rec("05", { status: "rejected" }),
    { frontMatter: proposalFrontMatter({ id: "01JD3X5Y6Z7A8B9C0D1E2F3G06", stage: "diagnosis", status: "recorded", tier: undefined, metrics: { pre: { mttd_seconds: 42 } } }), body: "" },
  ];

  it("computes latency per tier, MTTR, rollbacks and complete records", () => {
    const stats = computeStats(records);
    expect(stats.proposals).toBe(5);
    expect(stats.byStatus).toEqual({ verified: 1, "rolled-back": 1, failed: 1, approved: 1, rejected: 1 });
    expect(stats.approvalLatency).toEqual({ trivial: { count: 0 }, low: { count: 1, p50Seconds: 60, p95Seconds: 60 }, medium: { count: 2, p50Seconds: 120, p95Seconds: 600 }, critical: { count: 1, p50Seconds: 1800, p95Seconds: 1800 } });
    expect(stats.mttr).toEqual({ count: 1, p50Seconds: 300, p95Seconds: 300 });
    expect(stats.mttd).toEqual({ count: 1, p50Seconds: 42, p95Seconds: 42 });
    expect(stats.rollbacks).toEqual({ count: 1, succeeded: 1 });
    expect(stats.completeness).toEqual({ changes: 3, complete: 2, percent: 66.6, incomplete: [{ record: "01JD3X5Y6Z7A8B9C0D1E2F3G03", tier: "critical", status: "failed", missing: ["validation"] }] });
    expect(renderStats(stats)).toMatchInlineSnapshot(`
      "Proposals: 5 (approved 1, failed 1, rejected 1, rolled-back 1, verified 1)
      Approval latency (proposal -> approval that met the rule):
        low      p50 1m, p95 1m (1)
        medium   p50 2m, p95 10m (2)
        critical p50 30m, p95 30m (1)
      MTTR (approval -> verified): p50 5m, p95 5m (1)
      MTTD (first evidence -> record): p50 42s, p95 42s (1)
      Rollbacks: 1 (1 succeeded)
      Complete records of executed medium/critical changes: 2/3 (66.6 %)
        INCOMPLETE 01JD3X5Y6Z7A8B9C0D1E2F3G03 (critical, failed): missing validation
      "
    `);
  });

  it("an empty history is 100 % complete", () => {
    expect(computeStats([]).completeness).toEqual({ changes: 0, complete: 0, percent: 100, incomplete: [] });
  });
});
