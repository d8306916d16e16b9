import type { Container, HorizontalPodAutoscaler, KubeObject, PodTemplate } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeCondition, describeEvent, eventsWith, makeFinding, remediate } from "../finding.ts";
import type { Finding, Rule, Severity } from "../types.ts";
import { conditionOf, recentEvents } from "./shared.ts";

/**
 * Metrics of a new HPA or of new pods take a scrape or two (metrics-server: 15-60 s) to arrive;
 * "no metrics" for less than this is start-up, not a fault. A missing request is not waited for.
 */
export const HPA_METRICS_GRACE_S = 3 * 60;

const HPA_EVENTS = ["FailedGetScale", "FailedRescale", "FailedGetResourceMetric", "FailedGetContainerResourceMetric", "FailedComputeMetricsReplicas", "FailedGetPodsMetric", "FailedGetObjectMetric", "FailedGetExternalMetric", "InvalidSelector", "InvalidMetricSourceType"];

interface ResourceMetric {
  resource: string;
  /** Set for a ContainerResource metric: only this container needs the request. */
  container?: string;
}

/**
 * An autoscaler that cannot work as configured; one finding per HPA, the first cause wins:
 * - scaleTargetRef names a workload that does not exist (judged only when the snapshot holds
 *   that kind, or the controller says "not found");
 * - AbleToScale=False: the controller cannot read or change the target's scale;
 * - ScalingActive=False (but not ScalingDisabled, a target scaled to 0 on purpose): no metric
 *   to scale on, e.g. a missing resource request or an unreachable metrics API;
 * - it scales on cpu/memory Utilization while a container of the target's pod template has no
 *   request for it, and no pod or status shows the request arriving another way (a LimitRange
 *   default): the controller cannot compute a percentage of nothing.
 * An HPA pinned at maxReplicas is HPALimited, not this.
 */
export const hpaMisconfigured: Rule = {
  id: "hpa.misconfigured",
  category: "HPAMisconfigured",
  kinds: ["HorizontalPodAutoscaler"],
  evaluate(object, ctx) {
    const hpa = object as HorizontalPodAutoscaler;
    const ref = hpa.spec.scaleTargetRef;
    const targetName = `${ref.kind}/${ref.name}`;
    const workload = ctx.get(ref.kind, hpa.metadata.namespace, ref.name);
    const able = conditionOf(hpa, "AbleToScale");
    const active = conditionOf(hpa, "ScalingActive");
    const events = recentEvents(ctx, eventsWith(ctx, hpa, HPA_EVENTS));
    const lastEvent = events[events.length - 1];
    const evidence = [`spec.scaleTargetRef: ${targetName}; minReplicas=${hpa.spec.minReplicas ?? 1} maxReplicas=${hpa.spec.maxReplicas}; metrics: ${describeMetrics(hpa)}`];
    for (const c of [able, active]) if (c?.status === "False") evidence.push(describeCondition(c));
    if (lastEvent !== undefined) evidence.push(describeEvent(lastEvent));
    const name = hpa.metadata.name;
    const finding: FindingBuilder = (input) => [
      makeFinding(hpaMisconfigured, {
        object: hpa,
        severity: input.severity,
        confidence: input.confidence,
        summary: `HorizontalPodAutoscaler ${name} ${input.summary}`,
        evidence: [...evidence, ...(input.extra ?? [])],
        ...(input.since === undefined ? {} : { since: input.since }),
        remediation: input.remediation,
      }),
    ];

    const notFound = able?.status === "False" && /not found/i.test(able.message ?? "");
    if (workload === undefined && (ctx.has(ref.kind) || notFound)) {
      return finding({
        severity: "medium",
        confidence: 0.95,
        summary: `scales ${targetName}, which does not exist: it does nothing.`,
        since: able?.status === "False" ? able.lastTransitionTime : hpa.metadata.creationTimestamp,
        remediation: remediate(ctx, "hpa", `Point spec.scaleTargetRef of HorizontalPodAutoscaler ${name} at an existing workload (kubectl get deploy,sts -n ${hpa.metadata.namespace ?? "-"}), or delete the HPA.`, hpa),
      });
    }
    if (able?.status === "False") {
      return finding({
        severity: "medium",
        confidence: 0.9,
        summary: `cannot change the scale of ${targetName} (${able.reason ?? "AbleToScale=False"}): it does not scale.`,
        since: able.lastTransitionTime,
        remediation: remediate(ctx, "hpa", `Fix spec.scaleTargetRef of HorizontalPodAutoscaler ${name} (kind, apiVersion and name of a workload with a scale subresource), and check the controller's RBAC.`, hpa),
      });
    }

    const metrics = resourceMetrics(hpa);
    const missing = workload === undefined ? [] : missingRequests(workload, metrics, ctx);
    if (active?.status === "False" && active.reason !== "ScalingDisabled") {
      const text = `${active.message ?? ""} ${lastEvent?.message ?? ""}`;
      const resource = /missing request for (\w+)/.exec(text)?.[1];
      if (resource !== undefined || missing.length > 0) {
        const what = resource ?? missing[0]?.resource ?? "cpu";
        return missingRequestFinding(finding, ctx, hpa, workload, targetName, what, missing, active.lastTransitionTime, resource === undefined ? 0.85 : 0.95);
      }
      if (ctx.ageSeconds(active.lastTransitionTime ?? hpa.metadata.creationTimestamp) < HPA_METRICS_GRACE_S) return [];
      return finding({
        severity: "medium",
        confidence: 0.85,
        summary: `has no metric to scale on (${active.reason ?? "ScalingActive=False"}): it does not scale.`,
        since: active.lastTransitionTime,
        remediation: remediate(ctx, "hpa", `Make the metrics of HorizontalPodAutoscaler ${name} available (metrics-server or the metrics adapter: kubectl get apiservice), or fix the metric names in its spec.`, hpa),
      });
    }
    // The controller computed a utilisation, so the requests exist (a LimitRange may set them);
    // or the target is scaled to 0 on purpose and nothing is to be scaled now.
    if (active?.status === "True" || active?.reason === "ScalingDisabled" || missing.length === 0) return [];
    const first = missing[0];
    return first === undefined ? [] : missingRequestFinding(finding, ctx, hpa, workload, targetName, first.resource, missing, hpa.metadata.creationTimestamp, 0.8);
  },
};

type FindingBuilder = (input: { severity: Severity; confidence: number; summary: string; since?: string | undefined; remediation: Finding["remediation"]; extra?: string[] }) => Finding[];

function missingRequestFinding(finding: FindingBuilder, ctx: RuleContext, hpa: HorizontalPodAutoscaler, workload: KubeObject | undefined, targetName: string, resource: string, missing: readonly { resource: string; container: string }[], since: string | undefined, confidence: number): Finding[] {
  const containers = missing.filter((m) => m.resource === resource).map((m) => m.container);
  return finding({
    severity: "medium",
    confidence,
    summary: `scales on ${resource} utilisation, but ${containers.length > 0 ? `container ${containers.join(", ")} of ${targetName} sets` : `${targetName} sets`} no ${resource} request: it cannot compute a percentage and does not scale.`,
    since,
    extra: containers.map((c) => `${templatePath(workload)}.containers[${c}].resources.requests.${resource}: not set`),
    remediation: remediate(ctx, "resources", `Set a ${resource} request on every container of ${targetName} so HorizontalPodAutoscaler ${hpa.metadata.name} can compute utilisation (kubectl aiops propose resources ${targetName.toLowerCase()}).`, workload ?? hpa),
  });
}

function describeMetrics(hpa: HorizontalPodAutoscaler): string {
  const metrics = hpa.spec.metrics ?? [];
  if (metrics.length === 0) return "(none: cpu 80% by default)";
  return metrics
    .map((m) => {
      const source = m.resource ?? m.containerResource;
      if (source === undefined) return m.type;
      const target = source.target.type === "Utilization" ? `${source.target.averageUtilization ?? "-"}%` : (source.target.averageValue ?? source.target.type);
      return `${source.name}${m.containerResource === undefined ? "" : ` of container ${m.containerResource.container}`} ${target}`;
    })
    .join(", ");
}

/** The cpu/memory Utilization metrics; an HPA without metrics scales on cpu at 80 %. */
function resourceMetrics(hpa: HorizontalPodAutoscaler): ResourceMetric[] {
  const metrics = hpa.spec.metrics;
  if (metrics === undefined || metrics.length === 0) return [{ resource: "cpu" }];
  return metrics.flatMap((m): ResourceMetric[] => {
    if (m.type === "Resource" && m.resource?.target.type === "Utilization") return [{ resource: m.resource.name }];
    if (m.type === "ContainerResource" && m.containerResource?.target.type === "Utilization") return [{ resource: m.containerResource.name, container: m.containerResource.container }];
    return [];
  });
}

/**
 * Containers of the target's template without a request a Utilization metric needs, unless the
 * target's pods have it (a LimitRange default is applied to pods, not to the template).
 */
function missingRequests(workload: KubeObject, metrics: readonly ResourceMetric[], ctx: RuleContext): { resource: string; container: string }[] {
  const template = (workload.spec as { template?: PodTemplate } | undefined)?.template;
  if (template === undefined) return [];
  const pods = ctx.podsOf(workload);
  const lacks = (containers: readonly Container[], resource: string, only?: string): string[] =>
    containers.filter((c) => (only === undefined || c.name === only) && c.resources?.requests?.[resource] === undefined).map((c) => c.name);
  return metrics.flatMap((m) => {
    const inTemplate = lacks(template.spec.containers, m.resource, m.container);
    if (inTemplate.length === 0) return [];
    if (pods.length > 0 && pods.every((p) => lacks(p.spec.containers, m.resource, m.container).length === 0)) return [];
    return inTemplate.map((container) => ({ resource: m.resource, container }));
  });
}

function templatePath(workload: KubeObject | undefined): string {
  return workload === undefined ? "spec.template.spec" : `${workload.kind ?? ""}/${workload.metadata.name} spec.template.spec`;
}
