/**
 * Usage of every pod container over the report window, from Prometheus, in eight queries for the
 * whole cluster (grouped by namespace, pod and container) instead of a dozen per workload: the
 * report's cost must not grow with the number of workloads. Same metrics and range functions as
 * prometheus.ts (instant vectors go stale after 5 minutes), through the same client
 * (prometheus-client.ts); the report (src/report/usage.ts) aggregates the series per workload.
 */
import type { SeriesUsage, UsageData } from "../model/usage.ts";
import { PrometheusClient, promDuration, type PromSample } from "./prometheus-client.ts";

const SELECTOR = `{container!="",container!="POD"}`;
const BY = "by (namespace, pod, container)";
/** How far back "history available" looks. */
const HISTORY_LOOKBACK_DAYS = 30;
/** Per query: the bulk queries cover the whole cluster, so they get longer than a workload's (30 s). */
export const DEFAULT_BULK_TIMEOUT_MS = 60_000;

export function bulkQueries(windowSeconds: number): Record<"memoryP95" | "memoryMax" | "samples" | "cpuP95" | "cpuMax" | "first" | "oomKills" | "history", string> {
  const w = promDuration(windowSeconds);
  const memory = `container_memory_working_set_bytes${SELECTOR}`;
  const cpuRate = `rate(container_cpu_usage_seconds_total${SELECTOR}[5m])[${w}:5m]`;
  return {
    memoryP95: `max ${BY} (quantile_over_time(0.95, ${memory}[${w}]))`,
    memoryMax: `max ${BY} (max_over_time(${memory}[${w}]))`,
    samples: `sum ${BY} (count_over_time(${memory}[${w}]))`,
    cpuP95: `max ${BY} (quantile_over_time(0.95, ${cpuRate}))`,
    cpuMax: `max ${BY} (max_over_time(${cpuRate}))`,
    first: `min ${BY} (min_over_time(timestamp(${memory})[${w}:5m]))`,
    oomKills: `sum ${BY} (max_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}[${w}]))`,
    // The earliest hour with any container sample: how much history the report can stand on.
    history: `min(min_over_time(timestamp(count(container_memory_working_set_bytes))[${HISTORY_LOOKBACK_DAYS}d:1h]))`,
  };
}

export interface PrometheusUsageOptions {
  url: string;
  end: Date;
  windowSeconds: number;
  /** Per query; default 60 s. */
  timeoutMs?: number;
}

export async function readPrometheusUsage(options: PrometheusUsageOptions): Promise<UsageData> {
  const client = new PrometheusClient({ url: options.url, timeoutMs: options.timeoutMs ?? DEFAULT_BULK_TIMEOUT_MS });
  const queries = bulkQueries(options.windowSeconds);
  const names = Object.keys(queries) as (keyof typeof queries)[];
  const results = await Promise.all(names.map((name) => client.query(queries[name], options.end)));
  const v = Object.fromEntries(names.map((name, i) => [name, results[i] ?? []])) as Record<keyof typeof queries, PromSample[]>;
  const series = new Map<string, SeriesUsage>();
  const entry = (s: PromSample): SeriesUsage | undefined => {
    const namespace = s.labels["namespace"];
    const pod = s.labels["pod"];
    const container = s.labels["container"];
    if (namespace === undefined || pod === undefined || container === undefined) return undefined;
    const key = `${namespace}/${pod}/${container}`;
    let found = series.get(key);
    if (found === undefined) {
      found = { namespace, pod, container, samples: 0 };
      series.set(key, found);
    }
    return found;
  };
  const assign = (list: PromSample[], set: (target: SeriesUsage, value: number) => void): void => {
    for (const s of list) {
      const target = entry(s);
      if (target !== undefined && Number.isFinite(s.value)) set(target, s.value);
    }
  };
  assign(v.memoryP95, (t, x) => (t.memoryP95 = x));
  assign(v.memoryMax, (t, x) => (t.memoryMax = x));
  assign(v.samples, (t, x) => (t.samples = x));
  assign(v.cpuP95, (t, x) => (t.cpuP95 = x));
  assign(v.cpuMax, (t, x) => (t.cpuMax = x));
  assign(v.first, (t, x) => (t.firstSampleMs = x * 1000));
  assign(v.oomKills, (t, x) => (t.oomKills = x));
  const earliest = v.history[0]?.value ?? Number.NaN;
  const data: UsageData = { source: "prometheus", origin: options.url, pointInTime: false, series: [...series.values()], notes: [] };
  if (Number.isFinite(earliest)) data.historyDays = Math.round(((options.end.getTime() / 1000 - earliest) / 86400) * 10) / 10;
  else data.notes.push(`Prometheus at ${options.url} holds no container_memory_working_set_bytes samples in the last ${HISTORY_LOOKBACK_DAYS} days`);
  return data;
}
