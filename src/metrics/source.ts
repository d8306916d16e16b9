/**
 * Where resource usage comes from (docs/proposals.md). Two implementations: Prometheus (a
 * window of history) and metrics-server (one point-in-time sample). The proposal code only sees
 * this interface, so tests can hand it recorded usage.
 */
import { AiopsError, PolicyError } from "../errors.ts";

export const DEFAULT_WINDOW_SECONDS = 7 * 24 * 3600;
/** Less history than this refuses a proposal unless allowShortHistory (docs/proposals.md). */
export const MIN_HISTORY_SECONDS = 24 * 3600;
export const MIN_SAMPLES = 100;

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" | "Pod";

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

export interface UsageQuery {
  workload: WorkloadRef;
  /** Window length in seconds; default 7 days. */
  windowSeconds?: number;
  /** Accept history shorter than 24 h or 100 samples; the result is then low-confidence. */
  allowShortHistory?: boolean;
}

/** Usage of one resource over the window as exact quantity strings: cores for cpu, bytes for memory. */
export interface UsageStats {
  p50: string;
  p95: string;
  max: string;
  /** Raw samples behind the figures, summed over the workload's pods. */
  samples: number;
}

export interface ContainerUsage {
  container: string;
  cpu?: UsageStats;
  memory?: UsageStats;
  /** Earliest and latest sample (RFC 3339); their distance is the history length. */
  firstSample: string;
  lastSample: string;
  historySeconds: number;
  /**
   * OOM kills in the window, where the source knows them (kube-state-metrics in Prometheus);
   * undefined when unknown. A lower bound: pods whose last termination was OOMKilled.
   */
  oomKills?: number;
}

export interface WorkloadUsage {
  source: "prometheus" | "metrics-server";
  /** Where the numbers came from (URL or API path), for the record. */
  origin: string;
  workload: WorkloadRef;
  windowSeconds: number;
  /** Evaluation time (RFC 3339). */
  at: string;
  containers: ContainerUsage[];
  /** "low" for point-in-time samples and accepted short history; `reasons` says why. */
  confidence: "high" | "low";
  reasons: string[];
  /** The queries or requests made, for the record. */
  queries: string[];
}

/**
 * A source of per-container usage for one workload.
 *
 * Implementations select the workload's pods by name (see pods.ts), report each container's
 * figures as the maximum across pods, and throw typed errors: `MetricsUnreachableError` (down,
 * timeout), `MetricsQueryError` (HTTP error or error body), `MetricsUnavailableError` (the API
 * is not installed), `NoUsageDataError` (no samples) and `ShortHistoryError` (too little history
 * and no allowShortHistory). They never lower a tier: low confidence is reported, not hidden.
 */
export interface MetricsSource {
  readonly kind: WorkloadUsage["source"];
  /** Human-readable origin, e.g. "Prometheus at http://prometheus:9090". */
  describe(): string;
  usage(query: UsageQuery): Promise<WorkloadUsage>;
}

/**
 * Tier steps to add for proposals built from these numbers: 1 for low confidence, else 0.
 * Use it with raiseTier(tier, steps), or set ActionInput.lowConfidence instead; never both,
 * or the tier is raised twice.
 */
export function tierAdjustment(usage: Pick<WorkloadUsage, "confidence">): 0 | 1 {
  return usage.confidence === "low" ? 1 : 0;
}

/** Prometheus or the metrics API cannot be reached (connection refused, DNS, timeout). */
export class MetricsUnreachableError extends AiopsError {}

/** The metrics backend answered, but with an error. */
export class MetricsQueryError extends AiopsError {}

/** metrics.k8s.io is not served (metrics-server missing or unhealthy). */
export class MetricsUnavailableError extends AiopsError {}

/** The source has no samples for the workload's pods. */
export class NoUsageDataError extends AiopsError {}

/** Too little history for a resource proposal (docs/proposals.md): a policy refusal. */
export class ShortHistoryError extends PolicyError {}

/** Neither Prometheus nor metrics-server: nothing to base a proposal on. */
export class NoMetricsSourceError extends PolicyError {}

/** Kept here for the metrics code and proposals; it lives in util so the renderers can use it too. */
export { formatDuration } from "../util/duration.ts";
