import type { Deployment, KubeObject, Pod, ReplicaSet } from "../model/k8s.ts";
import { DIAGNOSED_KINDS } from "../model/k8s.ts";
import { RuleContext, objectKey, type Snapshot } from "./context.ts";
import { refOf } from "./finding.ts";
import { RULES } from "./rules/index.ts";
import type { Category, Diagnosis, DiagnosisList, Finding, ObjectRef, Rule, Severity } from "./types.ts";
import type { TierPolicy } from "../policy/tiers.ts";

/**
 * A cause named by one finding makes a symptom of the same container redundant: a crash loop
 * whose last termination was an OOM kill is reported as OOMKilled, not twice.
 */
const SUPERSEDES: Partial<Record<Category, readonly Category[]>> = {
  OOMKilled: ["CrashLoopBackOff", "ContainerExitError", "LivenessProbeFailure"],
  LivenessProbeFailure: ["CrashLoopBackOff", "ContainerExitError"],
  StartupProbeFailure: ["CrashLoopBackOff", "ContainerExitError", "LivenessProbeFailure"],
  CrashLoopBackOff: ["ContainerExitError"],
  ContainerCreateError: ["CrashLoopBackOff", "ContainerExitError"],
  InitContainerFailure: ["CrashLoopBackOff", "ContainerExitError", "StuckContainerCreating"],
  ContainerConfigError: ["StuckContainerCreating", "ContainerCreateError"],
  ImagePullError: ["StuckContainerCreating"],
  Unschedulable: ["StuckContainerCreating"],
};

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export interface DiagnoseOptions {
  /** Diagnose these objects and what they depend on; otherwise every top-level object. */
  targets?: readonly ObjectRef[];
  rules?: readonly Rule[];
  tierPolicy?: TierPolicy;
}

/** Diagnoses a snapshot: one item per target (or per top-level object), healthy ones included. */
export function diagnoseSnapshot(snapshot: Snapshot, options: DiagnoseOptions = {}): DiagnosisList {
  const ctx = new RuleContext(snapshot, options.tierPolicy);
  const rules = options.rules ?? RULES;
  const rulesByKind = new Map<string, Rule[]>();
  for (const kind of DIAGNOSED_KINDS) rulesByKind.set(kind, rules.filter((r) => r.kinds.includes(kind)));

  const targeted = options.targets !== undefined;
  const targets = targeted ? resolveTargets(ctx, options.targets ?? []) : topLevelObjects(ctx);
  const items = targets.map((target) => {
    const raw: Finding[] = [];
    for (const object of scopeOf(target, ctx, targeted)) {
      for (const rule of rulesByKind.get(object.kind ?? "") ?? []) {
        for (const finding of rule.evaluate(object, ctx)) raw.push(finding);
      }
    }
    // Most objects are healthy: no findings, nothing to dedupe, supersede, sort or correlate.
    const findings = raw.length === 0 ? [] : sortFindings(supersede(dedupe(raw)).map((f) => correlateRollout(f, ctx)));
    const diagnosis: Diagnosis = {
      apiVersion: "aiops.dev/v1",
      kind: "Diagnosis",
      target: refOf(target),
      status: findings.length > 0 ? "ProblemDetected" : "OK",
      findings,
      similar: [],
    };
    return diagnosis;
  });
  return { apiVersion: "aiops.dev/v1", kind: "DiagnosisList", judgedAt: snapshot.now, items };
}

function resolveTargets(ctx: RuleContext, refs: readonly ObjectRef[]): KubeObject[] {
  return refs.flatMap((ref) => {
    const found = ctx.get(ref.kind, ref.namespace, ref.name);
    return found === undefined ? [] : [found];
  });
}

/**
 * Objects that stand on their own: workloads, Services, PVCs, Nodes, HPAs, and pods or
 * ReplicaSets whose controller is not in the snapshot. Pods of a Deployment are reported under
 * the Deployment, so a namespace lists each failure once.
 */
function topLevelObjects(ctx: RuleContext): KubeObject[] {
  const result: KubeObject[] = [];
  for (const kind of DIAGNOSED_KINDS) {
    for (const object of ctx.all(kind)) {
      if ((kind === "Pod" || kind === "ReplicaSet") && hasDiagnosedController(object, ctx)) continue;
      result.push(object);
    }
  }
  return result;
}

function hasDiagnosedController(object: KubeObject, ctx: RuleContext): boolean {
  const owner = ctx.controllerOf(object);
  return owner !== undefined && (DIAGNOSED_KINDS as readonly string[]).includes(owner.kind ?? "");
}

/** The target and the objects it is made of; with `dependencies`, also what it depends on. */
function scopeOf(target: KubeObject, ctx: RuleContext, dependencies: boolean): KubeObject[] {
  // A pod on its own is its whole scope (the common case of a big namespace: thousands of them).
  if (target.kind === "Pod" && !dependencies) return [target];
  const scope = new Map<string, KubeObject>();
  const add = (object: KubeObject | undefined): void => {
    if (object !== undefined) scope.set(objectKey(object.kind ?? "", object.metadata.namespace, object.metadata.name), object);
  };
  add(target);
  let pods: Pod[] = [];
  switch (target.kind) {
    case "Deployment":
      for (const rs of ctx.ownedBy<ReplicaSet>(target, "ReplicaSet")) add(rs);
      pods = ctx.podsOf(target);
      add(ctx.hpaFor(target));
      break;
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
    case "ReplicaSet":
      pods = ctx.podsOf(target);
      add(ctx.hpaFor(target));
      break;
    case "Service":
      if (dependencies) pods = ctx.podsOf(target);
      break;
    case "Pod":
      pods = [target as Pod];
      break;
    default:
      break;
  }
  for (const pod of pods) add(pod);
  if (dependencies) {
    for (const pod of pods) {
      add(ctx.node(pod.spec.nodeName));
      for (const volume of pod.spec.volumes ?? []) {
        if (volume.persistentVolumeClaim !== undefined) add(ctx.pvc(pod.metadata.namespace, volume.persistentVolumeClaim.claimName));
      }
    }
  }
  return [...scope.values()];
}

function findingKey(f: Finding): string {
  return `${f.id}|${f.object.kind}/${f.object.namespace ?? ""}/${f.object.name}|${f.container ?? ""}`;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const finding of findings) if (!seen.has(findingKey(finding))) seen.set(findingKey(finding), finding);
  return [...seen.values()];
}

function supersede(findings: Finding[]): Finding[] {
  return findings.filter(
    (symptom) =>
      !findings.some(
        (cause) =>
          cause !== symptom &&
          (SUPERSEDES[cause.category] ?? []).includes(symptom.category) &&
          sameObject(cause.object, symptom.object) &&
          (cause.container === undefined || symptom.container === undefined || cause.container === symptom.container),
      ),
  );
}

function sameObject(a: ObjectRef, b: ObjectRef): boolean {
  return a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      b.confidence - a.confidence ||
      a.object.name.localeCompare(b.object.name) ||
      (a.container ?? "").localeCompare(b.container ?? ""),
  );
}

const REVISION = "deployment.kubernetes.io/revision";
/** A failure that starts within this long after a new revision rolled out is attributed to it. */
export const ROLLOUT_CORRELATION_S = 2 * 60 * 60;

/**
 * "Failing since revision N rolled out at T": a failure of a pod of the newest ReplicaSet that
 * began after that ReplicaSet was created, while an older revision exists to go back to.
 */
function correlateRollout(finding: Finding, ctx: RuleContext): Finding {
  const object = ctx.get(finding.object.kind, finding.object.namespace, finding.object.name);
  if (object === undefined) return finding;
  let deployment: Deployment | undefined;
  let replicaSet: ReplicaSet | undefined;
  if (object.kind === "Pod") {
    const owner = ctx.controllerOf(object);
    if (owner?.kind !== "ReplicaSet") return finding;
    replicaSet = owner as ReplicaSet;
    const top = ctx.controllerOf(owner);
    if (top?.kind !== "Deployment") return finding;
    deployment = top as Deployment;
  } else if (object.kind === "Deployment") {
    deployment = object as Deployment;
  } else {
    return finding;
  }
  const revisions = ctx
    .ownedBy<ReplicaSet>(deployment, "ReplicaSet")
    .map((rs) => ({ rs, revision: Number(rs.metadata.annotations?.[REVISION] ?? NaN) }))
    .filter((r) => Number.isFinite(r.revision))
    .sort((a, b) => b.revision - a.revision);
  const newest = revisions[0];
  const previous = revisions[1];
  if (newest === undefined || previous === undefined) return finding;
  if (replicaSet !== undefined && newest.rs !== replicaSet) return finding;
  const rolledOutAt = newest.rs.metadata.creationTimestamp;
  const since = finding.since === undefined ? NaN : Date.parse(finding.since);
  // A failure that began long after the rollout has another cause than the new revision.
  if (rolledOutAt === undefined || Number.isNaN(since) || since < Date.parse(rolledOutAt) || since - Date.parse(rolledOutAt) > ROLLOUT_CORRELATION_S * 1000) return finding;
  return {
    ...finding,
    evidence: [
      ...finding.evidence,
      `rollout: failing since revision ${newest.revision} (ReplicaSet ${newest.rs.metadata.name}) rolled out at ${rolledOutAt}; revision ${previous.revision} (ReplicaSet ${previous.rs.metadata.name}) before it`,
    ],
    rollout: {
      deployment: deployment.metadata.name,
      revision: newest.revision,
      replicaSet: newest.rs.metadata.name,
      rolledOutAt,
      previousRevision: previous.revision,
    },
  };
}
