// The test bed's real node (kubelet, containerd, runc, CNI, kube-proxy): the seven incidents are
// real containers there, their failures come from the kernel and the kubelet, Services route,
// Prometheus and metrics-server read the real kubelet, and no packet for a test address leaves the
// machine.
import { spawnSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { expect, it } from "vitest";
import { NANOS_PER_UNIT, parseQuantity } from "../../src/recommend/quantity.ts";
import { gitdir } from "../helpers/gitdir.ts";
import { describeTestbed } from "./suite.ts";
import { SCENARIO_CATEGORIES, kubectl, testbed } from "./testbed.ts";

const REAL_NODE = "real-node-0";

function ok(args: string[]): string {
  const result = kubectl(args);
  expect(result.status, `kubectl ${args.join(" ")}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

interface Pod {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { containerStatuses?: { restartCount: number; lastState?: { terminated?: { reason?: string; exitCode?: number } } }[] };
}

function pods(namespace: string): Pod[] {
  return (JSON.parse(ok(["get", "pods", "-n", namespace, "-l", `sim/scenario=${namespace}`, "-o", "json"])) as { items: Pod[] }).items;
}

interface Event {
  reason: string;
  message: string;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

function events(namespace: string, reason: string): Event[] {
  return (JSON.parse(ok(["get", "events", "-n", namespace, "--field-selector", `reason=${reason}`, "-o", "json"])) as { items: Event[] }).items;
}

interface Finding {
  category: string;
  evidence: string[];
}

function findings(namespace: string): Finding[] {
  const result = kubectl(["aiops", "diagnose", "namespace", namespace, "-o", "json"]);
  expect(result.status, result.stderr).toBe(0);
  const list = JSON.parse(result.stdout) as { items: { findings: Finding[] }[] };
  return list.items.flatMap((item) => item.findings);
}

async function promQuery(expr: string): Promise<{ metric: Record<string, string>; value: number }[]> {
  const res = await fetch(`${testbed().prometheusUrl}/api/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ query: expr }),
  });
  const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** The packets the guard table has dropped so far (forward + postrouting). */
function guardDrops(): number {
  const out = spawnSync("nft", ["list", "table", "inet", "aiops_testbed_guard"], { encoding: "utf8" });
  expect(out.status, out.stderr).toBe(0);
  return [...out.stdout.matchAll(/counter packets (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

function tryConnect(host: string, port: number, timeoutMs: number): Promise<"connected" | "failed"> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (outcome: "connected" | "failed") => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done("failed"));
    socket.once("connect", () => done("connected"));
    socket.once("error", () => done("failed"));
  });
}

describeTestbed("the real node", () => {
  it("is Ready beside the kwok nodes, with containerd and without kwok's annotation", () => {
    const node = JSON.parse(ok(["get", "node", REAL_NODE, "-o", "json"])) as {
      metadata: { annotations?: Record<string, string> };
      status: { nodeInfo: { containerRuntimeVersion: string; kubeletVersion: string }; conditions: { type: string; status: string }[] };
    };
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/2\.\d+\.\d+/);
    expect(node.status.nodeInfo.kubeletVersion).toMatch(/^v1\.36\.\d+$/);
    expect(node.metadata.annotations?.["kwok.x-k8s.io/node"]).toBeUndefined();
    expect(node.status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
  });

  it("runs every scheduled scenario pod", () => {
    for (const namespace of [...Object.keys(SCENARIO_CATEGORIES), "rightsizing", "healthy"]) {
      if (namespace === "pending-no-resources") continue;
      const list = pods(namespace);
      expect(list.length, namespace).toBeGreaterThan(0);
      for (const pod of list) expect(pod.spec.nodeName, `${namespace}/${pod.metadata.name}`).toBe(REAL_NODE);
    }
  });

  it("OOM kills come from the kernel: exit 137, reason OOMKilled, and the diagnosis says so", () => {
    const terminated = pods("oomkill-memory-leak")[0]?.status.containerStatuses?.[0]?.lastState?.terminated;
    expect(terminated).toMatchObject({ reason: "OOMKilled", exitCode: 137 });
    const oom = findings("oomkill-memory-leak").find((f) => f.category === "OOMKilled");
    expect(oom?.evidence.join("\n")).toMatch(/OOMKilled.*137|137.*OOMKilled/);
  });

  it("liveness failures are the kubelet's own probe events", () => {
    const unhealthy = events("liveness-failure", "Unhealthy");
    const real = unhealthy.find((e) => /Liveness probe failed: HTTP probe failed with statuscode: 500/.test(e.message));
    expect(real).toBeDefined();
    expect(real?.source?.component ?? real?.reportingComponent).toBe("kubelet");
    expect(real?.source?.host ?? real?.reportingInstance).toBe(REAL_NODE);
    expect(findings("liveness-failure").map((f) => f.category)).toContain("LivenessProbeFailure");
  });

  it("a tag that does not exist fails to pull from the loopback registry", () => {
    const failed = events("imagepull-bad-tag", "Failed").map((e) => e.message).join("\n");
    expect(failed).toMatch(/Failed to pull image "127\.0\.0\.1:5000\/demo:1\.99\.99-doesnotexist"/);
    expect(failed).toMatch(/not found/);
    expect(findings("imagepull-bad-tag").map((f) => f.category)).toContain("ImagePullError");
  });

  it("finds nothing in healthy", () => {
    expect(findings("healthy")).toEqual([]);
  });

  it("routes a Service's ClusterIP from a pod and from the host", async () => {
    const ip = ok(["get", "service", "web", "-n", "healthy", "-o", "jsonpath={.spec.clusterIP}"]).trim();
    expect(ip).toMatch(/^10\.0\.0\.\d+$/);
    const fromPod = ok(["exec", "-n", "healthy", "deploy/web", "--", "/demo", "load", "--url", `http://${ip}/`, "--rate", "5", "--duration", "2s"]);
    expect(fromPod).toMatch(/200/);
    const fromHost = await fetch(`http://${ip}/`, { signal: AbortSignal.timeout(5000) });
    expect(fromHost.status).toBe(200);
  });

  it("drops packets for pod, Service and kwok addresses that would leave the machine", async () => {
    const route = spawnSync("ip", ["route", "get", "10.245.1.200"], { encoding: "utf8" }).stdout;
    expect(route).toMatch(/dev aiops-br0/);
    const before = guardDrops();
    // a kwok pod's address is fiction: without the guard this SYN would go out of the default route
    expect(await tryConnect("10.244.0.77", 80, 1500)).toBe("failed");
    // a Service address nobody owns: no kube-proxy rule, so only the guard stops it
    expect(await tryConnect("10.0.0.250", 80, 1500)).toBe("failed");
    expect(guardDrops()).toBeGreaterThan(before);
  });

  it("Prometheus scrapes the real kubelet's cAdvisor and the demo app", async () => {
    const memory = await waitFor("cAdvisor series of the rightsizing pods", async () => {
      const series = await promQuery('last_over_time(container_memory_working_set_bytes{namespace="rightsizing",container="web",job="kubelet-cadvisor"}[2m])');
      return series.length === 2 ? series : undefined;
    }, 90_000);
    for (const s of memory) {
      // the demo app holds 80Mi
      expect(s.value).toBeGreaterThan(70 * 2 ** 20);
      expect(s.value).toBeLessThan(120 * 2 ** 20);
    }
    const requests = await waitFor("the demo app's own metrics", async () => {
      const series = await promQuery('sum(last_over_time(demo_http_requests_total{namespace="healthy",path="/ready"}[2m]))');
      return series.length === 1 && (series[0]?.value ?? 0) > 0 ? series : undefined;
    }, 90_000);
    expect(requests[0]?.value).toBeGreaterThan(0);
  });

  it("propose resources on a real pod uses the kubelet's real cAdvisor series", async () => {
    // healthy/web has live series only (no backfill): minutes of history, so --allow-short-history;
    // right after `scenarios` restarted Prometheus the first scrapes may not be in yet: retry
    type Pre = { source: string; confidence: string; containers: Record<string, { memory?: { p95: string; samples: number }; cpu?: { samples: number } }> };
    const record = await waitFor("a proposal from the live series of healthy/web", () => {
      const repo = gitdir();
      const result = kubectl(["aiops", "propose", "resources", "deployment/web", "-n", "healthy", "--prometheus", testbed().prometheusUrl, "--window", "1h", "--allow-short-history", "--history-dir", path.join(repo, "history"), "-o", "json"]);
      if (result.status !== 0) return undefined;
      const parsed = JSON.parse(result.stdout) as { frontMatter: { tier: string; metrics: { pre: Pre } } };
      const web = parsed.frontMatter.metrics.pre.containers["web"];
      return (web?.memory?.samples ?? 0) >= 8 && (web?.cpu?.samples ?? 0) >= 8 ? parsed : undefined;
    }, 180_000);
    const pre = record.frontMatter.metrics.pre;
    expect(pre.source).toBe("prometheus");
    expect(pre.confidence).toBe("low");
    // the demo app's real working set: a few MiB, far below its 64Mi limit
    const p95Bytes = Number(parseQuantity(pre.containers["web"]?.memory?.p95 ?? "0") / NANOS_PER_UNIT);
    expect(p95Bytes).toBeGreaterThan(1 * 2 ** 20);
    expect(p95Bytes).toBeLessThan(48 * 2 ** 20);
    // medium for resources, raised once for the short history
    expect(record.frontMatter.tier).toBe("critical");
  }, 240_000);

  it("metrics-server reads the real kubelet", () => {
    const top = ok(["top", "pods", "-n", "rightsizing", "--no-headers"]).trim().split("\n");
    expect(top).toHaveLength(2);
    for (const line of top) {
      const memoryMi = Number(/(\d+)Mi/.exec(line)?.[1]);
      expect(memoryMi).toBeGreaterThan(70);
      expect(memoryMi).toBeLessThan(120);
    }
  });
});
