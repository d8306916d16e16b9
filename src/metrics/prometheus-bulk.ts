/**
 * Usage of every pod container over the report window, from Prometheus, in eight queries for the
 * whole cluster (grouped by namespace, pod and container) instead of a dozen per workload: the
 * report's cost must not grow with the number of workloads. Same metrics and range functions as
 * src/metrics/prometheus.ts (instant vectors go stale after 5 minutes).
 */
import { promDuration } from "../../metrics/prometheus.ts";
import { MetricsQueryError, MetricsUnreachableError } from "../../metrics/source.ts";
import type { SeriesUsage, UsageData } from "../usage.ts";

const SELECTOR = `{container!="",container!="POD"}`;
const BY = "by (namespace, pod, container)";
/** How far back "history available" looks. */
const HISTORY_LOOKBACK_DAYS = 30;

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

interface Sample {
  metric?: Record<string, string>;
  value?: [number, string];
}

export interface PrometheusUsageOptions {
  url: string;
  end: Date;
  windowSeconds: number;
  timeoutMs?: number;
}

export async function readPrometheusUsage(options: PrometheusUsageOptions): Promise<UsageData> {
  const queries = bulkQueries(options.windowSeconds);
  const names = Object.keys(queries) as (keyof typeof queries)[];
  const results = await Promise.all(names.map((name) => query(options, queries[name])));
  const v = Object.fromEntries(names.map((name, i) => [name, results[i] ?? []])) as Record<keyof typeof queries, Sample[]>;
  const series = new Map<string, SeriesUsage>();
  const entry = (s: Sample): SeriesUsage | undefined => {
    const namespace = s.metric?.["namespace"];
    const pod = s.metric?.["pod"];
    const container = s.metric?.["container"];
    if (namespace === undefined || pod === undefined || container === undefined) return undefined;
    const key = `${namespace}/${pod}/${container}`;
    let found = series.get(key);
    if (found === undefined) {
      found = { namespace, pod, container, samples: 0 };
      series.set(key, found);
    }
    return found;
  };
  const assign = (list: Sample[], set: (target: SeriesUsage, value: number) => void): void => {
    for (const s of list) {
      const value = Number(s.value?.[1]);
      const target = entry(s);
      if (target !== undefined && Number.isFinite(value)) set(target, value);
    }
  };
  assign(v.memoryP95, (t, x) => (t.memoryP95 = x));
  assign(v.memoryMax, (t, x) => (t.memoryMax = x));
  assign(v.samples, (t, x) => (t.samples = x));
  assign(v.cpuP95, (t, x) => (t.cpuP95 = x));
  assign(v.cpuMax, (t, x) => (t.cpuMax = x));
  assign(v.first, (t, x) => (t.firstSampleMs = x * 1000));
  assign(v.oomKills, (t, x) => (t.oomKills = x));
  const earliest = Number(v.history[0]?.value?.[1]);
  const data: UsageData = { source: "prometheus", origin: options.url, pointInTime: false, series: [...series.values()], notes: [] };
  if (Number.isFinite(earliest)) data.historyDays = Math.round(((options.end.getTime() / 1000 - earliest) / 86400) * 10) / 10;
  else data.notes.push(`Prometheus at ${options.url} holds no container_memory_working_set_bytes samples in the last ${HISTORY_LOOKBACK_DAYS} days`);
  return data;
}

async function query(options: PrometheusUsageOptions, promql: string): Promise<Sample[]> {
  const base = options.url.replace(/\/+$/, "");
  const params = new URLSearchParams({ query: promql, time: (options.end.getTime() / 1000).toFixed(3) });
  const timeoutMs = options.timeoutMs ?? 60_000;
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${base}/api/v1/query`, { method: "POST", body: params, headers: { Accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    throw new MetricsUnreachableError(`cannot reach Prometheus at ${base}: ${error instanceof Error ? error.message : String(error)}`, {
      hint: "check the URL given by --prometheus or prometheus: in .aiops.yaml, and that Prometheus is up (/-/ready)",
      cause: error,
    });
  }
  let body: { status?: string; error?: string; data?: { result?: Sample[] } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  if (!response.ok || body?.status !== "success") {
    throw new MetricsQueryError(`Prometheus at ${base} refused a query (HTTP ${response.status}${body?.error === undefined ? "" : `: ${body.error}`}): ${promql}`, {
      hint: "check the Prometheus version (>= 2.7 for subqueries) and its logs",
    });
  }
  return body.data?.result ?? [];
}
