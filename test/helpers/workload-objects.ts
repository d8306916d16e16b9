/**
 * Builders for the rule tests of StatefulSets, DaemonSets and what pods reference (Service
 * accounts, registry Secrets, StorageClasses), in the style of objects.ts: healthy defaults,
 * times relative to NOW.
 */
import type { Condition, DaemonSet, KubeObject, Pod, Service, StatefulSet } from "../../src/model/k8s.ts";
import { ago, cond, DAY, NS, pod, service, type PodOptions } from "./objects.ts";

const REVISION = "deployment.kubernetes.io/revision";

function meta(kind: string, name: string, namespace: string | undefined, labels?: Record<string, string>): KubeObject["metadata"] {
  const m: KubeObject["metadata"] = { name, uid: `uid-${kind}-${name}`, creationTimestamp: ago(30 * DAY), generation: 1 };
  if (namespace !== undefined) m.namespace = namespace;
  if (labels !== undefined) m.labels = labels;
  return m;
}

export interface StatefulSetOptions {
  replicas?: number;
  ready?: number;
  available?: number;
  serviceName?: string;
  generation?: number;
  observedGeneration?: number;
  storageClasses?: (string | null | undefined)[];
}

/** A StatefulSet `name` (label app=name) with every replica ready and available by default. */
export function sts(name: string, o: StatefulSetOptions = {}): StatefulSet {
  const labels = { app: name };
  const replicas = o.replicas ?? 3;
  const ready = o.ready ?? replicas;
  const s: StatefulSet = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { ...meta("StatefulSet", name, NS, labels), generation: o.generation ?? 1 },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "shop/db:1.0" }] } }, serviceName: o.serviceName ?? name },
    status: { observedGeneration: o.observedGeneration ?? o.generation ?? 1, replicas, readyReplicas: ready, availableReplicas: o.available ?? ready, currentReplicas: replicas, updatedReplicas: replicas },
  };
  if (o.storageClasses !== undefined) {
    s.spec.volumeClaimTemplates = o.storageClasses.map((c, i) => ({ metadata: { name: `data-${i}` }, spec: c === undefined ? {} : { storageClassName: c } }));
  }
  return s;
}

/** Pod `<owner>-<ordinal>` of a StatefulSet or DaemonSet, Running and Ready unless options say otherwise. */
export function memberPod(owner: KubeObject, suffix: string | number, o: PodOptions = {}): Pod {
  return pod(`${owner.metadata.name}-${suffix}`, { owner, labels: { app: owner.metadata.name }, ...o });
}

/** Pod conditions of a pod not ready since `since`. */
export function notReadySince(since: string): Condition[] {
  return [cond("PodScheduled", "True", undefined, undefined, since), cond("Initialized", "True", undefined, undefined, since), cond("ContainersReady", "False", "ContainersNotReady", undefined, since), cond("Ready", "False", "ContainersNotReady", undefined, since)];
}

/** Pod conditions of a pod ready since `since`. */
export function readySince(since: string): Condition[] {
  return [cond("PodScheduled", "True", undefined, undefined, since), cond("Initialized", "True", undefined, undefined, since), cond("ContainersReady", "True", undefined, undefined, since), cond("Ready", "True", undefined, undefined, since)];
}

export interface DaemonSetOptions {
  desired?: number;
  ready?: number;
  available?: number;
  unavailable?: number;
  misscheduled?: number;
  generation?: number;
  observedGeneration?: number;
}

/** A DaemonSet `name` (label app=name) ready on all its nodes by default. */
export function ds(name: string, o: DaemonSetOptions = {}): DaemonSet {
  const labels = { app: name };
  const desired = o.desired ?? 3;
  const ready = o.ready ?? desired;
  const d: DaemonSet = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { ...meta("DaemonSet", name, NS, labels), generation: o.generation ?? 1 },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "shop/agent:1.0" }] } } },
    status: {
      observedGeneration: o.observedGeneration ?? o.generation ?? 1,
      desiredNumberScheduled: desired,
      currentNumberScheduled: desired,
      updatedNumberScheduled: desired,
      numberReady: ready,
      numberAvailable: o.available ?? ready,
      numberMisscheduled: o.misscheduled ?? 0,
    },
  };
  if (o.unavailable !== undefined && d.status !== undefined) d.status.numberUnavailable = o.unavailable;
  return d;
}

/** A headless Service, as a StatefulSet's governing Service must be. */
export function headless(name: string): Service {
  const s = service(name);
  s.spec.clusterIP = "None";
  return s;
}

export function storageClass(name: string): KubeObject {
  return { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: meta("StorageClass", name, undefined), provisioner: "ebs.csi.aws.com" };
}

/** A Secret of a type; registry credentials by default. */
export function typedSecret(name: string, type = "kubernetes.io/dockerconfigjson"): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: meta("Secret", name, NS), type };
}

export function serviceAccount(name: string, imagePullSecrets: string[] = []): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("ServiceAccount", name, NS), imagePullSecrets: imagePullSecrets.map((n) => ({ name: n })) };
}

/** Marks a ReplicaSet with its Deployment revision. */
export function withRevision<T extends KubeObject>(rs: T, revision: number): T {
  return { ...rs, metadata: { ...rs.metadata, annotations: { ...rs.metadata.annotations, [REVISION]: String(revision) } } };
}
