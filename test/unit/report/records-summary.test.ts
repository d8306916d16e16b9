import { describe, expect, it } from "vitest";
import type { FrontMatter } from "../../../src/records/schema.ts";
import { summarizeRecords } from "../../../src/report/records-summary.ts";
import { WINDOW } from "./fixtures.ts";

const approval = (identity: string, at: string) => ({ identity, role: "approver", decision: "approved" as const, at });

function record(stage: FrontMatter["stage"], date: string, status: string, extra: Partial<FrontMatter> = {}): FrontMatter {
  return {
    id: "01KA0000000000000000000000",
    title: "t",
    stage,
    date,
    surface: "kubectl-aiops",
    tool_version: "0.1.0",
    model: "rules",
    command: "c",
    user: { cluster: "alice", git: "A <a@example.com>" },
    status,
    content_sha256: "0".repeat(64),
    prev_record_sha256: "0".repeat(64),
    approvals: [],
    events: [],
    tier: "medium",
    ...extra,
  };
}

describe("the period's records", () => {
  it("counts outcomes, approval latency (as audit stats defines it) and MTTD inside the window only", () => {
    const summary = summarizeRecords(
      [
        record("proposal", "2026-03-05T10:00:00Z", "verified", { approvals: [approval("bob", "2026-03-05T10:10:00Z")] }),
        // The proposer's own approval does not meet the medium rule; bob's, 30 min later, does.
        record("proposal", "2026-03-06T10:00:00Z", "rolled-back", { approvals: [approval("alice", "2026-03-06T10:05:00Z"), approval("bob", "2026-03-06T10:30:00Z")] }),
        record("proposal", "2026-03-06T12:00:00Z", "verified", { approvals: [approval("bob", "2026-03-06T13:00:00Z")] }),
        record("proposal", "2026-03-07T10:00:00Z", "expired"),
        record("proposal", "2026-03-08T10:00:00Z", "rejected"),
        record("diagnosis", "2026-03-08T11:00:00Z", "resolved", { metrics: { pre: { mttd_seconds: 4 } } }),
        record("diagnosis", "2026-03-09T11:00:00Z", "recorded", { metrics: { pre: { mttd_seconds: 10 } } }),
        record("diagnosis", "2026-03-09T12:00:00Z", "recorded", { metrics: { pre: { mttd_seconds: 6 } } }),
        // Before the window: not this week's.
        record("proposal", "2026-02-01T10:00:00Z", "verified", { approvals: [approval("bob", "2026-02-01T12:00:00Z")] }),
      ],
      WINDOW,
    );
    expect(summary).toEqual({
      diagnoses: 3,
      proposals: 5,
      byStatus: { verified: 2, "rolled-back": 1, expired: 1, rejected: 1 },
      approvals: 4,
      approvalLatencyMedianSeconds: 1800,
      approvalLatencyMaxSeconds: 3600,
      verified: 2,
      rolledBack: 1,
      rejected: 1,
      expired: 1,
      failed: 0,
      mttdMedianSeconds: 6,
    });
  });
});
