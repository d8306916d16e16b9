import type { Condition, Deployment, ReplicaSet } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeCondition, makeFinding, remediate } from "../finding.ts";
import type { Finding, Rule, Severity } from "../types.ts";
import { conditionOf, isTerminating } from "./shared.ts";
import { earliestNotReady, failingNow, notReadyLines, notReadyReasons, workloadPods, type FailingNow } from "./workload-pods.ts";

/** The controller's default when spec.progressDeadlineSeconds is unset. */
const DEFAULT_PROGRESS_DEADLINE_S = 600;

const REVISION = "deployment.kubernetes.io/revision";

/**
 * A Deployment that does not reach availability. Unavailable replicas whose pods fail
 * definitively (crash loop, OOM kill, image pull, ...) make it unavailable at once, a rollout
 * stalled on such pods of its new ReplicaSet included. Otherwise it takes a rollout past its
 * progress deadline, or replicas unavailable for longer than that deadline: a rollout still
 * inside its deadline is just rolling. The pods say why, so the evidence lists the failing ones.
 */
export const deploymentUnavailable: Rule = {
  id: "deployment.unavailable",
  category: "DeploymentUnavailable",
  kinds: ["Deployment"],
  evaluate(object, ctx) {
    const deployment = object as Deployment;
    const replicas = deployment.spec.replicas ?? 1;
    if (replicas === 0 || isTerminating(deployment)) return [];
    const deadline = deployment.spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_S;
    const status = deployment.status ?? {};
    const progressing = conditionOf(deployment, "Progressing");
    const available = conditionOf(deployment, "Available");
    const unavailable = status.unavailableReplicas ?? Math.max(0, replicas - (status.availableReplicas ?? 0));

    const exceeded = progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded";
    const availableFalseFor = available?.status === "False" ? ctx.ageSeconds(available.lastTransitionTime) : 0;
    // Progressing's lastUpdateTime moves with every step of a rollout: no step for a whole
    // deadline while replicas are unavailable means it is stuck, whatever the reason says.
    // A Deployment the controller has not reported on yet is as old as its creation.
    const lastProgress = progressing?.lastUpdateTime ?? progressing?.lastTransitionTime ?? deployment.metadata.creationTimestamp;
    const rollingOut = progressing?.reason === "ReplicaSetUpdated" || (status.updatedReplicas ?? replicas) < replicas || (status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0);
    const pods = workloadPods(deployment, replicas, ctx);
    const failing = pods.notReady;
    const now = unavailable > 0 ? failingNow(deployment, pods, ctx) : undefined;
    if (now !== undefined) return [failingNowFinding(deployment, ctx, { replicas, unavailable, deadline, exceeded, rollingOut, progressing, available, now, failures: pods.failures })];
    // Outside a rollout the last progress is the end of the previous one, long ago: what counts
    // is how long the pods have been not ready.
    const notReadySince = rollingOut ? undefined : earliestNotReady(failing);
    const stalledFor = unavailable > 0 ? ctx.ageSeconds(notReadySince ?? lastProgress) : 0;
    const longUnavailable = availableFalseFor > deadline || (unavailable > 0 && stalledFor > deadline);
    if (!exceeded && !longUnavailable) return [];

    const paused = deployment.spec.paused === true;
    const evidence = [
      `status: replicas=${status.replicas ?? 0} updated=${status.updatedReplicas ?? 0} ready=${status.readyReplicas ?? 0} available=${status.availableReplicas ?? 0} unavailable=${unavailable} (spec.replicas=${replicas})`,
    ];
    if (progressing !== undefined) evidence.push(describeCondition(progressing));
    if (available !== undefined) evidence.push(describeCondition(available));
    evidence.push(`spec.progressDeadlineSeconds: ${deadline}${deployment.spec.progressDeadlineSeconds === undefined ? " (default)" : ""}`);
    if (paused) evidence.push("spec.paused: true (the rollout is paused; its deadline is not checked)");
    evidence.push(...notReadyLines(failing, ctx));

    const noneAvailable = (status.availableReplicas ?? 0) === 0;
    const severity: Severity = noneAvailable ? "critical" : available?.status === "False" || exceeded ? "high" : "medium";
    const name = `Deployment/${deployment.metadata.name}`;
    const what = exceeded
      ? `its rollout exceeded the ${deadline}s progress deadline`
      : `${unavailable} of ${replicas} replica(s) have been unavailable for longer than the ${deadline}s progress deadline`;
    const why = failing.length === 0 ? "" : ` (pods: ${notReadyReasons(failing)})`;
    const remediation = exceeded && !paused
      ? remediate(ctx, "rollback", `Roll back ${name} to its previous revision, then fix what keeps the new pods from becoming available.`, deployment)
      : remediate(ctx, "investigate", paused ? `Resume the paused rollout of ${name} once its pods are fixed.` : `Fix what keeps the pods of ${name} from becoming available (see their findings).`, deployment);

    return [
      makeFinding(deploymentUnavailable, {
        object: deployment,
        severity,
        confidence: exceeded ? 0.95 : available?.status === "False" ? 0.85 : 0.7,
        summary: `Deployment ${deployment.metadata.name} is unavailable: ${what}${why}${paused ? "; the rollout is paused" : ""}.`,
        evidence,
        since: exceeded ? progressing.lastTransitionTime : available?.status === "False" ? available.lastTransitionTime : (notReadySince ?? lastProgress),
        remediation,
      }),
    ];
  },
};

interface Situation {
  replicas: number;
  unavailable: number;
  deadline: number;
  exceeded: boolean;
  rollingOut: boolean;
  progressing: Condition | undefined;
  available: Condition | undefined;
  now: FailingNow;
  failures: readonly Finding[];
}

/** Unavailable replicas whose pods fail definitively: no deadline to wait for. */
function failingNowFinding(deployment: Deployment, ctx: RuleContext, s: Situation): Finding {
  const status = deployment.status ?? {};
  const name = `Deployment/${deployment.metadata.name}`;
  const paused = deployment.spec.paused === true;
  const stalledOn = s.rollingOut || s.exceeded ? newReplicaSetFailing(deployment, s.failures, ctx) : undefined;
  const evidence = [
    `status: replicas=${status.replicas ?? 0} updated=${status.updatedReplicas ?? 0} ready=${status.readyReplicas ?? 0} available=${status.availableReplicas ?? 0} unavailable=${s.unavailable} (spec.replicas=${s.replicas})`,
  ];
  if (s.progressing !== undefined) evidence.push(describeCondition(s.progressing));
  if (s.available !== undefined) evidence.push(describeCondition(s.available));
  if (s.exceeded) evidence.push(`spec.progressDeadlineSeconds: ${s.deadline}${deployment.spec.progressDeadlineSeconds === undefined ? " (default)" : ""}`);
  if (stalledOn !== undefined) evidence.push(`rollout: the failing pods all belong to the new ReplicaSet ${stalledOn.current.metadata.name} (revision ${stalledOn.revision}); ReplicaSet ${stalledOn.previous.metadata.name} (revision ${stalledOn.previousRevision}) is the one before`);
  if (paused) evidence.push("spec.paused: true (the rollout is paused)");
  evidence.push(...s.now.evidence);

  const rollout = s.exceeded ? `, its rollout exceeded the ${s.deadline}s progress deadline` : stalledOn === undefined ? "" : `, its rollout is stalled on ReplicaSet ${stalledOn.current.metadata.name}`;
  // A bad new revision is undone fastest by going back; the pods' own fix follows.
  const remediation =
    (s.exceeded || stalledOn !== undefined) && !paused
      ? remediate(ctx, "rollback", `Roll back ${name} to its previous revision, then fix what makes the new pods fail: ${s.now.cause}.`, deployment)
      : s.now.remediation;
  return makeFinding(deploymentUnavailable, {
    object: deployment,
    severity: (status.availableReplicas ?? 0) === 0 ? "critical" : "high",
    confidence: s.exceeded ? 0.95 : 0.9,
    summary: `Deployment ${deployment.metadata.name} is unavailable: ${s.unavailable} of ${s.replicas} replica(s) unavailable${rollout}; its pods fail now: ${s.now.cause}${paused ? "; the rollout is paused" : ""}.`,
    evidence,
    since: s.now.since ?? (s.available?.status === "False" ? s.available.lastTransitionTime : undefined),
    remediation,
  });
}

/**
 * During a rollout, the newest ReplicaSet when every failing pod is one of its own and an older
 * revision exists to go back to: the rollout is stalled on a bad new revision.
 */
function newReplicaSetFailing(deployment: Deployment, failures: readonly Finding[], ctx: RuleContext): { current: ReplicaSet; revision: number; previous: ReplicaSet; previousRevision: number } | undefined {
  const revisions = ctx
    .ownedBy<ReplicaSet>(deployment, "ReplicaSet")
    .map((rs) => ({ rs, revision: Number(rs.metadata.annotations?.[REVISION] ?? NaN) }))
    .filter((r) => Number.isFinite(r.revision))
    .sort((a, b) => b.revision - a.revision);
  const [current, previous] = revisions;
  if (current === undefined || previous === undefined) return undefined;
  const failing = failures.map((f) => ctx.get(f.object.kind, f.object.namespace, f.object.name));
  if (failing.length === 0 || failing.some((pod) => pod === undefined || ctx.controllerOf(pod) !== current.rs)) return undefined;
  return { current: current.rs, revision: current.revision, previous: previous.rs, previousRevision: previous.revision };
}
