import type { Pod } from "../../model/k8s.ts";
import { describeCondition, makeFinding, remediate, workloadOf } from "../finding.ts";
import { SCHEDULING_GATED_AFTER_S } from "../thresholds.ts";
import type { Rule } from "../types.ts";
import { formatDuration } from "../../util/duration.ts";
import { conditionOf, isTerminating } from "./shared.ts";

/**
 * A pod the scheduler leaves alone because spec.schedulingGates is not empty (PodScheduled False,
 * reason SchedulingGated), for longer than SCHEDULING_GATED_AFTER_S. Gates are set on purpose
 * and lifted by a controller (a queue such as Kueue, a capacity provisioner), so a young gated
 * pod is waiting its turn, not failing.
 */
export const schedulingGated: Rule = {
  id: "pod.scheduling-gated",
  category: "SchedulingGated",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod) || pod.spec.nodeName !== undefined || (pod.status?.phase ?? "Pending") !== "Pending") return [];
    const gates = (Array.isArray(pod.spec.schedulingGates) ? pod.spec.schedulingGates : []).map((g) => g.name);
    const scheduled = conditionOf(pod, "PodScheduled");
    // The API server sets reason SchedulingGated while gates remain; a dump may lack the condition.
    if (gates.length === 0 || (scheduled !== undefined && scheduled.reason !== "SchedulingGated")) return [];
    const since = scheduled?.lastTransitionTime ?? pod.metadata.creationTimestamp;
    const age = ctx.ageSeconds(since);
    if (since === undefined || age <= SCHEDULING_GATED_AFTER_S) return [];

    const evidence = [`spec.schedulingGates: ${gates.join(", ")}`];
    if (scheduled !== undefined) evidence.push(describeCondition(scheduled));
    evidence.push(`gated for ${formatDuration(Math.round(age))} (threshold ${formatDuration(SCHEDULING_GATED_AFTER_S)})`);
    const workload = workloadOf(pod, ctx);
    return [
      makeFinding(schedulingGated, {
        object: pod,
        severity: "medium",
        confidence: 0.9,
        summary: `Pod ${pod.metadata.name} has waited ${formatDuration(Math.round(age))} for its scheduling gate(s) ${gates.join(", ")} to be removed; the scheduler does not consider it until then.`,
        evidence,
        since,
        remediation: remediate(ctx, "investigate", `Check the controller that owns gate ${gates[0] ?? "-"} (a queue such as Kueue: is the workload admitted, is there quota?); if nothing will lift it, remove the gate from ${workload.kind}/${workload.metadata.name}'s pods.`, workload),
      }),
    ];
  },
};
