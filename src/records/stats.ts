/**
 * `audit stats`: how the gate performs, from the records alone (pure; the use case in
 * src/app/stats.ts reads the records, src/render/stats.ts prints the figures). Definitions:
 *   approval latency  proposal date -> the approval that first met the tier's rule (checkApprovals)
 *   MTTR              that approval -> the `verified` event
 *   MTTD              `metrics.pre.mttd_seconds` of diagnosis records (written by watch)
 *   rollbacks         records rolled back automatically or by a later rollback; succeeded = the
 *                     record reached `rolled-back` (the rollback finished and was verified)
 *   complete records  every medium/critical change that was executed must hold its proposal,
 *                     decision, execution and validation, as body sections or events: 100 % is
 *                     the target, and each incomplete record is listed with what it lacks
 */
import { checkApprovals } from "../policy/approval-rule.ts";
import { TIERS, type Tier } from "../policy/tiers.ts";
import { readSections, type RecordFile } from "./record-file.ts";
import { percentile, ruleMetAt } from "./timing.ts";
import { effectiveTier } from "./versions.ts";

export interface Distribution {
  count: number;
  p50Seconds?: number;
  p95Seconds?: number;
}

export interface IncompleteRecord {
  record: string;
  tier: Tier;
  status: string;
  missing: string[];
}

export interface AuditStats {
  apiVersion: "aiops.dev/v1";
  kind: "AuditStats";
  proposals: number;
  byStatus: Record<string, number>;
  approvalLatency: Record<Tier, Distribution>;
  mttr: Distribution;
  mttd: Distribution;
  rollbacks: { count: number; succeeded: number };
  completeness: { changes: number; complete: number; percent: number; incomplete: IncompleteRecord[] };
}

/** Statuses a proposal reaches only once it was executed. */
const EXECUTED = new Set(["applying", "verified", "rolled-back", "failed", "reverted"]);
const EXECUTION_EVENTS = new Set(["applying", "applied", "apply"]);
const VALIDATION_EVENTS = new Set(["verified", "verify-failed", "rolled-back", "rollback", "failed"]);

function distribution(values: readonly number[]): Distribution {
  const sorted = values.filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
  const out: Distribution = { count: sorted.length };
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  if (p50 !== undefined) out.p50Seconds = Math.round(p50);
  if (p95 !== undefined) out.p95Seconds = Math.round(p95);
  return out;
}

const seconds = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 1000;

/** What an executed change's record lacks among proposal, decision, execution, validation. */
export function missingParts(record: RecordFile): string[] {
  const fm = record.frontMatter;
  const sections = new Set(readSections(record.body).map((s) => s.name));
  const events = new Set(fm.events.map((e) => e.type));
  const missing: string[] = [];
  if (!["Prompt", "Response snapshot", "Evidence"].every((s) => sections.has(s))) missing.push("proposal");
  if (!checkApprovals(effectiveTier(fm.tier), fm.user.cluster, fm.approvals).ok || !sections.has("Decision")) missing.push("decision");
  if (!sections.has("Execution") && ![...events].some((e) => EXECUTION_EVENTS.has(e))) missing.push("execution");
  // A change still applying has no validation yet; it is not judged on it.
  if (fm.status !== "applying" && !sections.has("Validation") && ![...events].some((e) => VALIDATION_EVENTS.has(e))) missing.push("validation");
  return missing;
}

export function computeStats(records: readonly RecordFile[]): AuditStats {
  const decided = records.filter((r) => r.frontMatter.stage === "proposal" || r.frontMatter.stage === "policy");
  const proposals = decided.filter((r) => r.frontMatter.stage === "proposal");
  const latency = Object.fromEntries(TIERS.map((t) => [t, [] as number[]])) as Record<Tier, number[]>;
  const mttr: number[] = [];
  const byStatus: Record<string, number> = {};
  for (const { frontMatter: fm } of proposals) byStatus[fm.status] = (byStatus[fm.status] ?? 0) + 1;
  for (const { frontMatter: fm } of decided) {
    const approvedAt = ruleMetAt(fm);
    if (approvedAt === undefined) continue;
    latency[effectiveTier(fm.tier)].push(seconds(fm.date, approvedAt));
    const verified = fm.events.find((e) => e.type === "verified");
    if (verified !== undefined) mttr.push(seconds(approvedAt, verified.at));
  }
  const rolledBack = proposals.filter(({ frontMatter: fm }) => fm.status === "rolled-back" || fm.status === "reverted" || fm.events.some((e) => /roll(ed)?-?back/.test(e.type)));
  const changes = proposals.filter(({ frontMatter: fm }) => (fm.tier === "medium" || fm.tier === "critical" || fm.tier === undefined) && EXECUTED.has(fm.status));
  const incomplete: IncompleteRecord[] = [];
  for (const r of changes) {
    const missing = missingParts(r);
    if (missing.length > 0) incomplete.push({ record: r.frontMatter.id, tier: effectiveTier(r.frontMatter.tier), status: r.frontMatter.status, missing });
  }
  const complete = changes.length - incomplete.length;
  const mttd = records.map((r) => r.frontMatter).filter((fm) => fm.stage === "diagnosis").map((fm) => fm.metrics?.pre?.["mttd_seconds"]).filter((v): v is number => typeof v === "number");
  return {
    apiVersion: "aiops.dev/v1",
    kind: "AuditStats",
    proposals: proposals.length,
    byStatus,
    approvalLatency: Object.fromEntries(TIERS.map((t) => [t, distribution(latency[t])])) as Record<Tier, Distribution>,
    mttr: distribution(mttr),
    mttd: distribution(mttd),
    rollbacks: { count: rolledBack.length, succeeded: rolledBack.filter((r) => r.frontMatter.status === "rolled-back" || r.frontMatter.status === "reverted").length },
    completeness: { changes: changes.length, complete, percent: changes.length === 0 ? 100 : Math.floor((complete / changes.length) * 1000) / 10, incomplete },
  };
}
