import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkQueries, readPrometheusUsage } from "../../../src/metrics/prometheus-bulk.ts";
import { indexByNamespace, usageOfWorkload } from "../../../src/report/usage.ts";
import { MetricsUnreachableError } from "../../../src/metrics/source.ts";
import { freePort, startPrometheus, toOpenMetrics, type RunningPrometheus, type Series } from "./prometheus-server.ts";

const MI = 2 ** 20;
const MINUTE = 60;
const end = Math.floor(Date.now() / 1000 / 300) * 300 - 3 * 3600;
const evaluatedAt = new Date((end + 3 * 3600) * 1000);
const TWO_DAYS = 2 * 24 * 60;

function minutes(value: (i: number) => number): [number, number][] {
  return Array.from({ length: TWO_DAYS }, (_, i) => [end - (TWO_DAYS - i) * MINUTE, value(i)] as [number, number]);
}
function counter(rate: (i: number) => number): [number, number][] {
  let total = 0;
  return minutes((i) => {
    const v = total;
    total += rate(i) * MINUTE;
    return v;
  });
}
const phase = (i: number, a: number, b: number, c: number): number => (i < 2000 ? a : i < 2865 ? b : c);
function pod(namespace: string, name: string, memory: (i: number) => number, cpu: (i: number) => number): Series[] {
  const labels = { namespace, pod: name, container: "web" };
  return [
    { name: "container_memory_working_set_bytes", labels, samples: minutes(memory) },
    { name: "container_cpu_usage_seconds_total", labels, samples: counter(cpu) },
  ];
}

describe("cluster-wide usage from a real Prometheus, in eight queries", () => {
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    const series = [
      ...pod("shop", "web-5d8f7c9b4-abcde", (i) => phase(i, 100, 120, 150) * MI, (i) => phase(i, 0.1, 0.2, 0.3)),
      ...pod("shop", "web-5d8f7c9b4-fghij", () => 80 * MI, () => 0.05),
      ...pod("other", "web-5d8f7c9b4-zzzzz", () => 900 * MI, () => 3),
      { name: "kube_pod_container_status_last_terminated_reason", labels: { namespace: "shop", pod: "web-5d8f7c9b4-abcde", container: "web", reason: "OOMKilled" }, samples: minutes(() => 1).slice(-600) },
    ];
    prometheus = await startPrometheus(toOpenMetrics(series, { container_memory_working_set_bytes: "gauge", container_cpu_usage_seconds_total: "counter", kube_pod_container_status_last_terminated_reason: "gauge" }));
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
  });

  it("reads every pod container, and a workload's figures are the max across its pods", async () => {
    const data = await readPrometheusUsage({ url: prometheus.url, end: evaluatedAt, windowSeconds: 7 * 86400 });
    expect(data.series).toHaveLength(3);
    expect(data.historyDays).toBeGreaterThan(2);
    expect(data.historyDays).toBeLessThan(2.3);
    const usage = usageOfWorkload({ kind: "Deployment", namespace: "shop", name: "web" }, indexByNamespace(data.series), data, evaluatedAt.getTime());
    expect(usage).toEqual([{ container: "web", confidence: "high", reasons: [], cpu: { p95: "200m", max: "300m" }, memory: { p95: "120Mi", max: "150Mi" }, oomKills: 1 }]);
  });

  it("the queries group by namespace, pod and container", () => {
    const q = bulkQueries(86400);
    expect(q.memoryP95).toBe('max by (namespace, pod, container) (quantile_over_time(0.95, container_memory_working_set_bytes{container!="",container!="POD"}[1d]))');
    expect(q.cpuP95).toContain("rate(container_cpu_usage_seconds_total{container!=\"\",container!=\"POD\"}[5m])[1d:5m]");
  });

  it("an unreachable Prometheus is a typed error", async () => {
    const port = await freePort();
    await expect(readPrometheusUsage({ url: `http://127.0.0.1:${port}`, end: evaluatedAt, windowSeconds: 86400, timeoutMs: 2000 })).rejects.toBeInstanceOf(MetricsUnreachableError);
  });
});
