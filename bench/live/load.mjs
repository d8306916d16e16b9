// The benchmark load on the test bed: 4 extra kwok nodes, namespace bench-1k with 1,000 pods and
// 50 namespaces bench-00..bench-49 with 200 pods each (10,000), 3 % of them failing through the
// test bed's own kwok Stage templates (scripts/testbed/stages/*.yaml.tmpl, rendered with its
// `render` helper). Pods are created as bare Pods with spec.nodeName preset, POSTed in parallel:
// the controller-manager of the test bed runs at the default --kube-api-qps=20, so 11,000 pods
// through ReplicaSets would take 10+ minutes of create calls alone (plus their events), and the
// scheduler (default 50 qps) would add its binding calls. Idempotent: only missing objects are
// created. Everything goes to the API server on 127.0.0.1.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Kube } from "./kube.mjs";

export const LOAD_LABEL = "aiops-bench/load";
export const ONE_K = "bench-1k";
export const TEN_K_NAMESPACES = Array.from({ length: 50 }, (_, i) => `bench-${String(i).padStart(2, "0")}`);
export const NAMESPACES = [ONE_K, ...TEN_K_NAMESPACES];
export const NODES = ["kwok-bench-0", "kwok-bench-1", "kwok-bench-2", "kwok-bench-3"];
const CLUSTER_LOGS = ["aiops-bench", "aiops-bench-healthy"];
const APP_SIZE = 100; // pods per "app" (label app=<name>)
const PODS = { [ONE_K]: 1000, ...Object.fromEntries(TEN_K_NAMESPACES.map((ns) => [ns, 200])) };
// index within an app -> failure kind: 3 of every 100 pods (3 %)
const FAULTS = { 7: "crashloop", 37: "oomkill", 67: "imagepull" };
const BAD_IMAGE = "nginx:1.99.99-doesnotexist";
const IMAGE = "registry.example/bench/app:1.0.0";
// scenario name (sim/scenario label, Stage names sim-<scenario>-*) -> template and parameters
const STAGES = {
  "bench-crashloop": ["crashloop", { CONTAINER: "app", IMAGE, EXIT_CODE: 1, REASON: "Error", RESTARTS: 5, MAX_RESTARTS: 5, PERIOD_MS: 60000 }],
  "bench-oomkill": ["crashloop", { CONTAINER: "app", IMAGE, EXIT_CODE: 137, REASON: "OOMKilled", RESTARTS: 6, MAX_RESTARTS: 6, PERIOD_MS: 60000 }],
  "bench-imagepull": ["imagepull", { IMAGE: BAD_IMAGE }],
};
const FAULT_LABELS = {
  crashloop: { "sim/scenario": "bench-crashloop", "sim/fault": "crashloop" },
  oomkill: { "sim/scenario": "bench-oomkill", "sim/fault": "crashloop" },
  imagepull: { "sim/scenario": "bench-imagepull", "sim/fault": "imagepull" },
};

/** The pods of one namespace, as the benchmark wants them. */
export function podsOf(ns) {
  const pods = [];
  for (let i = 0; i < PODS[ns]; i++) {
    const app = `app-${Math.floor(i / APP_SIZE)}`;
    const k = i % APP_SIZE;
    const fault = FAULTS[k];
    const name = `${app}-${String(k).padStart(3, "0")}`;
    pods.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: ns, labels: { app, [LOAD_LABEL]: "true", ...(fault ? FAULT_LABELS[fault] : {}) } },
      spec: {
        nodeName: NODES[(i + NAMESPACES.indexOf(ns)) % NODES.length],
        terminationGracePeriodSeconds: 0,
        containers: [{ name: "app", image: fault === "imagepull" ? BAD_IMAGE : IMAGE, resources: { requests: { cpu: "1m", memory: "1Mi" }, limits: { memory: fault === "oomkill" ? "64Mi" : "128Mi" } } }],
      },
    });
  }
  return pods;
}

export function expected() {
  const all = NAMESPACES.flatMap((ns) => podsOf(ns).map((p) => p.metadata.labels));
  const count = (f) => all.filter(f).length;
  return {
    total: all.length,
    healthy: count((l) => l["sim/fault"] === undefined),
    crashloop: count((l) => l["sim/fault"] === "crashloop"),
    imagepull: count((l) => l["sim/fault"] === "imagepull"),
  };
}

const ok = (res, what) => {
  if (res.status >= 200 && res.status < 300) return;
  if (res.status === 409) return; // AlreadyExists
  throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
};

async function ensureNodes(kube, k8sVersion) {
  for (const [i, name] of NODES.entries()) {
    ok(
      await kube.request("POST", "/api/v1/nodes", {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          labels: { type: "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type": "bench-1000x4Ti", "topology.kubernetes.io/zone": `zone-${i % 2}`, [LOAD_LABEL]: "true" },
          annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0", "metrics.k8s.io/resource-metrics-path": `/metrics/nodes/${name}/metrics/resource` },
        },
        // a /18 each: room for 16k pod IPs per node (addresses only; no traffic goes there).
        // Tainted so the scheduler never puts other pods here (the test bed's pending-no-resources
        // scenario must stay unschedulable); the bench pods are bound with spec.nodeName.
        spec: { podCIDR: `10.246.${i * 64}.0/18`, podCIDRs: [`10.246.${i * 64}.0/18`], taints: [{ key: LOAD_LABEL, value: "true", effect: "NoSchedule" }] },
      }),
      `create node ${name}`,
    );
    const res = { cpu: "1000", memory: "4Ti", pods: "5000", "ephemeral-storage": "1Ti" };
    ok(
      await kube.request("PATCH", `/api/v1/nodes/${name}/status`, { status: { capacity: res, allocatable: res, nodeInfo: { architecture: "amd64", operatingSystem: "linux", osImage: "kwok fake node", kubeletVersion: k8sVersion } } }, { "Content-Type": "application/merge-patch+json" }),
      `set capacity of node ${name}`,
    );
  }
}

/** Renders the failure Stages with the test bed's own `render` (scripts/testbed/lib.sh). */
export function renderStages(root) {
  const docs = [];
  for (const [scenario, [template, params]] of Object.entries(STAGES)) {
    const args = [path.join(root, "scripts/testbed/stages", `${template}.yaml.tmpl`), `SCENARIO=${scenario}`, ...Object.entries(params).map(([k, v]) => `${k}=${v}`), "PROBE_MESSAGE="];
    const yaml = execFileSync("bash", ["-c", 'source "$0/scripts/testbed/lib.sh" && render "$@"', root, ...args], { encoding: "utf8" });
    // our own label on the Stage objects (not sim/scenario): `testbed scenarios` deletes every
    // Stage labelled sim/scenario, and these must survive it (their pod selectors are unchanged)
    const relabelled = yaml.replaceAll(`labels: {app.kubernetes.io/part-of: aiops-testbed, sim/scenario: "${scenario}"}`, `labels: {app.kubernetes.io/part-of: aiops-testbed, ${LOAD_LABEL}: "true"}`);
    if (relabelled === yaml) throw new Error(`renderStages: the Stage labels of ${template}.yaml.tmpl changed; update bench/live/load.mjs`);
    docs.push(relabelled);
  }
  return docs.join("\n---\n");
}

/**
 * Container logs for the load: the failing pods log an error, the healthy ones a clean start.
 * Two ClusterLogs with disjoint name selectors (pod names repeat across the namespaces: every
 * namespace has app-0-000.., and bench-1k has them all): a healthy pod that logged "Error" would
 * be flagged by a log scanner such as k8sgpt's Log analyzer, which a real healthy pod is not.
 */
function clusterLogs(stateDir) {
  const dir = path.join(stateDir, "bench-podlogs");
  mkdirSync(dir, { recursive: true });
  const t = Date.now();
  const line = (s, i) => `${new Date(t - 60_000 + i * 1000).toISOString()} stdout F ${s}`;
  const failing = ["app 1.0.0 starting", "loading configuration", "Error: connection to db.bench.svc:5432 refused", "app exited with status 1"].map(line).join("\n") + "\n";
  const healthy = ["app 1.0.0 starting", "loading configuration", "listening on :8080", "GET /healthz 200"].map(line).join("\n") + "\n";
  writeFileSync(path.join(dir, "previous.log"), failing);
  writeFileSync(path.join(dir, "current.log"), failing);
  writeFileSync(path.join(dir, "healthy.log"), healthy);
  const names = podsOf(ONE_K).map((p) => p.metadata);
  const faulty = names.filter((m) => m.labels["sim/fault"] !== undefined).map((m) => m.name);
  const fine = names.filter((m) => m.labels["sim/fault"] === undefined).map((m) => m.name);
  const logs = (name, matchNames, logsFile, previousLogsFile) => ({
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "ClusterLogs",
    metadata: { name, labels: { [LOAD_LABEL]: "true" } },
    spec: { selector: { matchNamespaces: NAMESPACES, matchNames }, logs: [{ containers: ["app"], logsFile, previousLogsFile, follow: false }] },
  });
  return [logs(CLUSTER_LOGS[0], faulty, path.join(dir, "current.log"), path.join(dir, "previous.log")), logs(CLUSTER_LOGS[1], fine, path.join(dir, "healthy.log"), path.join(dir, "healthy.log"))];
}

/** Counts of the load's states; cheap lists (metadata only) except the few image-pull pods. */
export async function loadState(kube) {
  const n = async (labelSelector, fieldSelector) => (await kube.list("/api/v1/pods", { labelSelector, fieldSelector, metadataOnly: true })).length;
  const [total, healthy, crashloop, pull] = await Promise.all([
    n(LOAD_LABEL),
    n(`${LOAD_LABEL},!sim/fault`, "status.phase=Running"),
    n(`${LOAD_LABEL},sim/fault=crashloop`, "status.phase=Running"),
    kube.list("/api/v1/pods", { labelSelector: `${LOAD_LABEL},sim/fault=imagepull` }),
  ]);
  const imagepull = pull.filter((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff").length;
  return { total, healthy, crashloop, imagepull };
}

/**
 * Creates what is missing and waits until every pod exists, the healthy ones are Running and the
 * failing ones reached their state. Returns timings (seconds) and what was created.
 */
export async function ensureLoad({ kube, kubectl, kubeconfig, root, stateDir, k8sVersion, log, timeoutS = 1200, concurrency = 24 }) {
  const t0 = Date.now();
  const want = expected();
  await ensureNodes(kube, k8sVersion);
  // stages and logs before any pod, so that no failing pod is picked up without its stage
  const stagesFile = path.join(stateDir, "bench-stages.yaml");
  writeFileSync(stagesFile, [renderStages(root), ...clusterLogs(stateDir).map((o) => JSON.stringify(o))].join("\n---\n") + "\n");
  execFileSync(kubectl, ["--kubeconfig", kubeconfig, "apply", "-f", stagesFile], { stdio: ["ignore", "ignore", "inherit"] });
  for (const ns of NAMESPACES) ok(await kube.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { [LOAD_LABEL]: "true" } } }), `create namespace ${ns}`);

  const existing = new Set((await kube.list("/api/v1/pods", { labelSelector: LOAD_LABEL, metadataOnly: true })).map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
  const missing = NAMESPACES.flatMap(podsOf).filter((p) => !existing.has(`${p.metadata.namespace}/${p.metadata.name}`));
  log(`load: ${existing.size} of ${want.total} pods exist; creating ${missing.length} (bare Pods, nodeName preset, ${concurrency} in flight)`);
  const tc = Date.now();
  let done = 0;
  await Kube.pool(missing, concurrency, async (pod) => {
    let res;
    for (let attempt = 0; ; attempt++) {
      res = await kube.request("POST", `/api/v1/namespaces/${pod.metadata.namespace}/pods`, pod);
      // a namespace made a moment ago may not have its default ServiceAccount yet (admission)
      const noServiceAccount = res.status === 403 && /serviceaccount/i.test(typeof res.body === "string" ? res.body : JSON.stringify(res.body ?? ""));
      if ((res.status === 429 || res.status >= 500 || noServiceAccount) && attempt < 5) {
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
        continue;
      }
      break;
    }
    ok(res, `create pod ${pod.metadata.namespace}/${pod.metadata.name}`);
    if (++done % 1000 === 0) log(`load: created ${done}/${missing.length} pods (${((Date.now() - tc) / 1000).toFixed(0)} s)`);
  });
  const createS = (Date.now() - tc) / 1000;
  if (missing.length > 0) log(`load: ${missing.length} pods created in ${createS.toFixed(1)} s`);

  const tw = Date.now();
  let last = "";
  for (;;) {
    const s = await loadState(kube);
    const line = `pods ${s.total}/${want.total}, healthy Running ${s.healthy}/${want.healthy}, CrashLoopBackOff ${s.crashloop}/${want.crashloop}, ImagePullBackOff ${s.imagepull}/${want.imagepull}`;
    if (line !== last) log(`load: ${line} (${((Date.now() - tw) / 1000).toFixed(0)} s)`);
    last = line;
    if (s.total === want.total && s.healthy === want.healthy && s.crashloop === want.crashloop && s.imagepull === want.imagepull) break;
    if ((Date.now() - t0) / 1000 > timeoutS) throw new Error(`load not ready after ${timeoutS} s: ${line} (kwok log: ${path.join(stateDir, "logs/kwok.log")})`);
    await new Promise((r) => setTimeout(r, 3000));
  }
  const readyS = (Date.now() - tw) / 1000;
  const totalS = (Date.now() - t0) / 1000;
  log(`load: ready (${want.total} pods; ${missing.length} created in ${createS.toFixed(1)} s, states settled ${readyS.toFixed(1)} s later; ${totalS.toFixed(1)} s in all)`);
  return { created: missing.length, create_s: Math.round(createS * 10) / 10, settle_s: Math.round(readyS * 10) / 10, total_s: Math.round(totalS * 10) / 10, ...want };
}

/** --clean: deletes the namespaces, the nodes, the stages and the ClusterLogs of the load. */
export async function cleanLoad({ kube, kubectl, kubeconfig, log, timeoutS = 600 }) {
  const t0 = Date.now();
  for (const ns of NAMESPACES) {
    const res = await kube.request("DELETE", `/api/v1/namespaces/${ns}`);
    if (res.status !== 404) ok(res, `delete namespace ${ns}`);
  }
  for (;;) {
    const left = (await kube.list("/api/v1/namespaces", { labelSelector: LOAD_LABEL, metadataOnly: true })).length;
    if (left === 0) break;
    if ((Date.now() - t0) / 1000 > timeoutS) throw new Error(`${left} bench namespaces still terminating after ${timeoutS} s`);
    log(`clean: ${left} namespaces terminating`);
    await new Promise((r) => setTimeout(r, 5000));
  }
  for (const n of NODES) {
    const res = await kube.request("DELETE", `/api/v1/nodes/${n}`);
    if (res.status !== 404) ok(res, `delete node ${n}`);
  }
  execFileSync(kubectl, ["--kubeconfig", kubeconfig, "delete", "--ignore-not-found", "stages.kwok.x-k8s.io", ...Object.keys(STAGES).flatMap((s) => [`sim-${s}-start`, `sim-${s}-restart`, `sim-${s}-pull`])], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync(kubectl, ["--kubeconfig", kubeconfig, "delete", "--ignore-not-found", "clusterlogs.kwok.x-k8s.io", ...CLUSTER_LOGS], { stdio: ["ignore", "ignore", "inherit"] });
  log(`clean: load removed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
