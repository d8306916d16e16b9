// Generates a `kubectl get pods,events,deploy,rs,svc,nodes -A -o json`-like List with N pods:
// Deployments of 10 replicas, one ReplicaSet each, a Service per Deployment, and about 5 %
// failing pods (OOM kills, crash loops, image pulls, pending) with their events.
// Usage: node bench/generate-list.mjs 10000 > pods.json
const total = Number(process.argv[2] ?? 10000);
const namespaces = Number(process.argv[3] ?? 50);
const now = Date.parse("2026-11-21T12:00:00Z");
const iso = (offsetS) => new Date(now - offsetS * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
const items = [];
for (let n = 0; n < 3; n++) {
  items.push({ apiVersion: "v1", kind: "Node", metadata: { name: `node-${n}`, uid: `node-${n}`, creationTimestamp: iso(86400 * 30) }, status: { allocatable: { cpu: "64", memory: "256Gi", pods: "5000" }, conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastTransitionTime: iso(86400) }] } });
}
const replicas = 10;
const deployments = Math.ceil(total / replicas);
let pods = 0;
for (let d = 0; d < deployments; d++) {
  const ns = `team-${d % namespaces}`;
  const app = `app-${d}`;
  const labels = { app };
  const template = { metadata: { labels }, spec: { containers: [{ name: "main", image: `registry.example/${app}:1.0.${d % 7}`, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } } }] } };
  items.push({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: app, namespace: ns, uid: `d-${d}`, generation: 1, creationTimestamp: iso(86400 * 3), annotations: { "deployment.kubernetes.io/revision": "1" } }, spec: { replicas, selector: { matchLabels: labels }, template, progressDeadlineSeconds: 600 }, status: { replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas, conditions: [{ type: "Available", status: "True", reason: "MinimumReplicasAvailable", lastTransitionTime: iso(86400) }, { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", lastTransitionTime: iso(86400) }] } });
  const rsName = `${app}-5d8f7c9b4`;
  items.push({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: rsName, namespace: ns, uid: `rs-${d}`, creationTimestamp: iso(86400 * 3), annotations: { "deployment.kubernetes.io/revision": "1" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: app, uid: `d-${d}`, controller: true }] }, spec: { replicas, selector: { matchLabels: labels }, template }, status: { replicas, readyReplicas: replicas, availableReplicas: replicas } });
  items.push({ apiVersion: "v1", kind: "Service", metadata: { name: app, namespace: ns, uid: `s-${d}`, creationTimestamp: iso(86400 * 3) }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } });
  for (let r = 0; r < replicas && pods < total; r++, pods++) {
    const name = `${rsName}-${r.toString(36).padStart(5, "x")}`;
    const uid = `p-${d}-${r}`;
    const failing = pods % 20 === 7 ? ["oom", "crash", "pull", "pending"][Math.floor(pods / 20) % 4] : undefined;
    const running = { running: { startedAt: iso(86400 * 2) } };
    let status = { phase: "Running", podIP: `10.1.${(pods >> 8) & 255}.${pods & 255}`, conditions: [{ type: "Ready", status: "True", lastTransitionTime: iso(86400 * 2) }], containerStatuses: [{ name: "main", ready: true, restartCount: 0, state: running, image: template.spec.containers[0].image }] };
    if (failing === "oom" || failing === "crash") {
      const reason = failing === "oom" ? "OOMKilled" : "Error";
      status = { ...status, conditions: [{ type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: iso(1800) }], containerStatuses: [{ name: "main", ready: false, restartCount: 6, state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" } }, lastState: { terminated: { exitCode: failing === "oom" ? 137 : 1, reason, startedAt: iso(400), finishedAt: iso(360) } } }] };
      items.push({ apiVersion: "v1", kind: "Event", metadata: { name: `${name}.bo`, namespace: ns, uid: `e-${uid}` }, involvedObject: { kind: "Pod", name, namespace: ns, uid, fieldPath: "spec.containers{main}" }, reason: "BackOff", message: "Back-off restarting failed container main", type: "Warning", count: 30, firstTimestamp: iso(1800), lastTimestamp: iso(60) });
    } else if (failing === "pull") {
      status = { phase: "Pending", conditions: [{ type: "Ready", status: "False", lastTransitionTime: iso(1800) }], containerStatuses: [{ name: "main", ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${template.spec.containers[0].image}"` } } }] };
      items.push({ apiVersion: "v1", kind: "Event", metadata: { name: `${name}.f`, namespace: ns, uid: `e-${uid}` }, involvedObject: { kind: "Pod", name, namespace: ns, uid, fieldPath: "spec.containers{main}" }, reason: "Failed", message: `Failed to pull image "${template.spec.containers[0].image}": not found`, type: "Warning", count: 12, firstTimestamp: iso(1800), lastTimestamp: iso(60) });
    } else if (failing === "pending") {
      status = { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient cpu.", lastTransitionTime: iso(1800) }] };
      items.push({ apiVersion: "v1", kind: "Event", metadata: { name: `${name}.fs`, namespace: ns, uid: `e-${uid}` }, involvedObject: { kind: "Pod", name, namespace: ns, uid }, reason: "FailedScheduling", message: "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.", type: "Warning", count: 20, firstTimestamp: iso(1800), lastTimestamp: iso(60) });
    }
    items.push({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns, uid, creationTimestamp: iso(86400 * 2), labels: { ...labels, "pod-template-hash": "5d8f7c9b4" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: rsName, uid: `rs-${d}`, controller: true }] }, spec: { nodeName: failing === "pending" ? undefined : `node-${pods % 3}`, containers: template.spec.containers }, status });
  }
}
process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "List", metadata: { resourceVersion: "" }, items }));
