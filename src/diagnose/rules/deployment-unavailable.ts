import type { Deployment, Pod } from "../../model/k8s.ts";
import { describeCondition, makeFinding, remediate } from "../finding.ts";
import type { Rule, Severity } from "../types.ts";
import { conditionOf, isTerminating, podIsReady, whyNotReady } from "./shared.ts";

/** The controller's default when spec.progressDeadlineSeconds is unset. */
const DEFAULT_PROGRESS_DEADLINE_S = 600;

/**
 * A Deployment that does not reach availability: a rollout past its progress deadline, or
 * replicas unavailable for longer than that deadline. A rollout still inside its deadline is
 * just rolling. The pods say why, so the evidence lists the failing ones.
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
    const failing = ctx.podsOf(deployment).filter((p) => !podIsReady(p) && !isTerminating(p));
    // Outside a rollout the last progress is the end of the previous one, long ago: what counts
    // is how long the pods have been not ready.
    const rollingOut = progressing?.reason === "ReplicaSetUpdated" || (status.updatedReplicas ?? replicas) < replicas || (status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0);
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
    for (const pod of failing.slice(0, 5)) evidence.push(`pod ${whyNotReady(pod)}`);
    if (failing.length > 5) evidence.push(`... and ${failing.length - 5} more pod(s) not ready`);

    const noneAvailable = (status.availableReplicas ?? 0) === 0;
    const severity: Severity = noneAvailable ? "critical" : available?.status === "False" || exceeded ? "high" : "medium";
    const name = `Deployment/${deployment.metadata.name}`;
    const what = exceeded
      ? `its rollout exceeded the ${deadline}s progress deadline`
      : `${unavailable} of ${replicas} replica(s) have been unavailable for longer than the ${deadline}s progress deadline`;
    const why = failing.length === 0 ? "" : ` (pods: ${[...new Set(failing.map((p) => whyNotReady(p).split(": ")[1]))].slice(0, 3).join("; ")})`;
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

/** When the first of these pods stopped being ready (their Ready condition's transition). */
function earliestNotReady(pods: readonly Pod[]): string | undefined {
  const times = pods
    .map((p) => conditionOf(p, "Ready"))
    .filter((c) => c?.status === "False" && c.lastTransitionTime !== undefined)
    .map((c) => c?.lastTransitionTime ?? "")
    .sort();
  return times[0];
}
