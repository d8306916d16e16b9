/**
 * Which source backs a proposal (docs/proposals.md): Prometheus when a URL is given (the flag
 * wins over the policy file), else metrics-server when the cluster serves metrics.k8s.io, else
 * a refusal that says what is missing.
 */
import { PolicyError, UsageError } from "../errors.ts";
import { MetricsServerSource, isMetricsServerAvailable, type MetricsApi } from "./metrics-server.ts";
import { PrometheusSource } from "./prometheus.ts";
import { NoMetricsSourceError, type MetricsSource } from "./source.ts";

export interface SelectOptions {
  /** --prometheus URL. */
  prometheusFlag?: string;
  /** prometheus: from .aiops.yaml. */
  policyPrometheus?: string;
  /** The API server (a KubeClient), for metrics-server; absent when offline. */
  api?: MetricsApi;
  timeoutMs?: number;
  now?: () => Date;
}

export interface SelectedSource {
  source: MetricsSource;
  /** Why this source, for the record: "--prometheus", ".aiops.yaml prometheus:", "metrics-server". */
  reason: string;
}

export async function selectMetricsSource(options: SelectOptions): Promise<SelectedSource> {
  const fromFlag = nonEmpty(options.prometheusFlag);
  const fromPolicy = nonEmpty(options.policyPrometheus);
  const url = fromFlag ?? fromPolicy;
  if (url !== undefined) {
    const origin = fromFlag !== undefined ? "--prometheus" : ".aiops.yaml prometheus:";
    checkUrl(url, origin);
    const source = new PrometheusSource({ url, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.now === undefined ? {} : { now: options.now }) });
    return { source, reason: origin };
  }
  if (options.api !== undefined && (await isMetricsServerAvailable(options.api))) {
    return { source: new MetricsServerSource(options.api, options.now === undefined ? {} : { now: options.now }), reason: "metrics-server" };
  }
  throw new NoMetricsSourceError(
    `no usage metrics: no Prometheus URL (--prometheus or prometheus: in .aiops.yaml) and metrics-server is not ${options.api === undefined ? "reachable without a cluster connection" : "installed (kubectl top pods fails)"}`,
    { hint: "pass --prometheus http://HOST:9090, set prometheus: in .aiops.yaml, or install metrics-server" },
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function checkUrl(url: string, origin: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined && (parsed.protocol === "http:" || parsed.protocol === "https:")) return;
  const message = `${origin} "${url}" is not an http(s) URL`;
  const hint = "give the Prometheus base URL, e.g. http://prometheus.monitoring:9090";
  throw origin === "--prometheus" ? new UsageError(message, hint) : new PolicyError(message, { hint });
}
