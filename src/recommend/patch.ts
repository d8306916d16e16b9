/**
 * The exact change a proposal makes, its exact inverse, and the kubectl commands that undo it by
 * hand. Pure: objects in, patches out; the inverse is computed from the object as read, so
 * applying patch then inverse gives back the original fields (`null` deletes a field the
 * original did not have).
 *
 * Encoding in a record's `action` (what `apply` and `rollback` execute):
 * - patch:  patchType strategic|merge|json|apply, `patch` = the body, `rollback` = the inverse
 *           body of the same patchType, both sent to the record's target.
 * - create: patchType "apply" (server-side apply creates the object), `patch` = the full object,
 *           `rollback` = {"delete": {apiVersion, kind, namespace, name}}.
 * - delete: no patchType, `patch` = {"delete": {apiVersion, kind, namespace, name, preconditions: {uid}}},
 *           `rollback` = {"none": why}. Used for restarting one pod of a controller: deleting the
 *           pod is what restarts it (the controller makes a new one); there is nothing to undo.
 *
 * Restart of a whole workload sets spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]
 * exactly as `kubectl rollout restart` does. Rollback of a Deployment is a JSON patch replacing
 * spec.template with the previous ReplicaSet's template minus pod-template-hash, as `kubectl
 * rollout undo` does: a strategic merge would keep containers, env entries and volumes that the
 * previous revision did not have. Scale patches spec.replicas on the workload itself (not the
 * /scale subresource) so one resourceVersion guards the proposal against drift.
 */
import type { Container, HorizontalPodAutoscaler, KubeObject, PodTemplate, ReplicaSet, ResourceRequirements } from "../model/k8s.ts";
import { parseQuantity } from "./quantity.ts";

export type PatchType = "strategic" | "merge" | "json" | "apply";
export type JsonValue = Record<string, unknown> | unknown[] | string;

export interface PatchTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface PatchPlan {
  operation: "patch" | "create" | "delete";
  target: PatchTarget;
  patchType?: PatchType;
  patch: JsonValue;
  rollback: JsonValue;
}

export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
export const POD_TEMPLATE_HASH = "pod-template-hash";

// ---------------------------------------------------------------- resources

export interface ContainerChange {
  container: string;
  init: boolean;
  proposed: ResourceRequirements;
}

type Side = "requests" | "limits";

/** Whether two quantities are the same amount ("1" and "1000m" are). */
export function sameQuantity(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return parseQuantity(a, { precision: "round-up" }) === parseQuantity(b, { precision: "round-up" });
  } catch {
    return a === b;
  }
}

/**
 * Strategic merge patch of the containers' resources (containers merge by name), holding only
 * the fields that change; undefined when nothing changes. `template` is spec.template of the
 * workload (its pod spec holds the current values).
 */
export function resourcesPatch(target: PatchTarget, template: PodTemplate, changes: readonly ContainerChange[]): PatchPlan | undefined {
  const forward: Record<"containers" | "initContainers", unknown[]> = { containers: [], initContainers: [] };
  const inverse: Record<"containers" | "initContainers", unknown[]> = { containers: [], initContainers: [] };
  for (const change of changes) {
    const list: Container[] = (change.init ? template.spec.initContainers : template.spec.containers) ?? [];
    const current = list.find((c) => c.name === change.container)?.resources ?? {};
    const diff = diffResources(current, change.proposed);
    if (diff === undefined) continue;
    const key = change.init ? "initContainers" : "containers";
    forward[key].push({ name: change.container, resources: diff.forward });
    inverse[key].push({ name: change.container, resources: diff.inverse });
  }
  if (forward.containers.length === 0 && forward.initContainers.length === 0) return undefined;
  return { operation: "patch", target, patchType: "strategic", patch: templatePatch(forward), rollback: templatePatch(inverse) };
}

function templatePatch(lists: Record<"containers" | "initContainers", unknown[]>): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (lists.containers.length > 0) spec["containers"] = lists.containers;
  if (lists.initContainers.length > 0) spec["initContainers"] = lists.initContainers;
  return { spec: { template: { spec } } };
}

/** Changed keys of requests/limits: forward new values (null = removed), inverse old values (null = absent before). */
export function diffResources(current: ResourceRequirements, proposed: ResourceRequirements): { forward: Record<string, unknown>; inverse: Record<string, unknown> } | undefined {
  const forward: Record<string, Record<string, string | null>> = {};
  const inverse: Record<string, Record<string, string | null>> = {};
  for (const side of ["requests", "limits"] as Side[]) {
    const before = current[side] ?? {};
    const after = proposed[side] ?? {};
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      if (sameQuantity(before[key], after[key])) continue;
      (forward[side] ??= {})[key] = after[key] ?? null;
      (inverse[side] ??= {})[key] = before[key] ?? null;
    }
  }
  return Object.keys(forward).length === 0 ? undefined : { forward, inverse };
}

// ---------------------------------------------------------------- scale

export function scalePatch(target: PatchTarget, from: number, to: number): PatchPlan {
  return { operation: "patch", target, patchType: "strategic", patch: { spec: { replicas: to } }, rollback: { spec: { replicas: from } } };
}

// ---------------------------------------------------------------- HPA

export interface HpaSpecChange {
  minReplicas: number;
  maxReplicas: number;
  metrics: { resource: string; averageUtilization: number }[];
}

function hpaMetrics(change: HpaSpecChange): unknown[] {
  return change.metrics.map((m) => ({ type: "Resource", resource: { name: m.resource, target: { type: "Utilization", averageUtilization: m.averageUtilization } } }));
}

/** A new autoscaling/v2 HPA for the workload, created by server-side apply; undone by deleting it. */
export function hpaCreatePlan(workload: KubeObject, change: HpaSpecChange): PatchPlan {
  const namespace = workload.metadata.namespace ?? "";
  const target: PatchTarget = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespace, name: workload.metadata.name };
  const object = {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: workload.metadata.name, namespace },
    spec: {
      scaleTargetRef: { apiVersion: workload.apiVersion ?? "apps/v1", kind: workload.kind ?? "Deployment", name: workload.metadata.name },
      minReplicas: change.minReplicas,
      maxReplicas: change.maxReplicas,
      metrics: hpaMetrics(change),
    },
  };
  return { operation: "create", target, patchType: "apply", patch: object, rollback: { delete: { ...target } } };
}

/** Bounds and metrics of an existing HPA (spec.metrics is an atomic list: replaced whole). */
export function hpaChangePlan(hpa: HorizontalPodAutoscaler, change: HpaSpecChange): PatchPlan {
  const target: PatchTarget = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespace: hpa.metadata.namespace ?? "", name: hpa.metadata.name };
  return {
    operation: "patch",
    target,
    patchType: "strategic",
    patch: { spec: { minReplicas: change.minReplicas, maxReplicas: change.maxReplicas, metrics: hpaMetrics(change) } },
    rollback: { spec: { minReplicas: hpa.spec.minReplicas ?? null, maxReplicas: hpa.spec.maxReplicas, metrics: hpa.spec.metrics ?? null } },
  };
}

// ---------------------------------------------------------------- restart

/** `kubectl rollout restart`: a new restartedAt annotation on the pod template. */
export function restartWorkloadPlan(target: PatchTarget, template: PodTemplate, at: string): PatchPlan {
  const previous = template.metadata?.annotations?.[RESTARTED_AT];
  return {
    operation: "patch",
    target,
    patchType: "strategic",
    patch: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } } },
    rollback: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: previous ?? null } } } } },
  };
}

/** Restart of one pod of a controller: delete it (uid precondition), the controller replaces it. */
export function restartPodPlan(pod: KubeObject, controller: string): PatchPlan {
  const target: PatchTarget = { apiVersion: "v1", kind: "Pod", namespace: pod.metadata.namespace ?? "", name: pod.metadata.name };
  return {
    operation: "delete",
    target,
    patch: { delete: { ...target, ...(pod.metadata.uid === undefined ? {} : { preconditions: { uid: pod.metadata.uid } }) } },
    rollback: { none: `deleting a pod cannot be undone; ${controller} creates its replacement` },
  };
}

// ---------------------------------------------------------------- rollback

/** The previous revision's template as `kubectl rollout undo` restores it. */
export function templateOf(rs: ReplicaSet): PodTemplate {
  const template = structuredClone(rs.spec.template ?? { spec: { containers: [] } });
  const labels = { ...template.metadata?.labels };
  delete labels[POD_TEMPLATE_HASH];
  template.metadata = { ...template.metadata, labels };
  return template;
}

export function rollbackPlan(target: PatchTarget, currentTemplate: PodTemplate, previous: ReplicaSet): PatchPlan {
  return {
    operation: "patch",
    target,
    patchType: "json",
    patch: [{ op: "replace", path: "/spec/template", value: templateOf(previous) }],
    rollback: [{ op: "replace", path: "/spec/template", value: currentTemplate }],
  };
}

// ---------------------------------------------------------------- undo by hand

/** A JSON argument for a POSIX shell: single-quoted, embedded quotes closed and escaped. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

export interface ProcedureOptions {
  context?: string;
  /** For a Deployment rollback: the revision the undo returns to (kubectl rollout undo --to-revision). */
  currentRevision?: number;
  /** For scale: the replicas before the change. */
  replicasBefore?: number;
}

/** The exact kubectl commands that undo the plan by hand, each with a line saying what it does. */
export function rollbackProcedure(plan: PatchPlan, options: ProcedureOptions = {}): string[] {
  const t = plan.target;
  const scope = `-n ${t.namespace}${options.context === undefined ? "" : ` --context ${options.context}`}`;
  const resource = t.kind.toLowerCase();
  if (plan.operation === "delete") {
    return [`# nothing to undo: ${typeof plan.rollback === "object" && !Array.isArray(plan.rollback) ? String(plan.rollback["none"]) : "a deleted pod is replaced by its controller"}`, `kubectl get pods ${scope} -w   # watch the replacement become ready`];
  }
  if (plan.operation === "create") {
    return [`# delete the ${t.kind} this proposal creates`, `kubectl delete ${resource} ${t.name} ${scope}`];
  }
  const commands: string[] = [];
  if (options.replicasBefore !== undefined) commands.push(`# scale back to ${options.replicasBefore} replicas`, `kubectl scale ${resource}/${t.name} ${scope} --replicas=${options.replicasBefore}`, "# or, equivalently, apply the inverse patch:");
  else if (options.currentRevision !== undefined) commands.push(`# return to revision ${options.currentRevision} (its ReplicaSet is kept while revisionHistoryLimit allows)`, `kubectl rollout undo ${resource}/${t.name} ${scope} --to-revision=${options.currentRevision}`, "# or, independent of the kept ReplicaSets, apply the inverse patch:");
  else commands.push("# apply the inverse patch (restores the previous values; null removes a field that did not exist)");
  commands.push(`kubectl patch ${resource} ${t.name} ${scope} --type ${plan.patchType ?? "strategic"} -p ${shellQuote(JSON.stringify(plan.rollback))}`);
  if (t.kind === "Deployment" || t.kind === "StatefulSet" || t.kind === "DaemonSet") commands.push(`kubectl rollout status ${resource}/${t.name} ${scope} --timeout=5m`);
  return commands;
}
