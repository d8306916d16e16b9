import { PolicyError } from "../../errors.ts";
import { collectionPath, requireKind } from "../../kube/kinds.ts";
import { REVISION_ANNOTATION, controllerRef, listRevisions, readObject, workloadOfPod } from "../../kube/workloads.ts";
import type { Pod, PodTemplate } from "../../model/k8s.ts";
import { restartPodPlan, restartWorkloadPlan, rollbackPlan, templateOf } from "../../recommend/patch.ts";
import { formatCpu, formatMemory } from "../../recommend/quantity.ts";
import { podRequests } from "./replicas.ts";
import type { NoChange } from "./resources.ts";
import { displayName, patchTargetOf, readWorkload } from "./target.ts";
import type { ProposalDraft, ProposeContext, ProposeRequest } from "./types.ts";
import { utcSeconds } from "../../records/store.ts";

/**
 * `propose restart pod/NAME` deletes that pod so its controller makes a new one (trivial when
 * other replicas are ready, low otherwise); a bare pod is refused, since deleting it would not
 * restart it. `propose restart deployment|statefulset|daemonset/NAME` is `kubectl rollout
 * restart`: a new restartedAt annotation on the template (low tier).
 */
export async function buildRestart(ctx: ProposeContext, request: ProposeRequest): Promise<ProposalDraft> {
  return request.kind === "Pod" ? restartPod(ctx, request.name) : restartWorkload(ctx, request);
}

async function restartPod(ctx: ProposeContext, name: string): Promise<ProposalDraft> {
  const pod = await readObject<Pod>(ctx.api, "Pod", ctx.namespace, name);
  const where = displayName({ namespace: ctx.namespace, name });
  const owner = controllerRef(pod);
  if (owner === undefined) {
    throw new PolicyError(`pod ${where} has no controller: deleting it would remove it for good, not restart it`, {
      hint: "recreate it from its manifest (kubectl replace --force -f FILE), or run it under a Deployment",
    });
  }
  // The owner chain only names the controller in the record; a vanished ReplicaSet must not block a restart.
  const workload = await workloadOfPod(ctx.api, pod).catch(() => undefined);
  const controller = workload === undefined ? `${owner.kind} ${owner.name}` : `${workload.kind} ${workload.name}`;
  const siblings = await ctx.api.list<Pod>(collectionPath(requireKind("Pod"), ctx.namespace), { verb: "list", resource: "pods", namespace: ctx.namespace });
  const others = siblings.filter((p) => p.metadata.name !== name && controllerRef(p)?.uid === owner.uid && controllerRef(p)?.name === owner.name && isReady(p));
  const restarts = (pod.status?.containerStatuses ?? []).map((s) => `${s.name}: ready=${s.ready}, restartCount=${s.restartCount}${s.state?.waiting?.reason === undefined ? "" : `, waiting ${s.state.waiting.reason}`}`);
  return {
    action: "restart",
    title: `Restart pod ${where} (delete it; ${controller} replaces it)`,
    object: pod,
    plan: restartPodPlan(pod, controller),
    tierInput: { type: "restart", namespace: ctx.namespace, targetKind: "Pod", otherReadyReplicas: others.length },
    lowConfidence: false,
    snapshot: `Delete pod ${where}; its controller ${controller} creates a replacement. ${others.length} other ready replica(s): ${others.map((p) => p.metadata.name).join(", ") || "none (the workload is down until the replacement is ready)"}.`,
    evidence: [`pod ${where}: phase ${pod.status?.phase ?? "-"}, uid ${pod.metadata.uid ?? "-"}, controller ${owner.kind} ${owner.name}.`, ...restarts.map((r) => `- ${r}`)].join("\n"),
    metricsPre: { pod: name, otherReadyReplicas: others.length, containers: Object.fromEntries((pod.status?.containerStatuses ?? []).map((s) => [s.name, { ready: s.ready, restartCount: s.restartCount }])) },
    notes: [],
    procedure: {},
    rows: [["pod", name, "deleted, replaced by " + controller]],
  };
}

async function restartWorkload(ctx: ProposeContext, request: ProposeRequest): Promise<ProposalDraft> {
  const w = await readWorkload(ctx.api, request.kind, ctx.namespace, request.name);
  const at = utcSeconds(ctx.now());
  return {
    action: "restart",
    title: `Rolling restart of ${w.kind.toLowerCase()} ${displayName(w)}`,
    object: w.object,
    plan: restartWorkloadPlan(patchTargetOf(w), w.template, at),
    tierInput: { type: "restart", namespace: w.namespace, targetKind: w.kind },
    lowConfidence: false,
    snapshot: `Replace every pod of ${w.kind.toLowerCase()} ${displayName(w)} one by one, as kubectl rollout restart does (annotation kubectl.kubernetes.io/restartedAt=${at} on the pod template).`,
    evidence: `${w.kind.toLowerCase()} ${displayName(w)}: ${w.replicas} replica(s), generation ${w.object.metadata.generation ?? "-"}.`,
    metricsPre: { replicas: w.replicas },
    notes: ["the inverse restores the previous template annotation, which rolls the pods once more"],
    procedure: {},
    rows: [["restartedAt", w.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"] ?? "-", at]],
  };
}

/** `propose rollback deployment/NAME`: back to the previous ReplicaSet revision. */
export async function buildRollback(ctx: ProposeContext, request: ProposeRequest): Promise<ProposalDraft | NoChange> {
  const w = await readWorkload(ctx.api, request.kind, ctx.namespace, request.name);
  const revisions = await listRevisions(ctx.api, w.object);
  const currentRevision = Number(w.object.metadata.annotations?.[REVISION_ANNOTATION] ?? revisions[0]?.revision ?? NaN);
  const current = revisions.find((r) => r.revision === currentRevision);
  const previous = revisions.find((r) => r.revision < currentRevision);
  if (previous === undefined) {
    throw new PolicyError(`deployment ${displayName(w)} has no revision before ${Number.isNaN(currentRevision) ? "the current one" : `revision ${currentRevision}`} to roll back to`, {
      hint: `see its history with kubectl rollout history deployment/${w.name} -n ${w.namespace} (revisionHistoryLimit may have removed old ReplicaSets)`,
    });
  }
  const target = templateOf(previous.replicaSet);
  if (JSON.stringify(target.spec) === JSON.stringify(w.template.spec)) return { noChange: `revision ${previous.revision} has the same pod spec as the current template of deployment ${displayName(w)}` };
  const images = (t: PodTemplate): string => t.spec.containers.map((c) => `${c.name}=${c.image ?? "-"}`).join(", ");
  const history = revisions.slice(0, 5).map((r) => `- revision ${r.revision}: ReplicaSet ${r.replicaSet.metadata.name}, ${r.replicaSet.status?.readyReplicas ?? 0}/${r.replicaSet.spec.replicas ?? 0} ready, created ${r.replicaSet.metadata.creationTimestamp ?? "-"}, images ${r.replicaSet.spec.template === undefined ? "-" : images(r.replicaSet.spec.template)}`);
  return {
    action: "rollback",
    title: `Roll back ${displayName(w)} from revision ${currentRevision} to ${previous.revision}`,
    object: w.object,
    plan: rollbackPlan(patchTargetOf(w), w.template, previous.replicaSet),
    tierInput: { type: "rollback", namespace: w.namespace, targetKind: w.kind },
    lowConfidence: false,
    snapshot: `Replace the pod template of deployment ${displayName(w)} (revision ${currentRevision}${current === undefined ? "" : `, ReplicaSet ${current.replicaSet.metadata.name}`}: ${images(w.template)}) with that of revision ${previous.revision} (ReplicaSet ${previous.replicaSet.metadata.name}: ${images(target)}), as kubectl rollout undo does.`,
    evidence: [`Revisions of deployment ${displayName(w)} (newest first):`, "", ...history].join("\n"),
    metricsPre: { replicas: w.replicas, revision: currentRevision, readyReplicas: (w.object.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0 },
    notes: [],
    procedure: { currentRevision },
    delta: templateDelta(w.template, target, w.replicas),
    rows: [["revision", String(currentRevision), String(previous.revision)], ["images", images(w.template), images(target)]],
  };
}

function templateDelta(before: PodTemplate, after: PodTemplate, replicas: number): { cpu: string; memory: string; replicas: number } {
  const a = podRequests(before);
  const b = podRequests(after);
  return { cpu: formatCpu((b.cpu - a.cpu) * BigInt(replicas)), memory: formatMemory((b.memory - a.memory) * BigInt(replicas)), replicas };
}

function isReady(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp === undefined && (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}
