/**
 * Without Prometheus: one list of pod metrics for the whole cluster from metrics-server, a
 * point-in-time sample (p95 = max = now), marked as such in the report. Read by the same code as
 * a workload's usage (listPodMetrics, metrics-server.ts).
 */
import type { SeriesUsage, UsageData } from "../model/usage.ts";
import { parseQuantity } from "../recommend/quantity.ts";
import { isMetricsServerAvailable, listPodMetrics, type MetricsApi } from "./metrics-server.ts";

function number(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return Number(parseQuantity(text, { precision: "round-up" })) / 1e9;
  } catch {
    return undefined;
  }
}

/** Undefined when metrics.k8s.io is not served. */
export async function readMetricsServerUsage(api: MetricsApi, namespace: string | undefined): Promise<UsageData | undefined> {
  if (!(await isMetricsServerAvailable(api))) return undefined;
  const { path, items } = await listPodMetrics(api, namespace);
  const series: SeriesUsage[] = [];
  for (const item of items) {
    for (const c of item.containers ?? []) {
      const cpu = number(c.usage?.["cpu"]);
      const memory = number(c.usage?.["memory"]);
      const s: SeriesUsage = { namespace: item.metadata?.namespace ?? "", pod: item.metadata?.name ?? "", container: c.name ?? "", samples: 1 };
      if (cpu !== undefined) s.cpuP95 = s.cpuMax = cpu;
      if (memory !== undefined) s.memoryP95 = s.memoryMax = memory;
      const t = Date.parse(item.timestamp ?? "");
      if (!Number.isNaN(t)) s.firstSampleMs = t;
      series.push(s);
    }
  }
  return {
    source: "metrics-server",
    origin: path,
    pointInTime: true,
    series,
    notes: ["metrics-server gives one point-in-time sample: p95 and peak are the usage now, proposals are low-confidence; give --prometheus for a window"],
  };
}
