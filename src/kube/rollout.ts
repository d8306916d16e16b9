/**
 * Rollout progress of a workload, judged as `kubectl rollout status` judges it (pure), so the
 * tool waits for the same thing an SRE would wait for by hand.
 */
import type { Condition, KubeObject } from "../model/k8s.ts";

export type RolloutState = "progressing" | "complete" | "failed";

export interface RolloutProgress {
  state: RolloutState;
  message: string;
}

interface Status {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  desiredNumberScheduled?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  conditions?: Condition[];
}

export function evaluateRollout(object: KubeObject): RolloutProgress {
  const kind = object.kind ?? "";
  const spec = (object.spec ?? {}) as { replicas?: number; paused?: boolean };
  const status = (object.status ?? {}) as Status;
  const name = `${kind.toLowerCase()} ${object.metadata.namespace ?? ""}/${object.metadata.name}`;
  const generation = object.metadata.generation ?? 0;
  if (!["Deployment", "StatefulSet", "DaemonSet"].includes(kind)) return { state: "complete", message: `${name} has no rollout` };
  if ((status.observedGeneration ?? 0) < generation) return { state: "progressing", message: `waiting for the ${kind} controller to observe generation ${generation} (observed ${status.observedGeneration ?? 0})` };
  if (kind === "Deployment") {
    const deadline = (status.conditions ?? []).find((c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded");
    if (deadline !== undefined) return { state: "failed", message: `${name} exceeded its progress deadline: ${deadline.message ?? "ProgressDeadlineExceeded"}` };
    const want = spec.replicas ?? 1;
    const updated = status.updatedReplicas ?? 0;
    if (updated < want) return { state: "progressing", message: `${updated} of ${want} new replicas updated` };
    if ((status.replicas ?? 0) > updated) return { state: "progressing", message: `${(status.replicas ?? 0) - updated} old replica(s) pending termination` };
    if ((status.availableReplicas ?? 0) < updated) return { state: "progressing", message: `${status.availableReplicas ?? 0} of ${updated} updated replicas available` };
    return { state: "complete", message: `${name}: ${updated} of ${want} replicas updated and available` };
  }
  if (kind === "StatefulSet") {
    const want = spec.replicas ?? 1;
    if ((status.updatedReplicas ?? 0) < want) return { state: "progressing", message: `${status.updatedReplicas ?? 0} of ${want} pods updated` };
    if ((status.readyReplicas ?? 0) < want) return { state: "progressing", message: `${status.readyReplicas ?? 0} of ${want} pods ready` };
    if (status.updateRevision !== undefined && status.currentRevision !== status.updateRevision) return { state: "progressing", message: `waiting for revision ${status.updateRevision} to become current` };
    return { state: "complete", message: `${name}: ${want} pods updated and ready` };
  }
  const want = status.desiredNumberScheduled ?? 0;
  if ((status.updatedNumberScheduled ?? 0) < want) return { state: "progressing", message: `${status.updatedNumberScheduled ?? 0} of ${want} pods updated` };
  if ((status.numberAvailable ?? 0) < want) return { state: "progressing", message: `${status.numberAvailable ?? 0} of ${want} updated pods available` };
  return { state: "complete", message: `${name}: ${want} pods updated and available` };
}
