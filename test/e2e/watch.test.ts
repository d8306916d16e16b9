import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { gitdir } from "../helpers/gitdir.ts";
import { describeTestbed } from "./suite.ts";
import { DEMO_IMAGE, REAL_NODE_PLACEMENT, TESTBED_DIR, createNamespace, kubectl, testbed } from "./testbed.ts";
import { WatchProcess, type WatchLine } from "./watch-process.ts";

/**
 * `watch` against an API server this test owns: a second kube-apiserver on the test bed's etcd,
 * started with the test bed's own flags (read from its recorded pid) on another port. The test
 * can then stop and restart it (its own process) without touching the shared one, and
 * watch must live through that.
 */

const NS = `watch-e2e-${process.pid}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

class OwnApiServer {
  private process: ChildProcess | undefined;
  private readonly args: string[];
  private readonly binary: string;
  readonly port: number;
  readonly kubeconfig: string;

  constructor(port: number, dir: string) {
    const pid = readFileSync(path.join(TESTBED_DIR, "pids", "kube-apiserver.pid"), "utf8").trim();
    const [binary = "", ...args] = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== "");
    this.binary = binary;
    this.port = port;
    this.args = args
      .filter((a) => !a.startsWith("--secure-port=") && !a.startsWith("--audit-log-path=") && !a.startsWith("--audit-policy-file="))
      .concat([`--secure-port=${port}`]);
    const kubeconfig = parse(readFileSync(testbed().kubeconfig, "utf8")) as { clusters: { cluster: { server: string } }[] };
    for (const c of kubeconfig.clusters) c.cluster.server = `https://127.0.0.1:${port}`;
    this.kubeconfig = path.join(dir, "own-apiserver.kubeconfig");
    writeFileSync(this.kubeconfig, stringify(kubeconfig));
  }

  async start(): Promise<void> {
    this.process = spawn(this.binary, this.args, { stdio: "ignore" });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      // a server still starting may accept the connection and answer late: a hung probe is "not yet"
      const ready = (() => {
        try {
          return kubectl(["get", "--raw", "/readyz", "--request-timeout=3s"], { kubeconfig: this.kubeconfig, timeoutMs: 5000 }).status === 0;
        } catch {
          return false;
        }
      })();
      if (ready) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`own kube-apiserver on port ${this.port} not ready`);
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  }
}

function crashLoopingDeployment(name: string): string {
  // The demo app on the real node, without the DATABASE_URL it requires: a real crash loop.
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
${REAL_NODE_PLACEMENT}      containers:
      - name: ${name}
        image: ${DEMO_IMAGE}
        env: [{name: DEMO_REQUIRE_ENV, value: DATABASE_URL}]
        resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 32Mi}}
`;
}

/** The line of the incident of Deployment `name` in this suite's namespace, once watch opened it. */
function opened(watch: WatchProcess, name: string): WatchLine | undefined {
  return watch.lines.find((l) => l.event === "opened" && l.incident === `Deployment/${NS}/${name}`);
}

describeTestbed("kubectl aiops watch on the test bed", () => {
  let own: OwnApiServer;
  let watch: WatchProcess;
  let repo = "";

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "aiops-watch-e2e-"));
    own = new OwnApiServer(await freePort(), dir);
    await own.start();
    // A PromQL rule that fires as long as the rightsizing scenario's history is in Prometheus.
    repo = gitdir({
      ".aiops.yaml": `watch:\n  ruleInterval: 2s\n  rules:\n  - name: rightsizing-history\n    expr: 'count(count_over_time(container_memory_working_set_bytes{namespace="rightsizing"}[8d])) > 0'\n    for: 2s\n`,
    });
    await createNamespace(NS);
    watch = new WatchProcess(["-n", NS, "--history-dir", path.join(repo, "history"), "-o", "json", "--resolve-after", "5s", "--duration", "10m", "--prometheus", testbed().prometheusUrl], own.kubeconfig);
    await watch.waitFor("the initial sync", () => (watch.stderr.includes("synced") ? true : undefined), 60_000);
  }, 200_000);

  afterAll(async () => {
    if (watch !== undefined && watch.child.exitCode === null) watch.child.kill("SIGKILL");
    kubectl(["delete", "namespace", NS, "--wait=false", "--ignore-not-found"]);
    await own?.stop();
  });

  it("records a crash-looping Deployment created while it runs within 30 s, once, with its MTTD", async () => {
    const created = Date.now();
    expect(kubectl(["apply", "-f", "-"], { input: crashLoopingDeployment("api") }).status).toBe(0);
    const line = await watch.waitFor("the incident of api", () => opened(watch, "api"), 30_000);
    expect(Date.now() - created).toBeLessThan(30_000);
    expect(line.mttd_seconds).toBeGreaterThanOrEqual(0);
    expect(line.mttd_seconds).toBeLessThan(30);
    const record = readFileSync(line.path ?? "", "utf8");
    expect(record).toContain('stage: "diagnosis"');
    expect(record).toContain("CrashLoopBackOff");
    expect(record).toMatch(/mttd_seconds: [0-9.]+/);
    expect(record).toContain(`incident: "Deployment/${NS}/api"`);
    // More crash loops of the same workload: still one incident.
    await new Promise((r) => setTimeout(r, 5000));
    expect(watch.lines.filter((l) => l.incident === `Deployment/${NS}/api`)).toHaveLength(1);
  });

  it("a policy rule that keeps firing for its `for` is one incident, recorded once", async () => {
    const line = await watch.waitFor("the rule incident", () => watch.lines.find((l) => l.event === "opened" && l.incident === "rule/rightsizing-history"), 30_000);
    const record = readFileSync(line.path ?? "", "utf8");
    expect(record).toContain('title: "Rule rightsizing-history firing"');
    expect(record).toMatch(/mttd_seconds: [0-9.]+/);
    await new Promise((r) => setTimeout(r, 5000));
    expect(watch.lines.filter((l) => l.incident === "rule/rightsizing-history")).toHaveLength(1);
  });

  it("a second watch on the same history exits 1 naming the holder", () => {
    const second = kubectl(["aiops", "watch", "-n", NS, "--history-dir", path.join(repo, "history"), "--once"], { kubeconfig: own.kubeconfig, timeoutMs: 30_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/another kubectl aiops watch is already running .*pid \d+/);
  });

  it("keeps running across an API server restart and records the next incident", async () => {
    await own.stop();
    await new Promise((r) => setTimeout(r, 3000));
    await own.start();
    expect(watch.child.exitCode).toBeNull();
    expect(kubectl(["apply", "-f", "-"], { input: crashLoopingDeployment("api2") }).status).toBe(0);
    const line = await watch.waitFor("the incident of api2 after the restart", () => opened(watch, "api2"), 60_000);
    expect(line.record).toMatch(/^[0-9A-Z]{26}$/);
    expect(watch.stderr).toMatch(/watch interrupted|list failed/);
  }, 200_000);

  it("ends the incident when the workload is gone, and stops cleanly on SIGTERM", async () => {
    expect(kubectl(["delete", "deployment", "api", "-n", NS]).status).toBe(0);
    await watch.waitFor("the resolution of api", () => watch.lines.find((l) => l.event === "resolved" && l.incident === `Deployment/${NS}/api`), 60_000);
    const exited = new Promise<number | null>((resolve) => watch.child.once("exit", (code) => resolve(code)));
    watch.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(watch.stderr).toContain("stopped:");
    expect(existsSync(path.join(repo, ".git", "aiops-watch.lock"))).toBe(false);
  }, 120_000);
});
