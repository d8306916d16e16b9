import { createServer, type Server } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ForbiddenError } from "../../../src/errors.ts";
import { KubeClient } from "../../../src/kube/client.ts";
import { MetricsServerSource, isMetricsServerAvailable, type MetricsApi } from "../../../src/metrics/metrics-server.ts";
import { PrometheusSource } from "../../../src/metrics/prometheus.ts";
import { selectMetricsSource } from "../../../src/metrics/select.ts";
import { MetricsUnavailableError, NoMetricsSourceError, NoUsageDataError, tierAdjustment, type WorkloadRef } from "../../../src/metrics/source.ts";
import { classifyAction, raiseTier } from "../../../src/policy/tiers.ts";

const web: WorkloadRef = { kind: "Deployment", namespace: "shop", name: "web" };
const at = new Date("2026-03-01T12:00:00Z");

const podMetrics = {
  kind: "PodMetricsList",
  apiVersion: "metrics.k8s.io/v1beta1",
  items: [
    { metadata: { name: "web-5d8f7c9b4-abcde" }, timestamp: "2026-03-01T11:59:30Z", window: "30s", containers: [{ name: "web", usage: { cpu: "183456789n", memory: "120000Ki" } }, { name: "proxy", usage: { cpu: "2m", memory: "20Mi" } }] },
    { metadata: { name: "web-5d8f7c9b4-fghij" }, timestamp: "2026-03-01T11:59:40Z", window: "30s", containers: [{ name: "web", usage: { cpu: "250m", memory: "100Mi" } }] },
    { metadata: { name: "web-api-6c7d8e9f0-klmno" }, timestamp: "2026-03-01T11:59:40Z", window: "30s", containers: [{ name: "web", usage: { cpu: "4", memory: "2Gi" } }] },
  ],
};

/** An API server stand-in speaking plain HTTP, so the real KubeClient maps its statuses. */
async function apiServer(answer: (path: string) => { status: number; body: string; type?: string }): Promise<{ client: KubeClient; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const { status, body, type } = answer(new URL(request.url ?? "/", "http://x").pathname);
    response.writeHead(status, { "Content-Type": type ?? "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const dir = await mkdtemp(join(tmpdir(), "aiops-ms-"));
  const kubeconfig = join(dir, "config");
  const port = (server.address() as { port: number }).port;
  await writeFile(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: shop}}]\ncurrent-context: x\n`);
  const client = KubeClient.connect({ kubeconfig, requestTimeoutMs: 5000, env: {} });
  return {
    client,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
const statusBody = (code: number, message: string) => json(code, { kind: "Status", apiVersion: "v1", status: "Failure", message, code });

describe("MetricsServerSource", () => {
  const api: MetricsApi = { request: async <T>() => podMetrics as T };

  it("turns one sample into p50 = p95 = max, samples 1, low confidence; max across the workload's pods only", async () => {
    const usage = await new MetricsServerSource(api, { now: () => at }).usage({ workload: web });
    expect(usage).toEqual({
      source: "metrics-server",
      origin: "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods",
      workload: web,
      windowSeconds: 30,
      at: at.toISOString(),
      containers: [
        { container: "proxy", cpu: { p50: "2m", p95: "2m", max: "2m", samples: 1 }, memory: { p50: "20Mi", p95: "20Mi", max: "20Mi", samples: 1 }, firstSample: "2026-03-01T11:59:40Z", lastSample: "2026-03-01T11:59:40Z", historySeconds: 0 },
        { container: "web", cpu: { p50: "250m", p95: "250m", max: "250m", samples: 1 }, memory: { p50: "120000Ki", p95: "120000Ki", max: "120000Ki", samples: 1 }, firstSample: "2026-03-01T11:59:40Z", lastSample: "2026-03-01T11:59:40Z", historySeconds: 0 },
      ],
      confidence: "low",
      reasons: ["metrics-server gives one point-in-time sample (2026-03-01T11:59:40Z), not a history: p95 and max are the current usage"],
      queries: ["GET /apis/metrics.k8s.io/v1beta1/namespaces/shop/pods"],
    });
  });

  it("raises the tier by one (tierAdjustment), the same as lowConfidence in the classifier", async () => {
    const usage = await new MetricsServerSource(api).usage({ workload: web });
    expect(tierAdjustment(usage)).toBe(1);
    expect(raiseTier(classifyAction({ type: "resources", namespace: "shop", targetKind: "Deployment" }), tierAdjustment(usage))).toBe("critical");
  });

  it("says when no pod of the workload has metrics", async () => {
    await expect(new MetricsServerSource(api).usage({ workload: { ...web, name: "nothing" } })).rejects.toThrow(NoUsageDataError);
  });
});

describe("MetricsServerSource through a KubeClient", () => {
  it.each<{ name: string; answer: { status: number; body: string; type?: string }; message: RegExp }>([
    { name: "not installed (404)", answer: statusBody(404, "the server could not find the requested resource"), message: /metrics unavailable: GET \/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/shop\/pods answered 404/ },
    { name: "registered but down (503)", answer: statusBody(503, "service unavailable"), message: /answered 503/ },
    { name: "not JSON", answer: { status: 200, body: "<html>proxy login</html>", type: "text/html" }, message: /the answer is not JSON/ },
    { name: "JSON but not a list", answer: json(200, { kind: "Status" }), message: /the answer is not a PodMetricsList/ },
  ])("$name -> metrics unavailable", async ({ answer, message }) => {
    const server = await apiServer(() => answer);
    try {
      const failure = new MetricsServerSource(server.client).usage({ workload: web });
      await expect(failure).rejects.toThrow(MetricsUnavailableError);
      await expect(new MetricsServerSource(server.client).usage({ workload: web })).rejects.toThrow(message);
    } finally {
      await server.close();
    }
  });

  it("keeps a forbidden as the KubeClient's error, which names the missing permission", async () => {
    const server = await apiServer(() => statusBody(403, 'pods.metrics.k8s.io is forbidden: User "viewer" cannot list resource "pods" in API group "metrics.k8s.io"'));
    try {
      await expect(new MetricsServerSource(server.client).usage({ workload: web })).rejects.toThrow(ForbiddenError);
    } finally {
      await server.close();
    }
  });

  it("reads the pod metrics", async () => {
    const server = await apiServer((path) => (path === "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods" ? json(200, podMetrics) : statusBody(404, "nope")));
    try {
      const usage = await new MetricsServerSource(server.client).usage({ workload: web });
      expect(usage.containers.map((c) => [c.container, c.cpu?.p95, c.memory?.p95])).toEqual([["proxy", "2m", "20Mi"], ["web", "250m", "120000Ki"]]);
      expect(await isMetricsServerAvailable(server.client)).toBe(false);
    } finally {
      await server.close();
    }
  });
});

describe("selectMetricsSource", () => {
  let installed: Awaited<ReturnType<typeof apiServer>>;
  let missing: Awaited<ReturnType<typeof apiServer>>;

  beforeAll(async () => {
    installed = await apiServer(() => json(200, { kind: "APIResourceList", groupVersion: "metrics.k8s.io/v1beta1", resources: [{ name: "pods" }] }));
    missing = await apiServer(() => statusBody(404, "the server could not find the requested resource"));
  });

  afterAll(async () => {
    await installed.close();
    await missing.close();
  });

  it("prefers --prometheus over the policy file and metrics-server", async () => {
    const selected = await selectMetricsSource({ prometheusFlag: "http://flag:9090", policyPrometheus: "http://policy:9090", api: installed.client });
    expect(selected.reason).toBe("--prometheus");
    expect(selected.source).toBeInstanceOf(PrometheusSource);
    expect(selected.source.describe()).toBe("Prometheus at http://flag:9090");
  });

  it("uses the policy's prometheus: when there is no flag", async () => {
    const selected = await selectMetricsSource({ policyPrometheus: "http://prometheus.monitoring:9090/", prometheusFlag: " ", api: installed.client });
    expect([selected.reason, selected.source.describe()]).toEqual([".aiops.yaml prometheus:", "Prometheus at http://prometheus.monitoring:9090"]);
  });

  it("falls back to metrics-server when it is installed", async () => {
    const selected = await selectMetricsSource({ api: installed.client });
    expect([selected.reason, selected.source.kind]).toEqual(["metrics-server", "metrics-server"]);
  });

  it("refuses when there is neither, saying what is missing", async () => {
    const failure = selectMetricsSource({ api: missing.client });
    await expect(failure).rejects.toThrow(NoMetricsSourceError);
    await expect(selectMetricsSource({ api: missing.client })).rejects.toThrow(
      "no usage metrics: no Prometheus URL (--prometheus or prometheus: in .aiops.yaml) and metrics-server is not installed (kubectl top pods fails)",
    );
    await expect(selectMetricsSource({})).rejects.toThrow(NoMetricsSourceError);
  });

  it.each<{ flag?: string; policy?: string; message: RegExp }>([
    { flag: "prometheus:9090", message: /--prometheus "prometheus:9090" is not an http\(s\) URL/ },
    { policy: "ftp://x", message: /\.aiops\.yaml prometheus: "ftp:\/\/x" is not an http\(s\) URL/ },
  ])("refuses a URL that is not http(s): $message", async ({ flag, policy, message }) => {
    await expect(selectMetricsSource({ ...(flag === undefined ? {} : { prometheusFlag: flag }), ...(policy === undefined ? {} : { policyPrometheus: policy }) })).rejects.toThrow(message);
  });
});
