/**
 * Builders of plain Kubernetes objects for rule tests. Every builder returns the JSON shape the
 * API server sends, with healthy defaults, so a test states only what makes its case special.
 * Times are relative to NOW (`ago(seconds)`), so a case reads "failed 5 minutes ago".
 */
import { describe, expect, it } from "vitest";
import { RuleContext, type ContainerLogs } from "../../src/diagnose/context.ts";
import type { Finding, Rule } from "../../src/diagnose/types.ts";
import type {
  Condition,
  Container,
  ContainerStateTerminated,
  ContainerStatus,
  Deployment,
  EndpointSlice,
  Endpoints,
  HorizontalPodAutoscaler,
  Job,
  KubeEvent,
  KubeObject,
  Node,
  PersistentVolumeClaim,
  Pod,
  PodSpec,
  ReplicaSet,
  ResourceQuota,
  Service,
  StatefulSet,
} from "../../src/model/k8s.ts";

type ConfigMapLike = KubeObject & { data: Record<string, string> };

export const NOW = "2026-03-10T12:00:00.000Z";
export const NS = "shop";
export const MIN = 60;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** The RFC 3339 time `seconds` before NOW, in the form `Date.toISOString` prints. */
export function ago(seconds: number): string {
  return new Date(Date.parse(NOW) - seconds * 1000).toISOString();
}

export function cond(type: string, status: string, reason?: string, message?: string, since?: string): Condition {
  const c: Condition = { type, status };
  if (reason !== undefined) c.reason = reason;
  if (message !== undefined) c.message = message;
  if (since !== undefined) c.lastTransitionTime = since;
  return c;
}

function meta(kind: string, name: string, namespace: string | undefined, extra: { labels?: Record<string, string>; created?: string; owner?: KubeObject } = {}): KubeObject["metadata"] {
  const m: KubeObject["metadata"] = { name, uid: `uid-${kind}-${name}`, creationTimestamp: extra.created ?? ago(30 * DAY) };
  if (namespace !== undefined) m.namespace = namespace;
  if (extra.labels !== undefined) m.labels = extra.labels;
  if (extra.owner !== undefined) {
    const owner: { kind: string; name: string; controller: boolean; uid?: string } = { kind: extra.owner.kind ?? "", name: extra.owner.metadata.name, controller: true };
    if (extra.owner.metadata.uid !== undefined) owner.uid = extra.owner.metadata.uid;
    m.ownerReferences = [owner];
  }
  return m;
}

// --- container states ---------------------------------------------------------------------

export function term(exitCode: number, reason: string, finishedAt: string, extra: Partial<ContainerStateTerminated> = {}): ContainerStateTerminated {
  return { exitCode, reason, startedAt: extra.startedAt ?? finishedAt, finishedAt, ...extra };
}

interface StatusOptions {
  restarts?: number;
  ready?: boolean;
  started?: boolean;
  last?: ContainerStateTerminated;
}

export function running(name: string, o: StatusOptions & { startedAt?: string } = {}): ContainerStatus {
  const s: ContainerStatus = { name, ready: o.ready ?? true, started: o.started ?? true, restartCount: o.restarts ?? 0, state: { running: { startedAt: o.startedAt ?? ago(2 * DAY) } } };
  if (o.last !== undefined) s.lastState = { terminated: o.last };
  return s;
}

export function waiting(name: string, reason: string, o: StatusOptions & { message?: string } = {}): ContainerStatus {
  const w: { reason: string; message?: string } = { reason };
  if (o.message !== undefined) w.message = o.message;
  const s: ContainerStatus = { name, ready: o.ready ?? false, started: o.started ?? false, restartCount: o.restarts ?? 0, state: { waiting: w } };
  if (o.last !== undefined) s.lastState = { terminated: o.last };
  return s;
}

export function terminated(name: string, t: ContainerStateTerminated, o: StatusOptions = {}): ContainerStatus {
  const s: ContainerStatus = { name, ready: false, started: false, restartCount: o.restarts ?? 0, state: { terminated: t } };
  if (o.last !== undefined) s.lastState = { terminated: o.last };
  return s;
}

// --- pods ---------------------------------------------------------------------------------

export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  created?: string;
  owner?: KubeObject;
  node?: string;
  phase?: string;
  reason?: string;
  message?: string;
  deletionTimestamp?: string;
  containers?: Container[];
  initContainers?: Container[];
  statuses?: ContainerStatus[];
  initStatuses?: ContainerStatus[];
  /** Replaces the derived conditions (PodScheduled, Initialized, Ready, ContainersReady). */
  conditions?: Condition[];
  spec?: Partial<PodSpec>;
}

/** A pod; by default one container `app`, Running and Ready for two days. */
export function pod(name: string, o: PodOptions = {}): Pod {
  const containers = o.containers ?? [{ name: "app", image: "shop/app:1.0" }];
  const statuses = o.statuses ?? containers.map((c) => running(c.name));
  const phase = o.phase ?? "Running";
  const ready = phase === "Running" && statuses.every((s) => s.ready);
  const created = o.created ?? ago(2 * DAY);
  const m = meta("Pod", name, o.namespace ?? NS, { labels: o.labels ?? { app: "app" }, created, ...(o.owner === undefined ? {} : { owner: o.owner }) });
  if (o.deletionTimestamp !== undefined) m.deletionTimestamp = o.deletionTimestamp;
  const spec: PodSpec = { containers, nodeName: o.node ?? "node-1", restartPolicy: "Always", ...o.spec };
  if (o.initContainers !== undefined) spec.initContainers = o.initContainers;
  const status: NonNullable<Pod["status"]> = {
    phase,
    startTime: created,
    conditions: o.conditions ?? [
      cond("PodScheduled", "True", undefined, undefined, created),
      cond("Initialized", "True", undefined, undefined, created),
      cond("ContainersReady", ready ? "True" : "False", ready ? undefined : "ContainersNotReady", undefined, created),
      cond("Ready", ready ? "True" : "False", ready ? undefined : "ContainersNotReady", undefined, created),
    ],
    containerStatuses: statuses,
  };
  if (o.initStatuses !== undefined) status.initContainerStatuses = o.initStatuses;
  if (o.reason !== undefined) status.reason = o.reason;
  if (o.message !== undefined) status.message = o.message;
  return { apiVersion: "v1", kind: "Pod", metadata: m, spec, status };
}

// --- events -------------------------------------------------------------------------------

let eventSeq = 0;

export interface EventOptions {
  type?: string;
  first?: string;
  last?: string;
  count?: number;
  /** Container name for `involvedObject.fieldPath` (`spec.containers{name}`). */
  container?: string;
  init?: boolean;
}

export function event(about: KubeObject, reason: string, message: string, o: EventOptions = {}): KubeEvent {
  eventSeq += 1;
  const first = o.first ?? o.last ?? ago(5 * MIN);
  const involved: KubeEvent["involvedObject"] = { kind: about.kind ?? "", name: about.metadata.name };
  if (about.metadata.namespace !== undefined) involved.namespace = about.metadata.namespace;
  if (about.metadata.uid !== undefined) involved.uid = about.metadata.uid;
  if (o.container !== undefined) involved.fieldPath = `spec.${o.init ? "initContainers" : "containers"}{${o.container}}`;
  const e: KubeEvent = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${about.metadata.name}.${eventSeq}`, namespace: about.metadata.namespace ?? "default" },
    involvedObject: involved,
    reason,
    message,
    type: o.type ?? "Warning",
    firstTimestamp: first,
    lastTimestamp: o.last ?? first,
  };
  if (o.count !== undefined) e.count = o.count;
  return e;
}

// --- workloads ----------------------------------------------------------------------------

const template = (labels: Record<string, string>, containers?: Container[]) => ({ metadata: { labels }, spec: { containers: containers ?? [{ name: "app", image: "shop/app:1.0" }] } });

export function deployment(
  name: string,
  o: { replicas?: number; ready?: number; available?: number; unavailable?: number; updated?: number; conditions?: Condition[]; labels?: Record<string, string>; progressDeadlineSeconds?: number; paused?: boolean; containers?: Container[] } = {},
): Deployment {
  const replicas = o.replicas ?? 3;
  const labels = o.labels ?? { app: name };
  const d: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { ...meta("Deployment", name, NS, { labels }), generation: 2 },
    spec: { replicas, selector: { matchLabels: labels }, template: template(labels, o.containers) },
    status: {
      observedGeneration: 2,
      replicas,
      updatedReplicas: o.updated ?? replicas,
      readyReplicas: o.ready ?? replicas,
      availableReplicas: o.available ?? o.ready ?? replicas,
      conditions: o.conditions ?? [
        cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", ago(10 * DAY)),
        cond("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${name}-7d9f" has successfully progressed.`, ago(10 * DAY)),
      ],
    },
  };
  if (o.unavailable !== undefined && d.status !== undefined) d.status.unavailableReplicas = o.unavailable;
  if (o.progressDeadlineSeconds !== undefined) d.spec.progressDeadlineSeconds = o.progressDeadlineSeconds;
  if (o.paused !== undefined) d.spec.paused = o.paused;
  return d;
}

export function replicaSet(name: string, o: { owner?: KubeObject; replicas?: number; ready?: number; conditions?: Condition[]; labels?: Record<string, string>; containers?: Container[] } = {}): ReplicaSet {
  const labels = o.labels ?? { app: name };
  const replicas = o.replicas ?? 3;
  const rs: ReplicaSet = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: meta("ReplicaSet", name, NS, { labels, ...(o.owner === undefined ? {} : { owner: o.owner }) }),
    spec: { replicas, selector: { matchLabels: labels }, template: template(labels, o.containers) },
    status: { replicas, readyReplicas: o.ready ?? replicas, availableReplicas: o.ready ?? replicas },
  };
  if (o.conditions !== undefined && rs.status !== undefined) rs.status.conditions = o.conditions;
  return rs;
}

export function statefulSet(name: string, o: { replicas?: number; ready?: number; labels?: Record<string, string> } = {}): StatefulSet {
  const labels = o.labels ?? { app: name };
  const replicas = o.replicas ?? 3;
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: meta("StatefulSet", name, NS, { labels }),
    spec: { replicas, selector: { matchLabels: labels }, template: template(labels), serviceName: name },
    status: { replicas, readyReplicas: o.ready ?? replicas, currentReplicas: replicas },
  };
}

export function job(name: string, o: { conditions?: Condition[]; active?: number; succeeded?: number; failed?: number; backoffLimit?: number; activeDeadlineSeconds?: number; started?: string; completed?: string } = {}): Job {
  const labels = { "job-name": name };
  const j: Job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta("Job", name, NS, { labels, created: o.started ?? ago(HOUR) }),
    spec: { backoffLimit: o.backoffLimit ?? 6, completions: 1, parallelism: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "shop/job:1.0" }], restartPolicy: "Never" } } },
    status: { startTime: o.started ?? ago(HOUR), conditions: o.conditions ?? [] },
  };
  if (o.activeDeadlineSeconds !== undefined) j.spec.activeDeadlineSeconds = o.activeDeadlineSeconds;
  const s = j.status ?? {};
  if (o.active !== undefined) s.active = o.active;
  if (o.succeeded !== undefined) s.succeeded = o.succeeded;
  if (o.failed !== undefined) s.failed = o.failed;
  if (o.completed !== undefined) s.completionTime = o.completed;
  return j;
}

// --- services, storage, nodes, autoscalers --------------------------------------------------

export function service(name: string, o: { selector?: Record<string, string> | undefined; type?: string; externalName?: string } = {}): Service {
  const s: Service = { apiVersion: "v1", kind: "Service", metadata: meta("Service", name, NS), spec: { type: o.type ?? "ClusterIP", ports: [{ port: 80, targetPort: 8080 }] } };
  if (!("selector" in o)) s.spec.selector = { app: name };
  else if (o.selector !== undefined) s.spec.selector = o.selector;
  if (o.externalName !== undefined) s.spec.externalName = o.externalName;
  return s;
}

/** Endpoints of a service with the given pods as ready and not-ready addresses. */
export function endpoints(svc: Service, o: { ready?: Pod[]; notReady?: Pod[] } = {}): Endpoints {
  const address = (p: Pod, i: number) => ({ ip: `10.0.0.${i + 10}`, targetRef: { kind: "Pod", name: p.metadata.name, namespace: p.metadata.namespace ?? NS } });
  const subset: NonNullable<Endpoints["subsets"]>[number] = { ports: [{ port: 8080 }] };
  if ((o.ready ?? []).length > 0) subset.addresses = (o.ready ?? []).map(address);
  if ((o.notReady ?? []).length > 0) subset.notReadyAddresses = (o.notReady ?? []).map(address);
  const hasAny = subset.addresses !== undefined || subset.notReadyAddresses !== undefined;
  return { apiVersion: "v1", kind: "Endpoints", metadata: meta("Endpoints", svc.metadata.name, NS), ...(hasAny ? { subsets: [subset] } : {}) };
}

export function endpointSlice(svc: Service, pods: { pod: Pod; ready: boolean }[]): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: meta("EndpointSlice", `${svc.metadata.name}-abcde`, NS, { labels: { "kubernetes.io/service-name": svc.metadata.name } }),
    endpoints: pods.map(({ pod: p, ready }, i) => ({ addresses: [`10.0.0.${i + 10}`], conditions: { ready, serving: ready, terminating: false }, targetRef: { kind: "Pod", name: p.metadata.name, namespace: NS } })),
  };
}

export function pvc(name: string, o: { phase?: string; storageClass?: string; created?: string; volumeName?: string } = {}): PersistentVolumeClaim {
  const c: PersistentVolumeClaim = {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: meta("PersistentVolumeClaim", name, NS, { created: o.created ?? ago(DAY) }),
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
    status: { phase: o.phase ?? "Bound" },
  };
  if (o.storageClass !== undefined) c.spec.storageClassName = o.storageClass;
  if (o.volumeName !== undefined) c.spec.volumeName = o.volumeName;
  return c;
}

export function node(name: string, o: { conditions?: Condition[]; allocatable?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[] } = {}): Node {
  const n: Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: meta("Node", name, undefined),
    status: {
      conditions: o.conditions ?? [
        cond("MemoryPressure", "False", "KubeletHasSufficientMemory"),
        cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        cond("PIDPressure", "False", "KubeletHasSufficientPID"),
        cond("Ready", "True", "KubeletReady", "kubelet is posting ready status", ago(10 * DAY)),
      ],
      allocatable: o.allocatable ?? { cpu: "4", memory: "16Gi", pods: "110" },
      capacity: o.allocatable ?? { cpu: "4", memory: "16Gi", pods: "110" },
    },
  };
  if (o.taints !== undefined) n.spec = { taints: o.taints };
  return n;
}

export function hpa(name: string, o: { target?: string; min?: number; max?: number; current?: number; desired?: number; conditions?: Condition[] } = {}): HorizontalPodAutoscaler {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta("HorizontalPodAutoscaler", name, NS),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: o.target ?? name },
      minReplicas: o.min ?? 2,
      maxReplicas: o.max ?? 10,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    },
    status: {
      currentReplicas: o.current ?? 3,
      desiredReplicas: o.desired ?? o.current ?? 3,
      conditions: o.conditions ?? [
        cond("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", ago(DAY)),
        cond("ScalingActive", "True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)", ago(DAY)),
        cond("ScalingLimited", "False", "DesiredWithinRange", "the desired count is within the acceptable range", ago(DAY)),
      ],
    },
  };
}

export function quota(name: string, hard: Record<string, string>, used: Record<string, string>): ResourceQuota {
  return { apiVersion: "v1", kind: "ResourceQuota", metadata: meta("ResourceQuota", name, NS), spec: { hard }, status: { hard, used } };
}

export function secret(name: string): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: meta("Secret", name, NS), type: "Opaque" };
}

export function configMap(name: string, data: Record<string, string> = {}): ConfigMapLike {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: meta("ConfigMap", name, NS), data };
}

// --- running rules ------------------------------------------------------------------------

export interface RunOptions {
  now?: string;
  logs?: Record<string, ContainerLogs>;
}

/** Evaluates a rule on every object of its kinds in the snapshot. */
export function findingsOf(rule: Rule, objects: KubeObject[], o: RunOptions = {}): Finding[] {
  const ctx = new RuleContext({ now: o.now ?? NOW, objects, ...(o.logs === undefined ? {} : { logs: o.logs }) });
  return objects.filter((obj) => (rule.kinds as readonly string[]).includes(obj.kind ?? "")).flatMap((obj) => rule.evaluate(obj, ctx));
}

/** Logs keyed as the snapshot keys them. */
export function logsFor(p: Pod, container: string, logs: ContainerLogs): Record<string, ContainerLogs> {
  return { [`${p.metadata.namespace ?? ""}/${p.metadata.name}/${container}`]: logs };
}

/** Matches an evidence list that contains every fragment (each in some line). */
export function evidenceWith(...fragments: (string | RegExp)[]): unknown {
  return expect.arrayContaining(fragments.map((f) => (typeof f === "string" ? expect.stringContaining(f) : expect.stringMatching(f))));
}

export function podRef(name: string): { kind: string; namespace: string; name: string } {
  return { kind: "Pod", namespace: NS, name };
}

export function ref(kind: string, name: string): { kind: string; namespace: string; name: string } {
  return { kind, namespace: NS, name };
}

/** The object reference of a cluster-scoped object (a Node): no namespace. */
export function clusterRef(kind: string, name: string): { kind: string; name: string } {
  return { kind, name };
}

/** One row of a rule's table: the snapshot, its time, and the findings wanted (partial match). */
export interface RuleCase {
  name: string;
  objects: KubeObject[];
  now?: string;
  logs?: Record<string, ContainerLogs>;
  want: object[];
}

/** Runs a rule's table: each case must yield exactly the wanted findings, in order. */
export function testRule(rule: Rule, cases: RuleCase[]): void {
  describe(rule.id, () => {
    it.each(cases)("$name", (c) => {
      const found = findingsOf(rule, c.objects, { ...(c.now === undefined ? {} : { now: c.now }), ...(c.logs === undefined ? {} : { logs: c.logs }) });
      expect(found).toMatchObject(c.want);
      for (const f of found) {
        expect(f.confidence).toBeGreaterThanOrEqual(0);
        expect(f.confidence).toBeLessThanOrEqual(1);
        expect(f.evidence.length).toBeGreaterThan(0);
      }
    });
  });
}
