import type { HorizontalPodAutoscaler, KubeObject } from "../../model/k8s.ts";
import { describeCondition, describeEvent, eventsWith, makeFinding, remediate } from "../finding.ts";
import type { Rule, Severity } from "../types.ts";
import { conditionOf, recentEvents } from "./shared.ts";

/**
 * An autoscaler that cannot do its job: pinned at maxReplicas while it wants more, unable to
 * change the scale, or blind because a metric is missing (often: no resource request to compute
 * utilisation from). At minReplicas, or disabled on a target scaled to 0, is normal.
 */
export const hpaLimited: Rule = {
  id: "hpa.limited",
  category: "HPALimited",
  kinds: ["HorizontalPodAutoscaler"],
  evaluate(object, ctx) {
    const hpa = object as HorizontalPodAutoscaler;
    const ableToScale = conditionOf(hpa, "AbleToScale");
    const active = conditionOf(hpa, "ScalingActive");
    const limited = conditionOf(hpa, "ScalingLimited");
    const current = hpa.status?.currentReplicas ?? 0;
    const max = hpa.spec.maxReplicas;

    const cannotScale = ableToScale?.status === "False" ? ableToScale : undefined;
    const blind = active?.status === "False" && active.reason !== "ScalingDisabled" ? active : undefined;
    const atMax = limited?.status === "True" && limited.reason === "TooManyReplicas" && current >= max ? limited : undefined;
    const problem = cannotScale ?? blind ?? atMax;
    if (problem === undefined) return [];

    const target = hpa.spec.scaleTargetRef;
    const evidence = [`spec: minReplicas=${hpa.spec.minReplicas ?? 1} maxReplicas=${max}; status: currentReplicas=${current} desiredReplicas=${hpa.status?.desiredReplicas ?? "-"}`];
    for (const c of [ableToScale, active, limited]) if (c !== undefined && c.status !== (c.type === "ScalingLimited" ? "False" : "True")) evidence.push(describeCondition(c));
    const events = recentEvents(ctx, eventsWith(ctx, hpa, ["FailedGetResourceMetric", "FailedComputeMetricsReplicas", "FailedGetScale", "FailedRescale", "FailedGetPodsMetric", "FailedGetExternalMetric"]));
    const lastEvent = events[events.length - 1];
    if (lastEvent !== undefined) evidence.push(describeEvent(lastEvent));

    const text = `${problem.message ?? ""} ${lastEvent?.message ?? ""}`;
    const missingRequest = /missing request for (\w+)/.exec(text)?.[1];
    const workload: KubeObject = ctx.get(target.kind, hpa.metadata.namespace, target.name) ?? hpa;
    const name = `${target.kind}/${target.name}`;
    let why: string;
    let severity: Severity = "medium";
    let remediation;
    if (problem === atMax) {
      why = `it is at maxReplicas (${max}) and wants more`;
      severity = "high";
      remediation = remediate(ctx, "hpa", `Raise maxReplicas of HorizontalPodAutoscaler ${hpa.metadata.name} (check that the nodes can hold them), or make ${name} cheaper per request.`, hpa);
    } else if (missingRequest !== undefined) {
      why = `it cannot compute ${missingRequest} utilisation because ${name} sets no ${missingRequest} request`;
      remediation = remediate(ctx, "resources", `Set a ${missingRequest} request on every container of ${name} so the autoscaler can compute utilisation.`, workload);
    } else if (problem === blind) {
      why = `its metrics are unavailable (${problem.reason ?? "ScalingActive=False"}; is metrics-server running?)`;
      remediation = remediate(ctx, "hpa", `Make the metric of HorizontalPodAutoscaler ${hpa.metadata.name} available (metrics-server/adapter) or fix the metric spec.`, hpa);
    } else {
      why = `it cannot change the scale of ${name} (${problem.reason ?? "AbleToScale=False"})`;
      remediation = remediate(ctx, "hpa", `Fix scaleTargetRef of HorizontalPodAutoscaler ${hpa.metadata.name} (${name} must exist and allow scaling).`, hpa);
    }
    return [
      makeFinding(hpaLimited, {
        object: hpa,
        severity,
        confidence: 0.9,
        summary: `HorizontalPodAutoscaler ${hpa.metadata.name} is limited: ${why}.`,
        evidence,
        since: problem.lastTransitionTime,
        remediation,
      }),
    ];
  },
};
