import type { HorizontalPodAutoscaler } from "../../model/k8s.ts";
import { describeCondition, describeEvent, eventsWith, makeFinding, remediate } from "../finding.ts";
import type { Rule } from "../types.ts";
import { hpaMisconfigured } from "./hpa-misconfigured.ts";
import { conditionOf, recentEvents } from "./shared.ts";

/**
 * An autoscaler pinned at maxReplicas while it wants more (ScalingLimited=True, TooManyReplicas):
 * the load outgrew its ceiling. At minReplicas is normal. One that cannot scale at all (target
 * missing, AbleToScale or ScalingActive False, no request to compute utilisation from) is
 * HPAMisconfigured (hpa-misconfigured.ts), so each HPA has one cause.
 */
export const hpaLimited: Rule = {
  id: "hpa.limited",
  category: "HPALimited",
  kinds: ["HorizontalPodAutoscaler"],
  evaluate(object, ctx) {
    const hpa = object as HorizontalPodAutoscaler;
    const limited = conditionOf(hpa, "ScalingLimited");
    const current = hpa.status?.currentReplicas ?? 0;
    const max = hpa.spec.maxReplicas;
    const atMax = limited?.status === "True" && limited.reason === "TooManyReplicas" && current >= max ? limited : undefined;
    if (atMax === undefined || hpaMisconfigured.evaluate(hpa, ctx).length > 0) return [];

    const evidence = [`spec: minReplicas=${hpa.spec.minReplicas ?? 1} maxReplicas=${max}; status: currentReplicas=${current} desiredReplicas=${hpa.status?.desiredReplicas ?? "-"}`, describeCondition(atMax)];
    const events = recentEvents(ctx, eventsWith(ctx, hpa, ["FailedRescale"]));
    const lastEvent = events[events.length - 1];
    if (lastEvent !== undefined) evidence.push(describeEvent(lastEvent));
    return [
      makeFinding(hpaLimited, {
        object: hpa,
        severity: "high",
        confidence: 0.9,
        summary: `HorizontalPodAutoscaler ${hpa.metadata.name} is limited: it is at maxReplicas (${max}) and wants more.`,
        evidence,
        since: atMax.lastTransitionTime,
        remediation: remediate(ctx, "hpa", `Raise maxReplicas of HorizontalPodAutoscaler ${hpa.metadata.name} (check that the nodes can hold them), or make ${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name} cheaper per request.`, hpa),
      }),
    ];
  },
};
