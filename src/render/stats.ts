import type { AuditStats, Distribution } from "../records/stats.ts";
import { TIERS } from "../policy/tiers.ts";
import { formatDuration } from "../util/duration.ts";
import { neutralizeLine } from "../util/terminal-safe.ts";

/** `audit stats` for a human: one line per figure, then each incomplete record. */

function dist(d: Distribution): string {
  return d.count === 0 ? "-" : `p50 ${formatDuration(d.p50Seconds ?? 0)}, p95 ${formatDuration(d.p95Seconds ?? 0)} (${d.count})`;
}

export function renderStats(stats: AuditStats): string {
  const lines = [
    `Proposals: ${stats.proposals}${Object.keys(stats.byStatus).length === 0 ? "" : ` (${Object.entries(stats.byStatus).sort().map(([s, n]) => `${s} ${n}`).join(", ")})`}`,
    "Approval latency (proposal -> approval that met the rule):",
    ...TIERS.filter((t) => t !== "trivial").map((t) => `  ${t.padEnd(9)}${dist(stats.approvalLatency[t])}`),
    `MTTR (approval -> verified): ${dist(stats.mttr)}`,
    `MTTD (first evidence -> record): ${dist(stats.mttd)}`,
    `Rollbacks: ${stats.rollbacks.count} (${stats.rollbacks.succeeded} succeeded)`,
    `Complete records of executed medium/critical changes: ${stats.completeness.complete}/${stats.completeness.changes} (${stats.completeness.percent} %)`,
    ...stats.completeness.incomplete.map((i) => `  INCOMPLETE ${i.record} (${i.tier}, ${i.status}): missing ${i.missing.join(", ")}`),
  ];
  return `${lines.map(neutralizeLine).join("\n")}\n`;
}
