import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrometheusSource, buildQueries } from "../../../src/metrics/prometheus.ts";
import { promDuration } from "../../../src/metrics/prometheus-client.ts";
import { MetricsQueryError, MetricsUnreachableError, NoUsageDataError, ShortHistoryError, tierAdjustment, type WorkloadRef } from "../../../src/metrics/source.ts";
import { proposeContainerResources } from "../../../src/recommend/margin.ts";
import { freePort, startPrometheus, toOpenMetrics, type RunningPrometheus, type Series } from "./prometheus-server.ts";

const MI = 2 ** 20;
const ns = "rightsizing";
const web: WorkloadRef = { kind: "Deployment", namespace: ns, name: "web" };

describe("buildQueries: the exact PromQL", () => {
  it("selects the workload's pods by a quoted name pattern and aggregates per container", () => {
    expect(buildQueries(web)).toEqual({
      cpuP50: 'max by (container) (quantile_over_time(0.5, rate(container_cpu_usage_seconds_total{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"}[5m])[7d:5m]))',
      cpuP95: 'max by (container) (quantile_over_time(0.95, rate(container_cpu_usage_seconds_total{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"}[5m])[7d:5m]))',
      cpuMax: 'max by (container) (max_over_time(rate(container_cpu_usage_seconds_total{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"}[5m])[7d:5m]))',
      cpuSamples: 'sum by (container) (count_over_time(container_cpu_usage_seconds_total{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"}[7d]))',
      memoryP50: 'max by (container) (quantile_over_time(0.5, container_memory_working_set_bytes{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"}[7d]))',
      memoryP95: 'max by (container) (quantile_over_time(0.95, container_memory_working_set_bytes{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"}[7d]))',
      memoryMax: 'max by (container) (max_over_time(container_memory_working_set_bytes{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"}[7d]))',
      memorySamples: 'sum by (container) (count_over_time(container_memory_working_set_bytes{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"}[7d]))',
      firstSample: 'min by (container) (min_over_time(timestamp(container_memory_working_set_bytes{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"})[7d:5m]))',
      lastSample: 'max by (container) (max_over_time(timestamp(container_memory_working_set_bytes{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"})[7d:5m]))',
      oomKills: 'sum by (container) (max_over_time(kube_pod_container_status_last_terminated_reason{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+",reason="OOMKilled"}[7d]))',
      kubeStateMetrics: 'count by (container) (max_over_time(kube_pod_container_info{namespace="rightsizing",pod=~"web-[a-z0-9]+-[a-z0-9]+"}[7d]))',
    });
  });

  it.each<{ workload: WorkloadRef; window?: number; fragment: string }>([
    { workload: { kind: "StatefulSet", namespace: ns, name: "db" }, fragment: 'pod=~"db-[0-9]+"' },
    { workload: { kind: "DaemonSet", namespace: ns, name: "agent" }, fragment: 'pod=~"agent-[a-z0-9]+"' },
    { workload: { kind: "CronJob", namespace: ns, name: "nightly" }, fragment: 'pod=~"nightly-[0-9]+-[a-z0-9]+"' },
    { workload: { kind: "Pod", namespace: ns, name: "one" }, fragment: 'pod=~"one"' },
    // "." is a regex metacharacter: quoted for the regex, the backslash escaped for PromQL.
    { workload: { kind: "Deployment", namespace: ns, name: "web.v2" }, fragment: 'pod=~"web\\\\.v2-[a-z0-9]+-[a-z0-9]+"' },
    { workload: { kind: "Deployment", namespace: 'we"ird', name: "web" }, fragment: 'namespace="we\\"ird"' },
    { workload: web, window: 36 * 3600, fragment: "[36h:5m]" },
  ])("$fragment", ({ workload, window, fragment }) => {
    expect(buildQueries(workload, window).cpuP95).toContain(fragment);
  });

  it.each<[number, string]>([[604800, "7d"], [86400, "1d"], [5400, "90m"], [45, "45s"]])("duration %d -> %s", (seconds, want) => {
    expect(promDuration(seconds)).toBe(want);
  });
});

// History: one sample a minute, aligned to 5 minutes, ending 3 h before now.
const MINUTE = 60;
const end = Math.floor(Date.now() / 1000 / 300) * 300 - 3 * 3600;
const evaluatedAt = new Date((end + 3 * 3600) * 1000);

/** Minute samples from `from` (minutes before `end`), value by minute index. */
function minutes(count: number, value: (i: number) => number, every = 1): [number, number][] {
  const start = end - count * MINUTE;
  return Array.from({ length: Math.floor(count / every) }, (_, k) => [start + k * every * MINUTE, value(k * every)] as [number, number]);
}

/** A counter growing at `rate(i)` cores during minute i. */
function counter(count: number, rate: (i: number) => number, every = 1): [number, number][] {
  let total = 0;
  const values = Array.from({ length: count }, (_, i) => {
    const v = total;
    total += rate(i) * MINUTE;
    return v;
  });
  return minutes(count, (i) => values[i] ?? 0, every);
}

const TWO_DAYS = 2 * 24 * 60;
// Pod a: 2000 min at 100Mi / 0.1 core, 865 min at 120Mi / 0.2, the last 15 min at 150Mi / 0.3.
// Sorted, 95 % of 2880 samples lands inside the 120Mi block: p95 is exactly 120Mi, max 150Mi.
const phase = (i: number, a: number, b: number, c: number): number => (i < 2000 ? a : i < 2865 ? b : c);
function pod(name: string, memory: (i: number) => number, cpu: (i: number) => number, count = TWO_DAYS, every = 1, container = "web"): Series[] {
  const labels = { namespace: ns, pod: name, container };
  return [
    { name: "container_memory_working_set_bytes", labels, samples: minutes(count, memory, every) },
    { name: "container_cpu_usage_seconds_total", labels, samples: counter(count, cpu, every) },
  ];
}
const series: Series[] = [
  ...pod("web-5d8f7c9b4-abcde", (i) => phase(i, 100, 120, 150) * MI, (i) => phase(i, 0.1, 0.2, 0.3)),
  ...pod("web-5d8f7c9b4-fghij", (i) => (i === 100 ? 90 : 80) * MI, () => 0.05),
  // Another Deployment whose name starts with "web-": must not be counted.
  ...pod("web-api-6c7d8e9f0-klmno", () => 900 * MI, () => 3),
  // 10 hours of history: too short.
  ...pod("batch-7f8g9h0j1-pqrst", () => 50 * MI, () => 0.1, 600, 1, "batch"),
  // 30 hours, one sample every 20 minutes: 90 samples, too few.
  ...pod("db-0", () => 200 * MI, () => 0.5, 30 * 60, 20, "db"),
  // kube-state-metrics: pod a's last termination was an OOM kill.
  { name: "kube_pod_container_status_last_terminated_reason", labels: { namespace: ns, pod: "web-5d8f7c9b4-abcde", container: "web", reason: "OOMKilled" }, samples: minutes(600, () => 1) },
  ...["web-5d8f7c9b4-abcde", "web-5d8f7c9b4-fghij"].map((p) => ({ name: "kube_pod_container_info", labels: { namespace: ns, pod: p, container: "web" }, samples: minutes(TWO_DAYS, () => 1) })),
];

describe("PrometheusSource against a real Prometheus", () => {
  let prometheus: RunningPrometheus;
  let source: PrometheusSource;

  beforeAll(async () => {
    prometheus = await startPrometheus(
      toOpenMetrics(series, {
        container_memory_working_set_bytes: "gauge",
        container_cpu_usage_seconds_total: "counter",
        kube_pod_container_status_last_terminated_reason: "gauge",
        kube_pod_container_info: "gauge",
      }),
    );
    source = new PrometheusSource({ url: prometheus.url, now: () => evaluatedAt });
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
  });

  it("reads p50, p95, max, samples, history and OOM kills per container, max across pods", async () => {
    const usage = await source.usage({ workload: web });
    expect(usage).toMatchObject({ source: "prometheus", origin: prometheus.url, windowSeconds: 604800, at: evaluatedAt.toISOString(), confidence: "high", reasons: [] });
    expect(usage.containers).toEqual([
      {
        container: "web",
        cpu: { p50: "100m", p95: "200m", max: "300m", samples: 2 * TWO_DAYS },
        memory: { p50: "100Mi", p95: "120Mi", max: "150Mi", samples: 2 * TWO_DAYS },
        firstSample: new Date((end - TWO_DAYS * MINUTE) * 1000).toISOString(),
        lastSample: new Date((end - MINUTE) * 1000).toISOString(),
        historySeconds: (TWO_DAYS - 1) * MINUTE,
        oomKills: 1,
      },
    ]);
    expect(usage.queries).toHaveLength(12);
    expect(tierAdjustment(usage)).toBe(0);
  });

  it("feeds the margin: the seed example end to end", async () => {
    const [web0] = (await source.usage({ workload: web })).containers;
    const usage = { ...web0!, oomKills: 0 };
    expect(proposeContainerResources({ name: "web" }, usage).proposed).toEqual({ requests: { cpu: "260m", memory: "156Mi" }, limits: { memory: "200Mi" } });
  });

  it("refuses less than 24 h of history", async () => {
    const batch: WorkloadRef = { kind: "Deployment", namespace: ns, name: "batch" };
    const refusal = source.usage({ workload: batch });
    await expect(refusal).rejects.toThrow(ShortHistoryError);
    await expect(source.usage({ workload: batch })).rejects.toThrow(/container batch has 9h59m of history \(< 1d\)/);
  });

  it("refuses fewer than 100 samples", async () => {
    await expect(source.usage({ workload: { kind: "StatefulSet", namespace: ns, name: "db" } })).rejects.toThrow(/container db has 90 samples \(< 100\)/);
  });

  it("accepts short history when asked, as low confidence, one tier higher", async () => {
    const usage = await source.usage({ workload: { kind: "Deployment", namespace: ns, name: "batch" }, allowShortHistory: true });
    expect(usage.confidence).toBe("low");
    expect(usage.reasons).toEqual(["short history accepted (--allow-short-history): container batch has 9h59m of history (< 1d)"]);
    expect(usage.containers[0]).toMatchObject({ container: "batch", memory: { p95: "50Mi", max: "50Mi", samples: 600 } });
    expect(usage.containers[0]?.oomKills).toBeUndefined();
    expect(tierAdjustment(usage)).toBe(1);
  });

  it("says when there is no data for the workload", async () => {
    const missing = source.usage({ workload: { kind: "Deployment", namespace: ns, name: "nothing" } });
    await expect(missing).rejects.toThrow(NoUsageDataError);
    await expect(source.usage({ workload: { kind: "Deployment", namespace: ns, name: "nothing" } })).rejects.toThrow(/no container_memory_working_set_bytes .*\(pod=~"nothing-\[a-z0-9\]\+-\[a-z0-9\]\+"/);
  });

  it("turns an error body into a typed error naming the URL and the query", async () => {
    const failure = source.query("sum(", evaluatedAt);
    await expect(failure).rejects.toThrow(MetricsQueryError);
    await expect(source.query("sum(", evaluatedAt)).rejects.toThrow(new RegExp(`refused a query \\(bad_data: .*\\) at ${prometheus.url}/api/v1/query \\(query: sum\\(\\)`));
  });
});

describe("PrometheusSource failures", () => {
  let slow: Server;
  let slowUrl: string;
  let broken: Server;
  let brokenUrl: string;

  beforeAll(async () => {
    // Accepts connections and never answers.
    slow = createServer(() => undefined);
    broken = createServer((_, response) => response.writeHead(502, { "Content-Type": "text/html" }).end("<html>bad gateway</html>"));
    for (const server of [slow, broken]) await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server: Server): number => (server.address() as { port: number }).port;
    slowUrl = `http://127.0.0.1:${port(slow)}`;
    brokenUrl = `http://127.0.0.1:${port(broken)}/`;
  });

  afterAll(async () => {
    for (const server of [slow, broken]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("Prometheus down: connection refused, naming the URL and the query", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const failure = new PrometheusSource({ url }).usage({ workload: web });
    await expect(failure).rejects.toThrow(MetricsUnreachableError);
    await expect(new PrometheusSource({ url }).usage({ workload: web })).rejects.toThrow(new RegExp(`cannot reach Prometheus at ${url}: connection refused \\(query: .*container_`));
  });

  it("Prometheus slow: the timeout ends the wait", async () => {
    const failure = new PrometheusSource({ url: slowUrl, timeoutMs: 1000 }).query("up", evaluatedAt);
    await expect(failure).rejects.toThrow(MetricsUnreachableError);
    await expect(new PrometheusSource({ url: slowUrl, timeoutMs: 1000 }).query("up", evaluatedAt)).rejects.toThrow(`cannot reach Prometheus at ${slowUrl}: no answer within 1s (query: up)`);
  });

  it("an HTTP error that is not a Prometheus answer", async () => {
    const failure = new PrometheusSource({ url: brokenUrl }).query("up", evaluatedAt);
    await expect(failure).rejects.toThrow(MetricsQueryError);
    await expect(new PrometheusSource({ url: brokenUrl }).query("up", evaluatedAt)).rejects.toThrow(/HTTP 502, not a Prometheus API answer: <html>bad gateway<\/html>\) at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query \(query: up\)/);
  });

  it("hints at what to check", async () => {
    const error = await new PrometheusSource({ url: slowUrl, timeoutMs: 1000 }).query("up", evaluatedAt).catch((e: unknown) => e);
    expect((error as MetricsUnreachableError).hint).toMatch(/\/-\/ready.*--prometheus or prometheus: in \.aiops\.yaml/);
  });
});
