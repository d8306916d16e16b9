import fc from "fast-check";

/**
 * Kubernetes objects as `kubectl get -o json` prints them, valid for src/model/k8s.ts, drawn from
 * small pools of names, reasons and times so that they meet: pods owned by a ReplicaSet of a
 * Deployment, events about the pods, services selecting them. The rules then have something to
 * find, and a mutation has something to break.
 */

const opt = { requiredKeys: [] as never[], noNullPrototype: true };
const req = <K extends string>(...keys: K[]) => ({ requiredKeys: keys, noNullPrototype: true });

/** Any text, from plain words to control characters and astral symbols. */
export const anyText = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary", maxLength: 20 }));

const word = fc.oneof({ weight: 4, arbitrary: fc.constantFrom("api", "web", "db", "worker", "cache") }, { weight: 1, arbitrary: anyText });
const namespace = fc.constantFrom("shop", "default", "kube-system");
const time = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: Date.parse("2026-11-20T00:00:00Z"), max: Date.parse("2026-11-21T12:00:00Z") }).map((ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")) },
  { weight: 1, arbitrary: anyText },
);
const reason = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("OOMKilled", "Error", "Completed", "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "ContainerCreating", "Evicted", "Unschedulable", "BackOff", "Unhealthy", "FailedScheduling", "FailedMount", "Killing") },
  { weight: 1, arbitrary: anyText },
);
const quantity = fc.oneof(fc.constantFrom("100m", "1", "128Mi", "1Gi", "2", "500Mi", "0"), anyText);
const labels = fc.dictionary(fc.constantFrom("app", "tier", "pod-template-hash"), word, { noNullPrototype: true, maxKeys: 3 });
const count = fc.oneof(fc.nat({ max: 20 }), fc.integer());
const conditionStatus = fc.constantFrom("True", "False", "Unknown");

const condition = fc.record(
  { type: fc.constantFrom("Ready", "PodScheduled", "Available", "Progressing", "ReplicaFailure", "MemoryPressure", "DiskPressure", "Failed", "Complete", "AbleToScale", "ScalingLimited"), status: conditionStatus, reason, message: anyText, lastTransitionTime: time },
  req("type", "status"),
);
const conditions = fc.array(condition, { maxLength: 3 });

const metadata = (kind: string) =>
  fc.record(
    {
      name: word,
      namespace,
      uid: fc.uuid(),
      creationTimestamp: time,
      labels,
      annotations: fc.dictionary(fc.string(), anyText, { noNullPrototype: true, maxKeys: 2 }),
      ownerReferences: fc.array(fc.record({ apiVersion: fc.constant("apps/v1"), kind: fc.constantFrom("ReplicaSet", "Deployment", "Job", kind), name: word, uid: fc.uuid(), controller: fc.boolean() }, req("kind", "name")), { maxLength: 1 }),
    },
    req("name"),
  );

const probe = fc.record(
  {
    initialDelaySeconds: count,
    periodSeconds: count,
    failureThreshold: count,
    timeoutSeconds: count,
    httpGet: fc.record({ path: fc.constantFrom("/healthz", "/ready"), port: fc.oneof(fc.nat({ max: 65535 }), word) }, opt),
    tcpSocket: fc.record({ port: fc.oneof(fc.nat({ max: 65535 }), word) }, opt),
    exec: fc.record({ command: fc.array(anyText, { maxLength: 3 }) }, opt),
  },
  opt,
);

const env = fc.record(
  {
    name: fc.constantFrom("DATABASE_URL", "API_KEY", "MODE"),
    value: anyText,
    valueFrom: fc.record(
      { secretKeyRef: fc.record({ name: word, key: word, optional: fc.boolean() }, req("name", "key")), configMapKeyRef: fc.record({ name: word, key: word }, req("name", "key")) },
      opt,
    ),
  },
  req("name"),
);

const container = fc.record(
  {
    name: word,
    image: fc.oneof(fc.constantFrom("registry.example/api:1.0", "nginx:latest", "busybox"), anyText),
    command: fc.array(anyText, { maxLength: 3 }),
    args: fc.array(anyText, { maxLength: 3 }),
    env: fc.array(env, { maxLength: 3 }),
    envFrom: fc.array(fc.record({ secretRef: fc.record({ name: word }, req("name")), configMapRef: fc.record({ name: word }, req("name")) }, opt), { maxLength: 2 }),
    resources: fc.record({ requests: fc.dictionary(fc.constantFrom("cpu", "memory"), quantity, { noNullPrototype: true }), limits: fc.dictionary(fc.constantFrom("cpu", "memory"), quantity, { noNullPrototype: true }) }, opt),
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
    ports: fc.array(fc.record({ containerPort: fc.nat({ max: 65535 }), name: word, protocol: fc.constant("TCP") }, req("containerPort")), { maxLength: 2 }),
  },
  req("name"),
);

const terminated = fc.record({ exitCode: fc.oneof(fc.constantFrom(0, 1, 2, 137, 139, 143), fc.integer()), reason, message: anyText, startedAt: time, finishedAt: time, signal: fc.nat({ max: 64 }) }, req("exitCode"));
const state = fc.record({ waiting: fc.record({ reason, message: anyText }, opt), running: fc.record({ startedAt: time }, opt), terminated }, opt);
const containerStatus = fc.record({ name: word, ready: fc.boolean(), started: fc.boolean(), restartCount: count, image: anyText, state, lastState: state }, req("name", "ready", "restartCount"));

const podSpec = fc.record(
  {
    containers: fc.array(container, { maxLength: 2 }),
    initContainers: fc.array(container, { maxLength: 1 }),
    nodeName: fc.constantFrom("node-0", "node-1"),
    imagePullSecrets: fc.array(fc.record({ name: word }, req("name")), { maxLength: 1 }),
    serviceAccountName: word,
    volumes: fc.array(
      fc.record({ name: word, persistentVolumeClaim: fc.record({ claimName: word }, req("claimName")), secret: fc.record({ secretName: word }, req("secretName")), configMap: fc.record({ name: word }, req("name")) }, req("name")),
      { maxLength: 2 },
    ),
    restartPolicy: fc.constantFrom("Always", "OnFailure", "Never"),
  },
  req("containers"),
);

export const pod = fc.record(
  {
    apiVersion: fc.constant("v1"),
    kind: fc.constant("Pod"),
    metadata: metadata("Pod"),
    spec: podSpec,
    status: fc.record(
      {
        phase: fc.constantFrom("Pending", "Running", "Succeeded", "Failed", "Unknown"),
        reason,
        message: anyText,
        conditions,
        containerStatuses: fc.array(containerStatus, { maxLength: 2 }),
        initContainerStatuses: fc.array(containerStatus, { maxLength: 1 }),
        startTime: time,
      },
      opt,
    ),
  },
  req("kind", "metadata", "spec"),
);

const selector = fc.record({ matchLabels: labels }, opt);
const template = fc.record({ metadata: fc.record({ labels }, opt), spec: podSpec }, req("spec"));
const replicas = fc.oneof(fc.nat({ max: 10 }), fc.integer());

const deployment = fc.record(
  {
    apiVersion: fc.constant("apps/v1"),
    kind: fc.constant("Deployment"),
    metadata: metadata("Deployment"),
    spec: fc.record({ replicas, selector, template, progressDeadlineSeconds: count, paused: fc.boolean() }, req("selector", "template")),
    status: fc.record({ replicas, readyReplicas: replicas, availableReplicas: replicas, unavailableReplicas: replicas, updatedReplicas: replicas, observedGeneration: count, conditions }, opt),
  },
  req("kind", "metadata", "spec"),
);

const replicaSet = fc.record(
  {
    apiVersion: fc.constant("apps/v1"),
    kind: fc.constant("ReplicaSet"),
    metadata: metadata("ReplicaSet"),
    spec: fc.record({ replicas, selector, template }, req("selector")),
    status: fc.record({ replicas, readyReplicas: replicas, availableReplicas: replicas, conditions }, opt),
  },
  req("kind", "metadata", "spec"),
);

const job = fc.record(
  {
    apiVersion: fc.constant("batch/v1"),
    kind: fc.constant("Job"),
    metadata: metadata("Job"),
    spec: fc.record({ backoffLimit: count, completions: count, activeDeadlineSeconds: count, template }, req("template")),
    status: fc.record({ active: count, succeeded: count, failed: count, startTime: time, completionTime: time, conditions }, opt),
  },
  req("kind", "metadata", "spec"),
);

const service = fc.record(
  {
    apiVersion: fc.constant("v1"),
    kind: fc.constant("Service"),
    metadata: metadata("Service"),
    spec: fc.record({ selector: labels, type: fc.constantFrom("ClusterIP", "NodePort", "ExternalName"), ports: fc.array(fc.record({ port: fc.nat({ max: 65535 }), targetPort: fc.oneof(fc.nat({ max: 65535 }), word) }, req("port")), { maxLength: 2 }) }, opt),
  },
  req("kind", "metadata", "spec"),
);

const targetRef = fc.record({ kind: fc.constant("Pod"), name: word, namespace }, opt);
const endpoints = fc.record(
  {
    apiVersion: fc.constant("v1"),
    kind: fc.constant("Endpoints"),
    metadata: metadata("Endpoints"),
    subsets: fc.array(fc.record({ addresses: fc.array(fc.record({ ip: fc.constant("10.0.0.1"), targetRef }, req("ip")), { maxLength: 2 }), notReadyAddresses: fc.array(fc.record({ ip: fc.constant("10.0.0.2"), targetRef }, req("ip")), { maxLength: 2 }) }, opt), { maxLength: 1 }),
  },
  req("kind", "metadata"),
);

const node = fc.record(
  {
    apiVersion: fc.constant("v1"),
    kind: fc.constant("Node"),
    metadata: fc.record({ name: fc.constantFrom("node-0", "node-1"), labels }, req("name")),
    spec: fc.record({ unschedulable: fc.boolean(), taints: fc.array(fc.record({ key: word, value: word, effect: fc.constantFrom("NoSchedule", "NoExecute") }, req("key", "effect")), { maxLength: 1 }) }, opt),
    status: fc.record({ conditions, allocatable: fc.dictionary(fc.constantFrom("cpu", "memory", "pods"), quantity, { noNullPrototype: true }), capacity: fc.dictionary(fc.constantFrom("cpu", "memory"), quantity, { noNullPrototype: true }) }, opt),
  },
  req("kind", "metadata"),
);

const pvc = fc.record(
  {
    apiVersion: fc.constant("v1"),
    kind: fc.constant("PersistentVolumeClaim"),
    metadata: metadata("PersistentVolumeClaim"),
    spec: fc.record({ storageClassName: word, accessModes: fc.array(fc.constant("ReadWriteOnce"), { maxLength: 1 }), volumeName: word }, opt),
    status: fc.record({ phase: fc.constantFrom("Pending", "Bound", "Lost"), conditions }, opt),
  },
  req("kind", "metadata", "spec"),
);

const hpa = fc.record(
  {
    apiVersion: fc.constant("autoscaling/v2"),
    kind: fc.constant("HorizontalPodAutoscaler"),
    metadata: metadata("HorizontalPodAutoscaler"),
    spec: fc.record(
      {
        scaleTargetRef: fc.record({ apiVersion: fc.constant("apps/v1"), kind: fc.constantFrom("Deployment", "StatefulSet"), name: word }, req("kind", "name")),
        minReplicas: replicas,
        maxReplicas: replicas,
        metrics: fc.array(fc.record({ type: fc.constant("Resource"), resource: fc.record({ name: fc.constantFrom("cpu", "memory"), target: fc.record({ type: fc.constant("Utilization"), averageUtilization: count }, req("type")) }, req("name", "target")) }, req("type")), { maxLength: 1 }),
      },
      req("scaleTargetRef", "maxReplicas"),
    ),
    status: fc.record({ currentReplicas: replicas, desiredReplicas: replicas, conditions }, opt),
  },
  req("kind", "metadata", "spec"),
);

const event = fc.record(
  {
    apiVersion: fc.constant("v1"),
    kind: fc.constant("Event"),
    metadata: metadata("Event"),
    involvedObject: fc.record({ kind: fc.constantFrom("Pod", "Deployment", "Node", "PersistentVolumeClaim"), name: word, namespace, fieldPath: fc.oneof(fc.constant("spec.containers{api}"), anyText) }, opt),
    reason,
    message: anyText,
    type: fc.constantFrom("Normal", "Warning"),
    count,
    firstTimestamp: fc.oneof(time, fc.constant(null)),
    lastTimestamp: fc.oneof(time, fc.constant(null)),
  },
  req("kind", "metadata", "involvedObject"),
);

/** One valid object of any kind the diagnosis reads. */
export const kubeObject = fc.oneof(pod, deployment, replicaSet, job, service, endpoints, node, pvc, hpa, event);

/** A `kubectl get ... -o json` List of valid objects. */
export const kubeList = fc.array(kubeObject, { maxLength: 8 }).map((items) => ({ apiVersion: "v1", kind: "List", metadata: { resourceVersion: "" }, items }));

/**
 * Every path to a value inside `value` (object keys and array indexes), the root excluded: a
 * mutation picks one of them.
 */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** A copy of `value` with the value at `path` replaced (or deleted, for `undefined`). */
export function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? replaceAt(item, rest, replacement) : item));
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const key = String(head);
  const next = replaceAt(copy[key], rest, replacement);
  if (next === undefined) delete copy[key];
  else copy[key] = next;
  return copy;
}
