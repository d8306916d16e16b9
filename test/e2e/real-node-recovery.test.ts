// A crash of the real node's processes (kill -9 of kubelet, containerd, kube-proxy and the API
// server forwarder) is recovered by a second `testbed up`: the node is Ready again, the running
// containers survived (their shims outlive containerd), Services route again, and new pods start.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { describeTestbed } from "./suite.ts";
import { DEMO_IMAGE, REAL_NODE_PLACEMENT, ROOT, TESTBED_DIR, createNamespace, kubectl } from "./testbed.ts";

const NS = `recovery-e2e-${process.pid}`;
const KILLED = ["kubelet", "containerd", "kube-proxy", "apiserver-forwarder"];

function pidOf(component: string): number {
  return Number(readFileSync(path.join(TESTBED_DIR, "pids", `${component}.pid`), "utf8").trim());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function containerIds(namespace: string): string[] {
  const out = kubectl(["get", "pods", "-n", namespace, "-l", "app=web", "-o", "jsonpath={.items[*].status.containerStatuses[*].containerID}"]);
  return out.stdout.split(/\s+/).filter((id) => id !== "").sort();
}

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describeTestbed("the real node after kill -9", () => {
  afterAll(() => {
    kubectl(["delete", "namespace", NS, "--wait=false", "--ignore-not-found"]);
  });

  it("comes back with a second up: Ready, containers kept, Services routing, new pods running", async () => {
    const before = containerIds("healthy");
    expect(before).toHaveLength(2);
    const pids = KILLED.map(pidOf);
    for (const pid of pids) process.kill(pid, "SIGKILL");
    await until("the killed processes to be gone", () => pids.every((pid) => !alive(pid)), 10_000);

    const up = spawnSync("bash", ["scripts/testbed.sh", "up"], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
    expect(up.status, up.stderr.slice(-3000)).toBe(0);
    for (const component of KILLED) expect(alive(pidOf(component)), component).toBe(true);

    expect(kubectl(["get", "node", "real-node-0", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]).stdout).toBe("True");
    // the same containers: nothing was restarted by the crash
    expect(containerIds("healthy")).toEqual(before);
    const ip = kubectl(["get", "service", "web", "-n", "healthy", "-o", "jsonpath={.spec.clusterIP}"]).stdout.trim();
    const answers = async (): Promise<boolean> => (await fetch(`http://${ip}/`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.status === 200;
    await until(`http://${ip}/ to answer again`, answers, 60_000);

    await createNamespace(NS);
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
${REAL_NODE_PLACEMENT}      containers:
      - name: web
        image: ${DEMO_IMAGE}
        readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1}
`;
    expect(kubectl(["apply", "-f", "-"], { input: deployment }).status).toBe(0);
    const rollout = kubectl(["rollout", "status", "deployment/web", "-n", NS, "--timeout=90s"], { timeoutMs: 100_000 });
    expect(rollout.status, rollout.stderr).toBe(0);
  }, 400_000);
});
