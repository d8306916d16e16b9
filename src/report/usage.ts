/**
 * The aggregation per workload container of the usage read in bulk (src/metrics/prometheus-bulk.ts,
 * metrics-server-bulk.ts; the data types are src/model/usage.ts): the hottest pod sets the size,
 * as in src/metrics/prometheus.ts. Pure; from src/metrics/ it takes only the pure pod-name
 * matching (pods.ts) and the proposals' history thresholds (source.ts).
 */
import { podNameMatcher } from "../metrics/pods.ts";
import { MIN_HISTORY_SECONDS, MIN_SAMPLES, type WorkloadRef } from "../metrics/source.ts";
import type { SeriesUsage, UsageData } from "../model/usage.ts";
import type { ContainerUsageInput } from "../recommend/margin.ts";
import { formatCpu, formatMemory, nanosFromNumber } from "../recommend/quantity.ts";

export interface WorkloadContainerUsage extends ContainerUsageInput {
  confidence: "high" | "low";
  reasons: string[];
}

/** Series grouped by namespace, so matching a workload's pods does not scan the cluster. */
export function indexByNamespace(series: readonly SeriesUsage[]): Map<string, SeriesUsage[]> {
  const index = new Map<string, SeriesUsage[]>();
  for (const s of series) {
    const list = index.get(s.namespace);
    if (list === undefined) index.set(s.namespace, [s]);
    else list.push(s);
  }
  return index;
}

/** Per container of one workload: p95/max across its pods, samples summed, OOM kills summed. */
export function usageOfWorkload(workload: WorkloadRef, index: Map<string, SeriesUsage[]>, data: Pick<UsageData, "pointInTime">, nowMs: number): WorkloadContainerUsage[] {
  const matcher = podNameMatcher(workload);
  const byContainer = new Map<string, SeriesUsage[]>();
  for (const s of index.get(workload.namespace) ?? []) {
    if (!matcher.test(s.pod)) continue;
    const list = byContainer.get(s.container);
    if (list === undefined) byContainer.set(s.container, [s]);
    else list.push(s);
  }
  return [...byContainer.entries()].map(([container, list]) => aggregate(container, list, data.pointInTime, nowMs));
}

function aggregate(container: string, list: SeriesUsage[], pointInTime: boolean, nowMs: number): WorkloadContainerUsage {
  const top = (pick: (s: SeriesUsage) => number | undefined): number | undefined => {
    const values = list.map(pick).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : Math.max(...values);
  };
  const samples = list.reduce((sum, s) => sum + s.samples, 0);
  const firsts = list.map((s) => s.firstSampleMs).filter((v): v is number => v !== undefined);
  const historySeconds = firsts.length === 0 ? 0 : Math.round((nowMs - Math.min(...firsts)) / 1000);
  const reasons: string[] = [];
  if (pointInTime) reasons.push("metrics-server: one point-in-time sample, no history");
  else {
    if (historySeconds < MIN_HISTORY_SECONDS) reasons.push(`${Math.round(historySeconds / 3600)}h of history (< 24h)`);
    if (samples < MIN_SAMPLES) reasons.push(`${samples} samples (< ${MIN_SAMPLES})`);
  }
  const usage: WorkloadContainerUsage = { container, confidence: reasons.length === 0 ? "high" : "low", reasons };
  const cpuP95 = top((s) => s.cpuP95);
  const cpuMax = top((s) => s.cpuMax);
  if (cpuP95 !== undefined) usage.cpu = { p95: formatCpu(nanosFromNumber(cpuP95)), max: formatCpu(nanosFromNumber(cpuMax ?? cpuP95)) };
  const memoryP95 = top((s) => s.memoryP95);
  const memoryMax = top((s) => s.memoryMax);
  if (memoryP95 !== undefined) usage.memory = { p95: formatMemory(nanosFromNumber(memoryP95)), max: formatMemory(nanosFromNumber(memoryMax ?? memoryP95)) };
  const ooms = list.map((s) => s.oomKills).filter((v): v is number => v !== undefined);
  if (ooms.length > 0) usage.oomKills = ooms.reduce((a, b) => a + b, 0);
  return usage;
}
