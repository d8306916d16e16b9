import { ForbiddenError, PolicyError } from "../../errors.ts";
import { findHpa } from "../../kube/workloads.ts";
import type { HorizontalPodAutoscaler, PodTemplate } from "../../model/k8s.ts";
import { hpaResourceTargets } from "../../recommend/margin.ts";
import { hpaChangePlan, hpaCreatePlan, scalePatch } from "../../recommend/patch.ts";
import { formatCpu, formatMemory, parseQuantity, type Nanos } from "../../recommend/quantity.ts";
import { proposeHpa, proposeReplicas, type ReplicaProposal } from "../../recommend/replicas.ts";
import type { NoChange } from "./resources.ts";
import { displayName, patchTargetOf, readWorkload, type Workload } from "./target.ts";
import type { ProposalDraft, ProposeContext, ProposeRequest } from "./types.ts";
import { gatherUsage, longRunning, startUsage, metricsPre, usageEvidence, usageInputs, type GatheredUsage } from "./usage.ts";

/**
 * `propose scale`: to --replicas N as asked, else from p95 utilisation with the 30 % headroom.
 * An HPA owns the replica count of its target and would undo a direct scale, so with one present
 * the proposal is refused (propose hpa instead), except scaling to 0, which the HPA leaves alone.
 */
export async function buildScale(ctx: ProposeContext, request: ProposeRequest): Promise<ProposalDraft | NoChange> {
  const w = await readWorkload(ctx.api, request.kind, ctx.namespace, request.name);
  const hpa = await hpaOf(ctx, w);
  const from = w.replicas;
  let to: number;
  let gathered: GatheredUsage | undefined;
  let computed: ReplicaProposal | undefined;
  if (request.replicas !== undefined) {
    to = request.replicas;
    if (to === from) return { noChange: `${w.kind.toLowerCase()} ${displayName(w)} already runs ${from} replica(s)` };
  } else {
    gathered = await gatherUsage(ctx, w);
    computed = proposeReplicas({ current: from, containers: longRunning(w.template).map((c) => c.container), usage: usageInputs(gathered.usage, {}), ...(hpa === undefined ? {} : { hpa }) });
    if (!computed.change) return { noChange: `${w.kind.toLowerCase()} ${displayName(w)} needs no scaling: ${computed.steps.at(-1) ?? ""}` };
    to = computed.desired;
  }
  if (hpa !== undefined && to !== 0) {
    throw new PolicyError(`HorizontalPodAutoscaler ${hpa.metadata.name} manages the replicas of ${w.kind.toLowerCase()} ${displayName(w)} (${hpa.spec.minReplicas ?? 1}..${hpa.spec.maxReplicas}): a direct scale would be undone within minutes`, {
      hint: `propose a change of its bounds instead: kubectl aiops propose hpa ${w.kind.toLowerCase()}/${w.name} -n ${w.namespace}`,
    });
  }
  const notes = to === 0 ? ["scaling to 0 stops every pod of the workload: critical tier"] : [];
  const perPod = podRequests(w.template);
  const snapshot = computed === undefined
    ? `Scale ${w.kind.toLowerCase()} ${displayName(w)} from ${from} to ${to} replica(s), as asked (--replicas ${to}).`
    : [
        `Scale ${w.kind.toLowerCase()} ${displayName(w)} from ${from} to ${to} replica(s), from p95 utilisation with 30 % headroom.`,
        "",
        "| resource | request per pod | p95 per pod | utilisation | ratio | desired |",
        "| --- | --- | --- | --- | --- | --- |",
        ...computed.byResource.map((r) => `| ${r.resource} | ${r.request} | ${r.p95} | ${r.utilisation}% | ${r.ratio}${r.withinTolerance ? " (within 0.1)" : ""} | ${r.desired} |`),
        "",
        ...computed.steps.map((s) => `- ${s}`),
      ].join("\n");
  return {
    action: "scale",
    title: `Scale ${displayName(w)} from ${from} to ${to} replicas`,
    object: w.object,
    plan: scalePatch(patchTargetOf(w), from, to),
    tierInput: { type: "scale", namespace: w.namespace, targetKind: w.kind, replicas: { from, to } },
    lowConfidence: gathered?.usage.confidence === "low",
    snapshot,
    evidence: [`spec.replicas of ${w.kind.toLowerCase()} ${displayName(w)}: ${from}.`, gathered === undefined ? "The replica count was given on the command line (--replicas); no usage figures were used." : usageEvidence(gathered)].join("\n\n"),
    metricsPre: gathered === undefined ? { replicas: from } : metricsPre(gathered, longRunning(w.template).map((c) => c.container), from),
    notes,
    procedure: { replicasBefore: from },
    delta: { cpu: formatCpu(perPod.cpu * BigInt(to - from)), memory: formatMemory(perPod.memory * BigInt(to - from)), replicas: to },
    rows: [["replicas", String(from), String(to)]],
  };
}

/** `propose hpa`: a new HPA, or new bounds for the existing one, from the same usage figures. */
export async function buildHpa(ctx: ProposeContext, request: ProposeRequest): Promise<ProposalDraft | NoChange> {
  const usage = startUsage(ctx, { kind: request.kind, namespace: ctx.namespace, name: request.name });
  const w = await readWorkload(ctx.api, request.kind, ctx.namespace, request.name);
  const hpa = await hpaOf(ctx, w);
  const gathered = await usage();
  const containers = longRunning(w.template).map((c) => c.container);
  const proposal = proposeHpa({ current: w.replicas, containers, usage: usageInputs(gathered.usage, {}), ...(hpa === undefined ? {} : { hpa }) });
  if (hpa !== undefined && sameHpa(hpa, proposal)) return { noChange: `HorizontalPodAutoscaler ${hpa.metadata.name} already has the proposed bounds (${proposal.minReplicas}..${proposal.maxReplicas}) and targets` };
  const plan = hpa === undefined ? hpaCreatePlan(w.object, proposal) : hpaChangePlan(hpa, proposal);
  const metrics = proposal.metrics.map((m) => `${m.averageUtilization}% ${m.resource}`).join(", ");
  const perPod = podRequests(w.template);
  const title = hpa === undefined
    ? `HPA for ${displayName(w)}: ${proposal.minReplicas}..${proposal.maxReplicas} replicas at ${metrics}`
    : `HPA ${displayName({ namespace: w.namespace, name: hpa.metadata.name })}: ${hpa.spec.minReplicas ?? 1}..${hpa.spec.maxReplicas} -> ${proposal.minReplicas}..${proposal.maxReplicas} replicas at ${metrics}`;
  const snapshot = [
    `${hpa === undefined ? "Create" : "Change"} HorizontalPodAutoscaler ${w.name} for ${w.kind.toLowerCase()} ${displayName(w)}: minReplicas ${proposal.minReplicas}, maxReplicas ${proposal.maxReplicas}, target ${metrics} of the request.`,
    "",
    ...proposal.steps.map((s) => `- ${s}`),
  ].join("\n");
  return {
    action: "hpa",
    title,
    object: hpa,
    plan,
    tierInput: { type: "hpa", namespace: w.namespace, targetKind: "HorizontalPodAutoscaler" },
    lowConfidence: gathered.usage.confidence === "low",
    snapshot,
    evidence: [`${w.kind.toLowerCase()} ${displayName(w)} runs ${w.replicas} replica(s)${hpa === undefined ? "; no HPA targets it" : `; HPA ${hpa.metadata.name} targets it (${hpa.spec.minReplicas ?? 1}..${hpa.spec.maxReplicas})`}.`, usageEvidence(gathered)].join("\n\n"),
    metricsPre: metricsPre(gathered, containers, w.replicas),
    notes: [],
    procedure: {},
    // At the quiet-time count: what the cluster reserves most of the time.
    delta: { cpu: formatCpu(perPod.cpu * BigInt(proposal.minReplicas - w.replicas)), memory: formatMemory(perPod.memory * BigInt(proposal.minReplicas - w.replicas)), replicas: proposal.minReplicas, text: `at minReplicas ${proposal.minReplicas} (up to ${proposal.maxReplicas} under load)` },
    rows: [["minReplicas", String(hpa?.spec.minReplicas ?? "-"), String(proposal.minReplicas)], ["maxReplicas", String(hpa?.spec.maxReplicas ?? "-"), String(proposal.maxReplicas)]],
  };
}

async function hpaOf(ctx: ProposeContext, w: Workload): Promise<HorizontalPodAutoscaler | undefined> {
  try {
    return await findHpa(ctx.api, w);
  } catch (error) {
    if (!(error instanceof ForbiddenError)) throw error;
    // Not knowing about an HPA could propose a scale it undoes: refuse rather than guess.
    throw new ForbiddenError(error.verb, error.resource, error.namespace, undefined, "needed to check whether an HPA manages the replicas");
  }
}

function sameHpa(hpa: HorizontalPodAutoscaler, p: { minReplicas: number; maxReplicas: number; metrics: { resource: string; averageUtilization: number }[] }): boolean {
  const current = (hpa.spec.metrics ?? []).map((m) => `${m.resource?.name}:${m.resource?.target.averageUtilization}`).sort().join(",");
  const proposed = p.metrics.map((m) => `${m.resource}:${m.averageUtilization}`).sort().join(",");
  return (hpa.spec.minReplicas ?? 1) === p.minReplicas && hpa.spec.maxReplicas === p.maxReplicas && current === proposed && hpaResourceTargets(hpa).length === p.metrics.length;
}

/** Requested cpu and memory of one pod (requests, else limits, which the API server copies into requests). */
export function podRequests(template: PodTemplate): { cpu: Nanos; memory: Nanos } {
  const total = { cpu: 0n, memory: 0n };
  for (const c of longRunning(template).map((x) => x.container)) {
    for (const r of ["cpu", "memory"] as const) {
      const q = c.resources?.requests?.[r] ?? c.resources?.limits?.[r];
      if (q !== undefined) total[r] += parseQuantity(q, { precision: "round-up" });
    }
  }
  return total;
}
