/**
 * Which workloads of a namespace fail now, judged by the diagnosis engine on the cached objects
 * (no API call). Only workloads open incidents: a Service without ready endpoints or a pending
 * PVC shows up through the workload it breaks, so one failure is one incident.
 */
import { diagnoseSnapshot } from "../../diagnose/engine.ts";
import type { Diagnosis, Finding } from "../../diagnose/types.ts";
import type { KubeObject, Pod } from "../../model/k8s.ts";
import type { TierPolicy } from "../../policy/tiers.ts";
import type { Signal } from "./incidents.ts";

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet", "Pod"]);

export function incidentKey(target: Diagnosis["target"]): string {
  return `${target.kind}/${target.namespace ?? ""}/${target.name}`;
}

export function detectFailures(objects: KubeObject[], nowMs: number, tierPolicy?: TierPolicy): Signal<Diagnosis>[] {
  const list = diagnoseSnapshot({ now: new Date(nowMs).toISOString(), objects }, tierPolicy === undefined ? {} : { tierPolicy });
  return list.items
    .filter((item) => item.status === "ProblemDetected" && WORKLOAD_KINDS.has(item.target.kind))
    .map((item) => ({ key: incidentKey(item.target), firstEvidenceMs: firstEvidence(item, nowMs), payload: item, tentative: isTentative(item, objects) }));
}

/**
 * Only a first failure that the kubelet restarts (restartPolicy Always or OnFailure): on a real
 * kubelet the start of a crash loop looks exactly like this for the ~10 s of its first back-off,
 * and so does a one-off failure; the incident book waits to see which it is.
 */
function isTentative(item: Diagnosis, objects: readonly KubeObject[]): boolean {
  return item.findings.length > 0 && item.findings.every((f) => f.category === "ContainerExitError" && restartedByKubelet(f.object, objects));
}

function restartedByKubelet(ref: Finding["object"], objects: readonly KubeObject[]): boolean {
  const pod = objects.find((o) => o.kind === "Pod" && o.metadata.name === ref.name && o.metadata.namespace === ref.namespace) as Pod | undefined;
  return pod !== undefined && (pod.spec.restartPolicy ?? "Always") !== "Never";
}

/**
 * When the failure was first seen: the `since` of the leading finding (the cause, e.g. the first
 * BackOff event or the OOM kill) rather than of a symptom that may date from long before (a
 * Deployment condition that changed days ago); else the earliest `since`; else now.
 */
function firstEvidence(item: Diagnosis, nowMs: number): number {
  const lead = item.findings[0]?.since === undefined ? NaN : Date.parse(item.findings[0].since);
  if (!Number.isNaN(lead)) return Math.min(nowMs, lead);
  const times = item.findings.map((f) => (f.since === undefined ? NaN : Date.parse(f.since))).filter((t) => !Number.isNaN(t));
  return times.length === 0 ? nowMs : Math.min(nowMs, ...times);
}
