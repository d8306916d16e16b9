// The watch Deployment of deploy/ (40-watch.yaml), as shipped, on the test bed's real node from
// the image built here (deploy-testbed.ts, as report-cronjob.test.ts): two replicas, one leading
// through the Lease aiops-system/aiops-watch, records pushed to a history served by `git daemon`
// on the node address. A workload breaks, the leader records it and pushes; the leader is killed
// (SIGKILL: it cannot release the lease) while the incident is open; the other replica must lead
// within 30 s, adopt the incident (no second record of it) and record the next one.
//
// Changed from deploy/ (in memory; the files stay as shipped), which the first test checks:
// - the Deployment's image, AIOPS_HISTORY_REPO and real-node placement (as the report's test);
// - the NetworkPolicy's two addresses users must set: the API server's endpoint (10.245.1.1:6443)
//   and the git remote (the daemon's port). The test bed's network plugin does not enforce
//   NetworkPolicy: the policy is applied, its effect is not tested here.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { stringify } from "yaml";
import { GitRemote, IMAGE, NAMESPACE, NODE_ADDRESS, REAL_NODE, YAML_11, clusterObjectsOf, deployDocuments, differences, exists, importImage, ok, placeOnRealNode, removeDeployed, sleep, waitForNamespaceFree, type Obj, type PodSpec } from "./deploy-testbed.ts";
import { describeTestbed } from "./suite.ts";
import { DEMO_IMAGE, REAL_NODE_PLACEMENT, createNamespace, kubectl, readTestbedEnv } from "./testbed.ts";

const NS = `watch-deploy-e2e-${process.pid}`;
const SELECTOR = "app.kubernetes.io/component=watch";
const TAKEOVER_LIMIT_MS = 30_000;

const podSpecOf = (deployment: Obj): PodSpec => (deployment as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

interface Egress { to: { ipBlock?: { cidr: string } }[]; ports: { protocol: string; port: number }[] }

function forTestbed(docs: Obj[], repoUrl: string, gitPort: number): Obj[] {
  return docs.map((doc) => {
    if (doc["kind"] === "Deployment") {
      const deployment = structuredClone(doc);
      placeOnRealNode(podSpecOf(deployment), repoUrl);
      return deployment;
    }
    if (doc["kind"] === "NetworkPolicy") {
      const policy = structuredClone(doc);
      const egress = (policy as { spec: { egress: Egress[] } }).spec.egress;
      const [api, , remote] = egress;
      if (api?.to[0]?.ipBlock === undefined || remote?.to[0]?.ipBlock === undefined) throw new Error("the NetworkPolicy's API server and git remote rules moved");
      api.to[0].ipBlock.cidr = `${endpointAddress()}/32`;
      remote.to[0].ipBlock.cidr = `${NODE_ADDRESS}/32`;
      remote.ports = [{ protocol: "TCP", port: gitPort }];
      return policy;
    }
    return doc;
  });
}

/** The kubernetes Service's endpoint: what a NetworkPolicy must name (deploy/50-networkpolicy.yaml). */
function endpointAddress(): string {
  return ok(["get", "endpointslices", "-n", "default", "-l", "kubernetes.io/service-name=kubernetes", "-o", "jsonpath={.items[0].endpoints[0].addresses[0]}"]).trim();
}

interface WatchPod { name: string; phase: string; node?: string; deleting: boolean; image?: string }

function watchPods(): WatchPod[] {
  const list = JSON.parse(ok(["get", "pods", "-n", NAMESPACE, "-l", SELECTOR, "-o", "json"])) as {
    items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string; containers: { image: string }[] }; status: { phase: string } }[];
  };
  return list.items.map((p) => ({ name: p.metadata.name, phase: p.status.phase, deleting: p.metadata.deletionTimestamp !== undefined, ...(p.spec.nodeName === undefined ? {} : { node: p.spec.nodeName }), ...(p.spec.containers[0] === undefined ? {} : { image: p.spec.containers[0].image }) }));
}

/** The Lease's holder, "" when none. */
function holder(): string {
  const result = kubectl(["get", "lease", "aiops-watch", "-n", NAMESPACE, "-o", "jsonpath={.spec.holderIdentity}"]);
  return result.status === 0 ? result.stdout.trim() : "";
}

/** The pod a holder identity names (HOSTNAME_pid_random). */
const podOf = (identity: string): string => identity.replace(/_\d+_[0-9a-f]+$/, "");

/**
 * Kills the pod's container with SIGKILL on the node (no SIGTERM, so no release of the lease: a
 * crash, an OOM kill) and deletes the pod at once so that the kubelet does not restart it.
 */
function killHard(pod: string): void {
  const env = readTestbedEnv() ?? {};
  const id = ok(["get", "pod", pod, "-n", NAMESPACE, "-o", "jsonpath={.status.containerStatuses[0].containerID}"]).trim().replace(/^containerd:\/\//, "");
  const killed = spawnSync(path.join(env["TESTBED_NODE_BIN"] ?? "", "ctr"), ["--address", env["CONTAINERD_ADDRESS"] ?? "", "-n", "k8s.io", "tasks", "kill", "-s", "SIGKILL", id], { encoding: "utf8", timeout: 30_000 });
  if (killed.status !== 0) throw new Error(`ctr tasks kill ${id}: ${killed.stderr}`);
  ok(["delete", "pod", pod, "-n", NAMESPACE, "--grace-period=0", "--force", "--wait=false"]);
}

function logsOf(pod: string): string {
  const result = kubectl(["logs", "-n", NAMESPACE, pod, "--tail=-1"]);
  return `${result.stdout}${result.stderr}`;
}

function diagnostics(): string {
  const pods = kubectl(["get", "pods", "-n", NAMESPACE, "-o", "wide"]);
  const logs = watchPods().map((p) => `--- ${p.name}:\n${logsOf(p.name).split("\n").slice(-40).join("\n")}`);
  const events = kubectl(["get", "events", "-n", NAMESPACE, "--sort-by=.lastTimestamp"]);
  return [`lease holder: ${holder()}`, `pods:\n${pods.stdout}${pods.stderr}`, ...logs, `events:\n${events.stdout.split("\n").slice(-30).join("\n")}`].join("\n");
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number, extra: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}\n${diagnostics()}\n${extra()}`);
    await sleep(500);
  }
}

function crashingDeployment(name: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${NS}, labels: {app: ${name}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${REAL_NODE_PLACEMENT}      containers:
      - name: ${name}
        image: ${DEMO_IMAGE}
        imagePullPolicy: IfNotPresent
        env: [{name: DEMO_REQUIRE_ENV, value: DATABASE_URL}]
        resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 64Mi}}
`;
}

describeTestbed("the watch Deployment of deploy/ on the real node", () => {
  const remote = new GitRemote("aiops-watch-deployment-");
  let createdNamespace = false;
  let createdTestNamespace = false;
  let createdClusterObjects: string[] = [];
  let applied: Obj[] = [];
  let firstLeader = "";

  /** The remote's records of `watch` in the test namespace, by incident key: their paths. */
  function remoteIncidents(): Map<string, string[]> {
    const byKey = new Map<string, string[]>();
    const files = remote.git("ls-tree", "-r", "--name-only", "main", "--", "history").split("\n").filter((f) => f.endsWith(".md"));
    for (const file of files) {
      const text = remote.git("show", `main:${file}`);
      const key = /^\s+incident:\s*["']?([^"'\n]+)["']?\s*$/m.exec(text)?.[1];
      if (key === undefined || !key.includes(`/${NS}/`)) continue;
      byKey.set(key, [...(byKey.get(key) ?? []), file]);
    }
    return byKey;
  }
  const remoteLog = (): string => `remote: ${remote.git("log", "--format=%h %an %s", "main")}\ngit daemon:\n${remote.log.split("\n").slice(-20).join("\n")}`;

  beforeAll(async () => {
    importImage();
    await remote.start();
    await waitForNamespaceFree();
    applied = forTestbed(deployDocuments(), remote.url, remote.port);
    createdClusterObjects = clusterObjectsOf(applied).filter((obj) => !exists(obj));
    createdNamespace = true;
    ok(["create", "namespace", NAMESPACE]);
    // the git credentials the pods mount: git:// needs none, so the Secret is empty (before the
    // Deployment, whose pods would wait for it)
    ok(["create", "secret", "generic", "aiops-history-git", "-n", NAMESPACE]);
    const apply = kubectl(["apply", "-f", "-"], { input: applied.map((d) => stringify(d, YAML_11)).join("---\n") });
    if (apply.status !== 0) throw new Error(`kubectl apply: ${apply.stderr}`);
    await createNamespace(NS);
    createdTestNamespace = true;
  });

  afterAll(async () => {
    if (createdTestNamespace) kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=false"]);
    if (createdNamespace) removeDeployed(createdClusterObjects);
    await remote.stop();
  }, 300_000);

  it("applies deploy/ as shipped but for the image, the repository URL, the real node's placement and the NetworkPolicy's addresses", () => {
    const shipped = deployDocuments();
    expect(applied.map((d) => d["kind"])).toEqual(shipped.map((d) => d["kind"]));
    const changed = applied.flatMap((d, i) => differences(shipped[i], d).map((p) => `${String(d["kind"])}:${p}`));
    const env = (podSpecOf(shipped.find((d) => d["kind"] === "Deployment") ?? {}).containers[0]?.env ?? []).findIndex((e) => e.name === "AIOPS_HISTORY_REPO");
    const pod = "Deployment:spec.template.spec";
    expect(changed.sort()).toEqual(
      [
        `${pod}.containers[0].env[${env}].value`,
        `${pod}.containers[0].image`,
        `${pod}.nodeSelector`,
        `${pod}.tolerations`,
        "NetworkPolicy:spec.egress[0].to[0].ipBlock.cidr",
        "NetworkPolicy:spec.egress[2].to[0].ipBlock.cidr",
        "NetworkPolicy:spec.egress[2].ports[0].port",
        "NetworkPolicy:spec.egress[2].ports[1]",
      ].sort(),
    );
  });

  it("runs two replicas on the real node, one of them leading through the Lease", async () => {
    firstLeader = await waitFor(
      "a leader among two running replicas",
      () => {
        const pods = watchPods().filter((p) => p.phase === "Running" && !p.deleting);
        const lead = holder();
        return pods.length === 2 && pods.some((p) => p.name === podOf(lead)) && logsOf(podOf(lead)).includes("synced") ? lead : undefined;
      },
      240_000,
    );
    const pods = watchPods();
    expect(pods.map((p) => p.node)).toEqual([REAL_NODE, REAL_NODE]);
    expect(pods.map((p) => p.image)).toEqual([IMAGE, IMAGE]);
    const standby = pods.find((p) => p.name !== podOf(firstLeader));
    expect(logsOf(standby?.name ?? "")).toMatch(/standing by: lease aiops-system\/aiops-watch is held by /);
    expect(logsOf(podOf(firstLeader))).toMatch(/leading: acquired lease aiops-system\/aiops-watch/);
  }, 300_000);

  it("the leader records a workload that breaks and pushes the record", async () => {
    const created = kubectl(["apply", "-f", "-"], { input: crashingDeployment("api") });
    expect(created.status, created.stderr).toBe(0);
    const files = await waitFor("the record of the broken api in the remote", () => remoteIncidents().get(`Deployment/${NS}/api`), 120_000, remoteLog);
    expect(files).toHaveLength(1);
    const record = remote.git("show", `main:${files[0] ?? ""}`);
    expect(record).toMatch(new RegExp(`cluster: "?system:serviceaccount:${NAMESPACE}:aiops-watch"?`));
    expect(record).toMatch(/detector: "?watch"?/);
    expect(remote.git("log", "-1", "--format=%an <%ae>", "main", "--", files[0] ?? "")).toBe("kubectl-aiops watch <aiops-watch@cluster.local>");
  }, 180_000);

  it("when the leader is killed during the incident, the other replica leads within 30 s, adopts it (one record) and records the next one", async () => {
    const killed = podOf(firstLeader);
    const standby = watchPods().find((p) => p.name !== killed && !p.deleting)?.name ?? "";
    const started = Date.now();
    killHard(killed);
    const next = await waitFor("a new lease holder", () => {
      const lead = holder();
      return lead !== "" && lead !== firstLeader ? lead : undefined;
    }, 60_000);
    const takeoverMs = Date.now() - started;
    console.log(`takeover: ${killed} killed, ${podOf(next)} leads after ${(takeoverMs / 1000).toFixed(1)}s`);
    expect(podOf(next)).toBe(standby);
    expect(takeoverMs).toBeLessThan(TAKEOVER_LIMIT_MS);

    // the new leader pulled the history, adopted the open incident and watches
    await waitFor("the new leader to watch", () => (logsOf(standby).includes("synced") ? true : undefined), 60_000);
    const log = logsOf(standby);
    expect(log).toMatch(/pulled the history from origin\/main/);
    // it waited out the lease: the killed leader could not release it
    expect(log).toMatch(new RegExp(`leading: acquired lease aiops-system/aiops-watch as ${standby}_\\S+ \\(${killed}_\\S+ stopped renewing\\)`));
    expect(log).toMatch(new RegExp(`took over from ${killed}_`));
    // the broken api stays broken: a leader that had not adopted it would record it again now
    await sleep(25_000);
    expect(remoteIncidents().get(`Deployment/${NS}/api`), remoteLog()).toHaveLength(1);
    expect(logsOf(standby)).not.toContain(`Deployment/${NS}/api`);

    // ... and it is the active one: the next failure is recorded by it, once
    const created = kubectl(["apply", "-f", "-"], { input: crashingDeployment("worker") });
    expect(created.status, created.stderr).toBe(0);
    const files = await waitFor("the record of the broken worker in the remote", () => remoteIncidents().get(`Deployment/${NS}/worker`), 120_000, remoteLog);
    expect(files).toHaveLength(1);
    expect(remoteIncidents().get(`Deployment/${NS}/api`)).toHaveLength(1);
    expect(holder()).toBe(next);
    console.log(`remote after the takeover: ${remote.git("rev-list", "--count", "main")} commits; the new leader's log:\n${logsOf(standby).split("\n").filter((l) => !l.startsWith("{")).slice(0, 12).join("\n")}`);
  }, 300_000);
});
