/**
 * The period's decisions, from the records' front matter: proposals and their outcomes, approval
 * latency, rollbacks, and the MTTD of incidents `watch` recorded. Latency and MTTD are defined as
 * in `audit stats` (src/records/stats.ts: proposal date to the approval that first met the tier's
 * rule; nearest-rank median), so the report and the audit never disagree.
 */
import { percentile, ruleMetAt } from "../records/timing.ts";
import type { FrontMatter } from "../records/schema.ts";
import type { PeriodWindow, RecordsSummary } from "./types.ts";

function median(values: readonly number[]): number | undefined {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export function summarizeRecords(records: readonly FrontMatter[], window: PeriodWindow): RecordsSummary {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  const inside = records.filter((r) => {
    const t = Date.parse(r.date);
    return t >= start && t <= end;
  });
  const proposals = inside.filter((r) => r.stage === "proposal");
  const byStatus: Record<string, number> = {};
  for (const p of proposals) byStatus[p.status] = (byStatus[p.status] ?? 0) + 1;
  const latencies = proposals
    .map((p) => {
      const at = ruleMetAt(p);
      return at === undefined ? NaN : (Date.parse(at) - Date.parse(p.date)) / 1000;
    })
    .filter((s) => Number.isFinite(s) && s >= 0);
  const mttds = inside
    .filter((r) => r.stage === "diagnosis")
    .map((r) => r.metrics?.pre?.["mttd_seconds"])
    .filter((v): v is number => typeof v === "number");
  const summary: RecordsSummary = {
    diagnoses: inside.filter((r) => r.stage === "diagnosis").length,
    proposals: proposals.length,
    byStatus,
    approvals: proposals.reduce((sum, p) => sum + p.approvals.filter((a) => a.decision === "approved").length, 0),
    verified: byStatus["verified"] ?? 0,
    rolledBack: (byStatus["rolled-back"] ?? 0) + (byStatus["reverted"] ?? 0),
    rejected: byStatus["rejected"] ?? 0,
    expired: byStatus["expired"] ?? 0,
    failed: byStatus["failed"] ?? 0,
  };
  const latency = median(latencies);
  if (latency !== undefined) {
    summary.approvalLatencyMedianSeconds = Math.round(latency);
    summary.approvalLatencyMaxSeconds = Math.round(Math.max(...latencies));
  }
  const mttd = median(mttds);
  if (mttd !== undefined) summary.mttdMedianSeconds = Math.round(mttd);
  return summary;
}
