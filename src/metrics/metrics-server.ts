/**
 * Usage from metrics-server (metrics.k8s.io/v1beta1): one point-in-time sample per pod, no
 * history. p50 = p95 = max = the current usage, so proposals built on it are low-confidence and
 * one tier higher (docs/policy.md, low confidence) — reported here, applied by the caller (tierAdjustment).
 */
import { AiopsError, NotFoundError } from "../errors.ts";
import { formatCpu, formatMemory, maxOf, parseQuantity } from "../recommend/quantity.ts";
import { podNameMatcher, podNamePattern } from "./pods.ts";
import { MetricsUnavailableError, NoUsageDataError, type ContainerUsage, type MetricsSource, type UsageQuery, type WorkloadUsage } from "./source.ts";

/** The part of KubeClient this source needs; a KubeClient fits. */
export interface MetricsApi {
  request<T = unknown>(path: string, options: { verb: string; resource: string; namespace?: string }): Promise<T>;
}

/** One item of a PodMetricsList: a pod's containers' usage as quantity strings at `timestamp`. */
export interface PodMetrics {
  metadata?: { name?: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: { name?: string; usage?: Record<string, string> }[];
}

interface PodMetricsList {
  items?: PodMetrics[];
}

const GROUP_PATH = "/apis/metrics.k8s.io/v1beta1";
const RESOURCE = "pods.metrics.k8s.io";

/**
 * The one reader of pod metrics, for a namespace or (namespace undefined) the whole cluster, used
 * by MetricsServerSource and the report's bulk reader (metrics-server-bulk.ts). A missing or
 * unhealthy metrics API, or an answer that is not a PodMetricsList, is a MetricsUnavailableError;
 * other failures (forbidden, unreachable) are the client's errors.
 */
export async function listPodMetrics(api: MetricsApi, namespace: string | undefined): Promise<{ path: string; items: PodMetrics[] }> {
  const path = namespace === undefined ? `${GROUP_PATH}/pods` : `${GROUP_PATH}/namespaces/${encodeURIComponent(namespace)}/pods`;
  const list = await requestMetrics<PodMetricsList>(api, path, { verb: "list", resource: RESOURCE, ...(namespace === undefined ? {} : { namespace }) });
  if (!Array.isArray(list?.items)) throw unavailable(path, "the answer is not a PodMetricsList");
  return { path, items: list.items };
}

export class MetricsServerSource implements MetricsSource {
  readonly kind = "metrics-server";
  private readonly api: MetricsApi;
  private readonly now: () => Date;

  constructor(api: MetricsApi, options: { now?: () => Date } = {}) {
    this.api = api;
    this.now = options.now ?? (() => new Date());
  }

  describe(): string {
    return "metrics-server (metrics.k8s.io/v1beta1)";
  }

  async usage(query: UsageQuery): Promise<WorkloadUsage> {
    const { namespace } = query.workload;
    const { path, items } = await listPodMetrics(this.api, namespace);
    const matcher = podNameMatcher(query.workload);
    const pods = items.filter((item) => matcher.test(item.metadata?.name ?? ""));
    if (pods.length === 0) {
      throw new NoUsageDataError(`metrics-server has no metrics for the pods of ${query.workload.kind.toLowerCase()} ${query.workload.name} in namespace "${namespace}" (pod=~"${podNamePattern(query.workload)}")`, {
        hint: "the pods may not be running yet or be too new (metrics-server scrapes every 15-60s); check kubectl top pods",
      });
    }
    const timestamp = pods.map((p) => p.timestamp ?? "").sort().at(-1) || this.now().toISOString();
    const byContainer = new Map<string, { cpu: bigint[]; memory: bigint[] }>();
    for (const pod of pods) {
      for (const c of pod.containers ?? []) {
        const entry = byContainer.get(c.name ?? "") ?? { cpu: [], memory: [] };
        const cpu = c.usage?.["cpu"];
        const memory = c.usage?.["memory"];
        if (cpu !== undefined) entry.cpu.push(parseQuantity(cpu, { precision: "round-up" }));
        if (memory !== undefined) entry.memory.push(parseQuantity(memory, { precision: "round-up" }));
        byContainer.set(c.name ?? "", entry);
      }
    }
    const containers = [...byContainer.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, values]) => pointInTime(name, values, timestamp));
    return {
      source: "metrics-server",
      origin: path,
      workload: query.workload,
      windowSeconds: parseWindow(pods[0]?.window),
      at: this.now().toISOString(),
      containers,
      confidence: "low",
      reasons: [`metrics-server gives one point-in-time sample (${timestamp}), not a history: p95 and max are the current usage`],
      queries: [`GET ${path}`],
    };
  }
}

/** Whether metrics.k8s.io is served; other failures (forbidden, unreachable) are thrown. */
export async function isMetricsServerAvailable(api: MetricsApi): Promise<boolean> {
  try {
    await requestMetrics(api, GROUP_PATH, { verb: "get", resource: RESOURCE });
    return true;
  } catch (error) {
    if (error instanceof MetricsUnavailableError) return false;
    throw error;
  }
}

async function requestMetrics<T>(api: MetricsApi, path: string, options: { verb: string; resource: string; namespace?: string }): Promise<T> {
  try {
    return await api.request<T>(path, options);
  } catch (error) {
    const why = unavailableStatus(error);
    if (why === undefined) throw error;
    throw unavailable(path, why, error);
  }
}

/** 404 (not installed), 503 (registered but down) or a non-JSON answer mean "unavailable"; others are real errors. */
function unavailableStatus(error: unknown): string | undefined {
  if (error instanceof NotFoundError) return "answered 404";
  if (error instanceof SyntaxError) return "the answer is not JSON";
  const status = error instanceof AiopsError ? error.httpStatus : undefined;
  return status === 502 || status === 503 || status === 404 ? `answered ${status}` : undefined;
}

function unavailable(path: string, why: string, cause?: unknown): MetricsUnavailableError {
  return new MetricsUnavailableError(`metrics unavailable: GET ${path} ${why}; metrics-server is not installed or not healthy`, {
    hint: "install metrics-server (kubectl top pods fails without it), or give a Prometheus URL with --prometheus or prometheus: in .aiops.yaml",
    cause,
  });
}

function pointInTime(name: string, values: { cpu: bigint[]; memory: bigint[] }, timestamp: string): ContainerUsage {
  const usage: ContainerUsage = { container: name, firstSample: timestamp, lastSample: timestamp, historySeconds: 0 };
  const [cpu, ...moreCpu] = values.cpu;
  if (cpu !== undefined) {
    const value = formatCpu(maxOf(cpu, ...moreCpu));
    usage.cpu = { p50: value, p95: value, max: value, samples: 1 };
  }
  const [memory, ...moreMemory] = values.memory;
  if (memory !== undefined) {
    const value = formatMemory(maxOf(memory, ...moreMemory));
    usage.memory = { p50: value, p95: value, max: value, samples: 1 };
  }
  return usage;
}

function parseWindow(window: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(window ?? "");
  return match?.[1] === undefined ? 0 : Math.round(Number(match[1]));
}
