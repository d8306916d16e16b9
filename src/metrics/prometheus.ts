/**
 * Usage from Prometheus over its HTTP API (instant queries with `time=`): cAdvisor's
 * container_cpu_usage_seconds_total and container_memory_working_set_bytes, and kube-state-metrics
 * for OOM kills where it is scraped. Everything is computed by range functions, because instant
 * vectors go stale after 5 minutes and history may end before "now". The HTTP is
 * prometheus-client.ts, shared with the report's bulk reader (prometheus-bulk.ts).
 */
import { nanosFromNumber, formatCpu, formatMemory } from "../recommend/quantity.ts";
import { PrometheusClient, promDuration, promLiteral, valuesBy, type PrometheusClientOptions } from "./prometheus-client.ts";
import { podNamePattern } from "./pods.ts";
import {
  DEFAULT_WINDOW_SECONDS,
  MIN_HISTORY_SECONDS,
  MIN_SAMPLES,
  NoUsageDataError,
  ShortHistoryError,
  formatDuration,
  type ContainerUsage,
  type MetricsSource,
  type UsageQuery,
  type UsageStats,
  type WorkloadRef,
  type WorkloadUsage,
} from "./source.ts";

export interface PrometheusOptions extends PrometheusClientOptions {
  /** The evaluation time; the clock is a dependency so tests pin it. */
  now?: () => Date;
}

const QUERY_NAMES = ["cpuP50", "cpuP95", "cpuMax", "cpuSamples", "memoryP50", "memoryP95", "memoryMax", "memorySamples", "firstSample", "lastSample", "oomKills", "kubeStateMetrics"] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

/** Every query made for one workload, by name; exported so tests pin the exact PromQL. */
export function buildQueries(workload: WorkloadRef, windowSeconds: number = DEFAULT_WINDOW_SECONDS): Record<QueryName, string> {
  const pods = `namespace=${promLiteral(workload.namespace)},pod=~${promLiteral(podNamePattern(workload))}`;
  const containers = `{${pods},container!="",container!="POD"}`;
  const w = promDuration(windowSeconds);
  const memory = `container_memory_working_set_bytes${containers}`;
  const cpuRate = `rate(container_cpu_usage_seconds_total${containers}[5m])[${w}:5m]`;
  // Per container, the maximum across pods: the hottest pod sets the size.
  return {
    cpuP50: `max by (container) (quantile_over_time(0.5, ${cpuRate}))`,
    cpuP95: `max by (container) (quantile_over_time(0.95, ${cpuRate}))`,
    cpuMax: `max by (container) (max_over_time(${cpuRate}))`,
    cpuSamples: `sum by (container) (count_over_time(container_cpu_usage_seconds_total${containers}[${w}]))`,
    memoryP50: `max by (container) (quantile_over_time(0.5, ${memory}[${w}]))`,
    memoryP95: `max by (container) (quantile_over_time(0.95, ${memory}[${w}]))`,
    memoryMax: `max by (container) (max_over_time(${memory}[${w}]))`,
    memorySamples: `sum by (container) (count_over_time(${memory}[${w}]))`,
    // A 5m subquery step dates the history to within 5 minutes at a small cost.
    firstSample: `min by (container) (min_over_time(timestamp(${memory})[${w}:5m]))`,
    lastSample: `max by (container) (max_over_time(timestamp(${memory})[${w}:5m]))`,
    // A lower bound: pod/containers whose last termination in the window was an OOM kill.
    oomKills: `sum by (container) (max_over_time(kube_pod_container_status_last_terminated_reason{${pods},reason="OOMKilled"}[${w}]))`,
    // Tells "no OOM kill" (kube-state-metrics present) from "unknown" (absent).
    kubeStateMetrics: `count by (container) (max_over_time(kube_pod_container_info{${pods}}[${w}]))`,
  };
}

type Vector = Map<string, number>;

export class PrometheusSource implements MetricsSource {
  readonly kind = "prometheus";
  private readonly client: PrometheusClient;
  private readonly now: () => Date;

  constructor(options: PrometheusOptions) {
    this.client = new PrometheusClient(options);
    this.now = options.now ?? (() => new Date());
  }

  describe(): string {
    return this.client.describe();
  }

  async usage(query: UsageQuery): Promise<WorkloadUsage> {
    const windowSeconds = query.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    const at = this.now();
    const queries = buildQueries(query.workload, windowSeconds);
    const answers = await Promise.all(QUERY_NAMES.map(async (name) => [name, await this.query(queries[name], at)] as const));
    const v = Object.fromEntries(answers) as Record<QueryName, Vector>;
    const names = [...new Set([...v.cpuP95.keys(), ...v.memoryP95.keys()])].sort();
    const where = `${query.workload.kind.toLowerCase()} ${query.workload.name} in namespace "${query.workload.namespace}"`;
    if (names.length === 0) {
      throw new NoUsageDataError(`${this.describe()} has no container_memory_working_set_bytes or container_cpu_usage_seconds_total samples for the pods of ${where} (pod=~"${podNamePattern(query.workload)}") over the last ${formatDuration(windowSeconds)}`, {
        hint: "check that Prometheus scrapes cAdvisor (kubelet /metrics/cadvisor) and that the workload's pods exist and are named after it",
      });
    }
    const containers = names.map((name) => toContainer(name, v));
    const reasons = containers.flatMap(shortHistoryReasons);
    if (reasons.length > 0 && query.allowShortHistory !== true) {
      throw new ShortHistoryError(`too little history in ${this.describe()} for ${where}: ${reasons.join("; ")}; a resource proposal needs at least ${formatDuration(MIN_HISTORY_SECONDS)} and ${MIN_SAMPLES} samples per container`, {
        hint: "wait until the workload has a day of history, or pass --allow-short-history to accept a low-confidence proposal (raised one approval tier)",
      });
    }
    return {
      source: "prometheus",
      origin: this.client.url,
      workload: query.workload,
      windowSeconds,
      at: at.toISOString(),
      containers,
      confidence: reasons.length > 0 ? "low" : "high",
      reasons: reasons.map((r) => `short history accepted (--allow-short-history): ${r}`),
      queries: QUERY_NAMES.map((name) => queries[name]),
    };
  }

  /** One instant query at `time` (prometheus-client.ts); the vector's finite values by their `container` label. */
  async query(promql: string, time: Date): Promise<Vector> {
    return valuesBy(await this.client.query(promql, time), "container");
  }
}

function toContainer(name: string, v: Record<QueryName, Vector>): ContainerUsage {
  const first = v.firstSample.get(name);
  const last = v.lastSample.get(name);
  const usage: ContainerUsage = {
    container: name,
    firstSample: first === undefined ? "" : new Date(first * 1000).toISOString(),
    lastSample: last === undefined ? "" : new Date(last * 1000).toISOString(),
    historySeconds: first === undefined || last === undefined ? 0 : Math.round(last - first),
  };
  const cpu = stats(name, v.cpuP50, v.cpuP95, v.cpuMax, v.cpuSamples, formatCpu);
  if (cpu !== undefined) usage.cpu = cpu;
  const memory = stats(name, v.memoryP50, v.memoryP95, v.memoryMax, v.memorySamples, formatMemory);
  if (memory !== undefined) usage.memory = memory;
  const oom = v.oomKills.get(name);
  if (oom !== undefined || v.kubeStateMetrics.has(name)) usage.oomKills = oom ?? 0;
  return usage;
}

function stats(name: string, p50: Vector, p95: Vector, max: Vector, samples: Vector, format: (nanos: bigint) => string): UsageStats | undefined {
  const values = [p50.get(name), p95.get(name), max.get(name)];
  if (values.some((value) => value === undefined)) return undefined;
  const [a = 0, b = 0, c = 0] = values;
  return { p50: format(nanosFromNumber(a)), p95: format(nanosFromNumber(b)), max: format(nanosFromNumber(c)), samples: samples.get(name) ?? 0 };
}

function shortHistoryReasons(container: ContainerUsage): string[] {
  const reasons: string[] = [];
  if (container.historySeconds < MIN_HISTORY_SECONDS) reasons.push(`container ${container.container} has ${formatDuration(container.historySeconds)} of history (< ${formatDuration(MIN_HISTORY_SECONDS)})`);
  const samples = Math.min(...[container.cpu, container.memory].flatMap((s) => (s === undefined ? [] : [s.samples])));
  if (samples < MIN_SAMPLES) reasons.push(`container ${container.container} has ${samples} samples (< ${MIN_SAMPLES})`);
  return reasons;
}
