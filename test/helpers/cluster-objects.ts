/**
 * Builders of the cluster-level objects of src/model/cluster.ts (CronJobs and their Jobs,
 * PodDisruptionBudgets, PersistentVolumes, StorageClasses), in the style of objects.ts: the JSON
 * the API server sends, healthy by default, times relative to NOW.
 */
import type { CronJob, PersistentVolume, PodDisruptionBudget, StorageClass } from "../../src/model/cluster.ts";
import type { Condition, Job, KubeObject, LabelSelector } from "../../src/model/k8s.ts";
import { ago, cond, DAY, job, MIN, NS } from "./objects.ts";

export interface CronJobOptions {
  schedule?: string;
  timeZone?: string;
  suspend?: boolean;
  concurrencyPolicy?: string;
  startingDeadlineSeconds?: number;
  created?: string;
  generation?: number;
  lastSchedule?: string;
  lastSuccess?: string;
  active?: string[];
}

/** A CronJob; by default every 5 minutes, last scheduled 2 minutes ago and successful then. */
export function cronJob(name: string, o: CronJobOptions = {}): CronJob {
  const c: CronJob = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: NS, uid: `uid-CronJob-${name}`, creationTimestamp: o.created ?? ago(30 * DAY), generation: o.generation ?? 1 },
    spec: {
      schedule: o.schedule ?? "*/5 * * * *",
      concurrencyPolicy: o.concurrencyPolicy ?? "Allow",
      jobTemplate: { spec: { backoffLimit: 0, template: { spec: { containers: [{ name: "task", image: "shop/task:1.0" }], restartPolicy: "Never" } } } },
    },
    status: {},
  };
  if (o.timeZone !== undefined) c.spec.timeZone = o.timeZone;
  if (o.suspend !== undefined) c.spec.suspend = o.suspend;
  if (o.startingDeadlineSeconds !== undefined) c.spec.startingDeadlineSeconds = o.startingDeadlineSeconds;
  const status = c.status ?? {};
  if (!("lastSchedule" in o)) status.lastScheduleTime = ago(2 * MIN);
  else if (o.lastSchedule !== undefined) status.lastScheduleTime = o.lastSchedule;
  if (!("lastSuccess" in o)) status.lastSuccessfulTime = ago(2 * MIN - 20);
  else if (o.lastSuccess !== undefined) status.lastSuccessfulTime = o.lastSuccess;
  if (o.active !== undefined) status.active = o.active.map((n) => ({ kind: "Job", namespace: NS, name: n, uid: `uid-Job-${n}` }));
  return c;
}

/** A Job the CronJob started at `started`: "succeeded", "failed" (BackoffLimitExceeded) or "running". */
export function cronRun(cron: CronJob, name: string, outcome: "succeeded" | "failed" | "running", started: string): Job {
  const conditions: Condition[] =
    outcome === "succeeded"
      ? [cond("Complete", "True", undefined, undefined, new Date(Date.parse(started) + 20_000).toISOString())]
      : outcome === "failed"
        ? [cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", new Date(Date.parse(started) + 30_000).toISOString())]
        : [];
  const j = job(name, { started, conditions, ...(outcome === "succeeded" ? { succeeded: 1 } : outcome === "failed" ? { failed: 1 } : { active: 1 }), backoffLimit: 0 });
  j.metadata.ownerReferences = [{ apiVersion: "batch/v1", kind: "CronJob", name: cron.metadata.name, uid: cron.metadata.uid ?? "", controller: true }];
  return j;
}

export interface PdbOptions {
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  /** `null` leaves the selector out (selects nothing). */
  selector?: LabelSelector | null;
  expected?: number;
  healthy?: number;
  desired?: number;
  allowed?: number;
  conditions?: Condition[];
  /** Leave the status out, as in a manifest. */
  noStatus?: boolean;
  created?: string;
}

/** A PodDisruptionBudget over app=web; by default maxUnavailable 1 of 3 healthy pods, 1 disruption allowed. */
export function pdb(name: string, o: PdbOptions = {}): PodDisruptionBudget {
  const p: PodDisruptionBudget = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: NS, uid: `uid-PodDisruptionBudget-${name}`, creationTimestamp: o.created ?? ago(10 * DAY), generation: 1 },
    spec: {},
  };
  if (o.minAvailable !== undefined) p.spec.minAvailable = o.minAvailable;
  if (o.maxUnavailable !== undefined || o.minAvailable === undefined) p.spec.maxUnavailable = o.maxUnavailable ?? 1;
  if (o.selector !== null) p.spec.selector = o.selector ?? { matchLabels: { app: "web" } };
  if (o.noStatus !== true) {
    const expected = o.expected ?? 3;
    const allowed = o.allowed ?? 1;
    p.status = {
      observedGeneration: 1,
      expectedPods: expected,
      currentHealthy: o.healthy ?? expected,
      desiredHealthy: o.desired ?? expected - 1,
      disruptionsAllowed: allowed,
      conditions: o.conditions ?? [allowed > 0 ? cond("DisruptionAllowed", "True", "SufficientPods", "", ago(DAY)) : cond("DisruptionAllowed", "False", "InsufficientPods", "", ago(DAY))],
    };
  }
  return p;
}

export interface PvOptions {
  phase?: string;
  reclaim?: string;
  storageClass?: string;
  claim?: { namespace?: string; name: string; uid?: string };
  message?: string;
  since?: string;
}

/** A PersistentVolume; by default Bound to claim shop/data, reclaimPolicy Delete. */
export function pv(name: string, o: PvOptions = {}): PersistentVolume {
  const v: PersistentVolume = {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, uid: `uid-PersistentVolume-${name}`, creationTimestamp: ago(20 * DAY) },
    spec: { capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce"], persistentVolumeReclaimPolicy: o.reclaim ?? "Delete" },
    status: { phase: o.phase ?? "Bound", lastPhaseTransitionTime: o.since ?? ago(20 * DAY) },
  };
  if (o.storageClass !== undefined) v.spec.storageClassName = o.storageClass;
  const claim = "claim" in o ? o.claim : { name: "data" };
  if (claim !== undefined) v.spec.claimRef = { kind: "PersistentVolumeClaim", namespace: claim.namespace ?? NS, name: claim.name, uid: claim.uid ?? `uid-PersistentVolumeClaim-${claim.name}` };
  if (o.message !== undefined && v.status !== undefined) v.status.message = o.message;
  return v;
}

export function storageClass(name: string, o: { provisioner?: string; bindingMode?: string; isDefault?: boolean } = {}): StorageClass {
  const sc: StorageClass = {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name, uid: `uid-StorageClass-${name}`, creationTimestamp: ago(60 * DAY) },
    provisioner: o.provisioner ?? "ebs.csi.aws.com",
    reclaimPolicy: "Delete",
    volumeBindingMode: o.bindingMode ?? "WaitForFirstConsumer",
  };
  if (o.isDefault === true) sc.metadata.annotations = { "storageclass.kubernetes.io/is-default-class": "true" };
  return sc;
}

/** Marks an object as owned by another (for pods of a bare ReplicaSet and the like). */
export function ownedBy<T extends KubeObject>(object: T, owner: KubeObject): T {
  object.metadata.ownerReferences = [{ kind: owner.kind ?? "", name: owner.metadata.name, uid: owner.metadata.uid ?? "", controller: true }];
  return object;
}
