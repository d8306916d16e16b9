/**
 * The one Prometheus HTTP client: instant queries (`GET /api/v1/query` with `time=`), a timeout,
 * and the mapping of failures to MetricsUnreachableError (down, refused, timeout) and
 * MetricsQueryError (HTTP error or error body), each naming the URL and the query. Used by the
 * per-workload source (prometheus.ts), the report's bulk reader (prometheus-bulk.ts) and, through
 * PrometheusSource.query, watch's rules.
 */
import { MetricsQueryError, MetricsUnreachableError } from "./source.ts";

export const DEFAULT_PROMETHEUS_TIMEOUT_MS = 30_000;

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus.monitoring:9090 (a path prefix is kept, trailing slashes dropped). */
  url: string;
  /** Per query; default 30 s. */
  timeoutMs?: number;
}

/** One series of an instant vector: all its labels, and its value as a number (NaN when absent or unparsable). */
export interface PromSample {
  labels: Record<string, string>;
  value: number;
}

/** A PromQL string literal: backslashes and quotes escaped. */
export function promLiteral(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A PromQL duration ("7d", "36h", "90m", "45s"). */
export function promDuration(seconds: number): string {
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]] as const) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

/** The finite values of a vector by one label ("" when the series lacks it; a later series wins). */
export function valuesBy(samples: readonly PromSample[], label: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const sample of samples) if (Number.isFinite(sample.value)) values.set(sample.labels[label] ?? "", sample.value);
  return values;
}

export class PrometheusClient {
  readonly url: string;
  readonly timeoutMs: number;

  constructor(options: PrometheusClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PROMETHEUS_TIMEOUT_MS;
  }

  describe(): string {
    return `Prometheus at ${this.url}`;
  }

  /** One instant query evaluated at `time`: the series of the answer, in Prometheus' order. */
  async query(promql: string, time: Date): Promise<PromSample[]> {
    const endpoint = `${this.url}/api/v1/query`;
    const params = new URLSearchParams({ query: promql, time: (time.getTime() / 1000).toFixed(3) });
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${endpoint}?${params}`, { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(this.timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new MetricsUnreachableError(`cannot reach ${this.describe()}: ${unreachableReason(error, this.timeoutMs)} (query: ${promql})`, {
        hint: `check that Prometheus is up (${this.url}/-/ready) and that the URL given by --prometheus or prometheus: in .aiops.yaml is right; a slow Prometheus needs a longer timeout`,
        cause: error,
      });
    }
    const body = parseBody(text);
    if (body?.status === "error" || status < 200 || status >= 300 || body === undefined) {
      const detail = body?.status === "error" ? `${body.errorType ?? "error"}: ${body.error ?? "no message"}` : `HTTP ${status}${body === undefined ? `, not a Prometheus API answer: ${text.trim().slice(0, 200)}` : ""}`;
      throw new MetricsQueryError(`${this.describe()} refused a query (${detail}) at ${endpoint} (query: ${promql})`, {
        hint: status === 401 || status === 403 ? "Prometheus needs credentials this tool does not send; point --prometheus at an endpoint it can read" : "check the Prometheus version (>= 2.7 for subqueries) and its logs",
      });
    }
    const result = body.data?.result;
    if (!Array.isArray(result)) return [];
    // A scalar or string answer is [time, value]: its items are not series, so it has none.
    return result.flatMap((sample) => (typeof sample === "object" && sample !== null && !Array.isArray(sample) ? [{ labels: sample.metric ?? {}, value: Number(sample.value?.[1]) }] : []));
  }
}

interface PrometheusBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: { metric?: Record<string, string>; value?: [number, string] }[] };
}

function parseBody(text: string): PrometheusBody | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === "object" && body !== null && "status" in body ? (body as PrometheusBody) : undefined;
  } catch {
    return undefined;
  }
}

function unreachableReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeoutMs / 1000}s`;
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN") return "host not found";
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
