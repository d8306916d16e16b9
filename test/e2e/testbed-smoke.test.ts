// Smoke test of the test bed itself (scripts/testbed.sh): the real API server authenticates our
// users, RBAC holds, the scenarios are in the states the diagnosis tests rely on, metrics-server
// answers and Prometheus has the backfilled rightsizing history.
import { expect, it } from "vitest";
import { describeTestbed } from "./suite.ts";
import { kubectl, testbed } from "./testbed.ts";

function ok(args: string[], kubeconfig?: string): string {
  const result = kubectl(args, kubeconfig === undefined ? {} : { kubeconfig });
  expect(result.status, `kubectl ${args.join(" ")}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

interface PodList {
  items: {
    status: {
      phase?: string;
      containerStatuses?: {
        restartCount: number;
        ready: boolean;
        state?: { waiting?: { reason?: string } };
        lastState?: { terminated?: { reason?: string; exitCode?: number } };
      }[];
    };
  }[];
}

function pods(namespace: string): PodList["items"] {
  return (JSON.parse(ok(["get", "pods", "-n", namespace, "-l", `sim/scenario=${namespace}`, "-o", "json"])) as PodList).items;
}

function eventMessages(namespace: string, reason: string): string[] {
  const out = ok(["get", "events", "-n", namespace, "--field-selector", `reason=${reason}`, "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}"]);
  return out.split("\n").filter((line) => line !== "");
}

async function promQuery(expr: string): Promise<number[]> {
  const res = await fetch(`${testbed().prometheusUrl}/api/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ query: expr }),
  });
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  return body.data.result.map((r) => Number(r.value[1]));
}

describeTestbed("test bed", () => {
  it("serves v1.36 with three Ready kwok nodes", () => {
    expect(ok(["version", "-o", "json"])).toMatch(/"gitVersion": "v1\.36\.\d+"/);
    // The test bed's own nodes; a benchmark may have added more (kwok-bench-*).
    const nodes = ok(["get", "nodes", "-l", "type=kwok", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status}{\" \"}{end}"]);
    expect(nodes.trim().split(" ").filter((n) => n.startsWith("kwok-node-"))).toEqual(["kwok-node-0=True", "kwok-node-1=True", "kwok-node-2=True"]);
  });

  it("authenticates the users by client certificate and enforces RBAC", () => {
    const bed = testbed();
    expect(ok(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], bed.users.alice)).toBe("alice");
    expect(ok(["auth", "can-i", "patch", "deployments", "-n", "rightsizing"], bed.users.bob).trim()).toBe("yes");
    const denied = kubectl(["delete", "pod", "-n", "healthy", "x"], { kubeconfig: bed.users.viewer });
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toMatch(/Forbidden/);
  });

  it("has the crash-loop, OOM, image-pull and scheduling failures", () => {
    const crash = pods("crashloop-missing-env")[0]?.status.containerStatuses?.[0];
    expect(crash?.lastState?.terminated).toMatchObject({ reason: "Error", exitCode: 1 });
    expect(crash?.restartCount).toBeGreaterThanOrEqual(2);
    expect(eventMessages("crashloop-missing-env", "BackOff").join("\n")).toMatch(/Back-off restarting failed container/);

    const oom = pods("oomkill-memory-leak")[0]?.status.containerStatuses?.[0];
    expect(oom?.lastState?.terminated).toMatchObject({ reason: "OOMKilled", exitCode: 137 });

    const pull = pods("imagepull-bad-tag")[0]?.status;
    expect(pull?.phase).toBe("Pending");
    expect(pull?.containerStatuses?.[0]?.state?.waiting?.reason).toMatch(/^(ImagePullBackOff|ErrImagePull)$/);

    expect(eventMessages("pending-no-resources", "FailedScheduling").join("\n")).toMatch(/Insufficient cpu/);
    expect(eventMessages("liveness-failure", "Unhealthy").join("\n")).toMatch(/Liveness probe failed: HTTP probe failed with statuscode: 500/);
    expect(eventMessages("readiness-failure", "Unhealthy").join("\n")).toMatch(/Readiness probe failed/);
  });

  it("serves metrics.k8s.io for kubectl top", () => {
    expect(ok(["top", "pods", "-n", "rightsizing", "--no-headers"]).trim().split("\n")).toHaveLength(2);
  });

  it("has 7 days of rightsizing history in Prometheus", async () => {
    // the backfilled series (no job label), beside the live ones scraped from the real kubelet
    const sel = 'namespace="rightsizing",container="web",job=""';
    expect(await promQuery(`quantile_over_time(0.95, container_memory_working_set_bytes{${sel}}[7d])`)).toEqual([125829120, 125829120]);
    expect(await promQuery(`max_over_time(container_memory_working_set_bytes{${sel}}[7d])`)).toEqual([157286400, 157286400]);
    expect(await promQuery(`quantile_over_time(0.95, rate(container_cpu_usage_seconds_total{${sel}}[5m])[7d:5m])`)).toEqual([0.2, 0.2]);
  });
});
