/**
 * Builds a health report from plain data (pure: no I/O, no clock): the cluster snapshot, usage,
 * the history's records and the previous report's digest.
 */
import { RuleContext, type Snapshot } from "../diagnose/context.ts";
import { diagnoseSnapshot } from "../diagnose/engine.ts";
import type { UsageData } from "../model/usage.ts";
import type { TierPolicy } from "../policy/tiers.ts";
import type { FrontMatter } from "../records/schema.ts";
import { rankActions } from "./actions.ts";
import { assessCapacity } from "./capacity.ts";
import { buildDigest, diffDigests } from "./digest.ts";
import { assessHygiene } from "./hygiene.ts";
import { summarizeRecords } from "./records-summary.ts";
import { assessReliability } from "./reliability.ts";
import { assessRightsizing } from "./rightsizing.ts";
import { scoreReport } from "./score.ts";
import type { HealthReport, PeriodWindow, ReportDigest } from "./types.ts";
import { indexByNamespace } from "./usage.ts";
import { collectWorkloads } from "./workloads.ts";

export interface ReportInput {
  period: PeriodWindow;
  cluster: HealthReport["cluster"];
  /** Every object of the cluster (one list per resource type), PodDisruptionBudgets included. */
  snapshot: Snapshot;
  usage: UsageData;
  records: readonly FrontMatter[];
  previous?: { id: string; digest: ReportDigest };
  tierPolicy?: TierPolicy;
}

export function buildReport(input: ReportInput): HealthReport {
  const ctx = new RuleContext(input.snapshot, input.tierPolicy);
  const list = diagnoseSnapshot(input.snapshot, input.tierPolicy === undefined ? {} : { tierPolicy: input.tierPolicy });
  const workloads = collectWorkloads(ctx);
  const hasUsage = input.usage.source !== "none";
  const reliability = assessReliability(list, ctx, input.period);
  const capacity = assessCapacity(ctx, hasUsage ? input.usage.series : undefined);
  const rightsizing = assessRightsizing(workloads, indexByNamespace(input.usage.series), input.usage.pointInTime, Date.parse(input.period.end));
  const hygiene = assessHygiene(workloads, ctx);
  const score = scoreReport({ reliability, capacity, hygiene, rightsizing });
  const metrics: HealthReport["metrics"] = { source: input.usage.source, pointInTime: input.usage.pointInTime, notes: input.usage.notes };
  if (input.usage.origin !== undefined) metrics.origin = input.usage.origin;
  if (input.usage.historyDays !== undefined) metrics.historyDays = input.usage.historyDays;
  const body = {
    apiVersion: "aiops.dev/v1" as const,
    kind: "HealthReport" as const,
    period: input.period,
    generatedAt: input.snapshot.now,
    cluster: input.cluster,
    metrics,
    score,
    actions: rankActions(reliability, capacity, rightsizing, hygiene),
    reliability,
    capacity,
    rightsizing,
    hygiene,
    records: summarizeRecords(input.records, input.period),
  };
  const digest = buildDigest(body);
  const report: HealthReport = { ...body, digest };
  if (input.previous !== undefined) report.change = diffDigests(input.previous.digest, digest, input.previous.id);
  return report;
}
