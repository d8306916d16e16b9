/**
 * Without Prometheus: one list of pod metrics for the whole cluster from metrics-server, a
 * point-in-time sample (p95 = max = now), marked as such in the report.
 */
import type { MetricsApi } from "../../metrics/metrics-server.ts";
import { isMetricsServerAvailable } from "../../metrics/metrics-server.ts";
import { parseQuantity } from "../../recommend/quantity.ts";
import type { SeriesUsage, UsageData } from "../usage.ts";

interface PodMetricsList {
  items?: { metadata?: { name?: string; namespace?: string }; timestamp?: string; containers?: { name?: string; usage?: Record<string, string> }[] }[];
}

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
  const path = namespace === undefined ? "/apis/metrics.k8s.io/v1beta1/pods" : `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`;
  const list = await api.request<PodMetricsList>(path, { verb: "list", resource: "pods.metrics.k8s.io", ...(namespace === undefined ? {} : { namespace }) });
  const series: SeriesUsage[] = [];
  for (const item of list.items ?? []) {
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
