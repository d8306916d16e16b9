import type { Deployment, Pod, Service, StatefulSet } from "../../model/k8s.ts";
import { matchesSelector, type RuleContext } from "../context.ts";
import { makeFinding, remediate } from "../finding.ts";
import type { Finding, Rule } from "../types.ts";
import { closestLabelSets, describeCandidate, formatLabels } from "./labels.ts";
import { describeEndpointState, endpointState, serviceWarnings } from "./services.ts";
import { recentEvents } from "./shared.ts";

/**
 * A Service whose selector matches no pod, so it has no endpoints at all. Usually a typo or a
 * relabelled workload: the finding shows the pod label sets closest to the selector. A Service
 * without a selector (endpoints managed by hand) or of type ExternalName is not judged.
 * An input without pods (`kubectl get svc,endpoints -o json`) is judged from the endpoints
 * controller's own record, with less confidence and no label to suggest.
 */
export const serviceNoEndpoints: Rule = {
  id: "service.no-endpoints",
  category: "ServiceNoEndpoints",
  kinds: ["Service"],
  evaluate(object, ctx) {
    const service = object as Service;
    const selector = service.spec.selector ?? {};
    if (service.spec.type === "ExternalName" || Object.keys(selector).length === 0) return [];
    if (ctx.podsOf(service).length > 0) return [];
    if (!ctx.has("Pod")) return judgeWithoutPods(service, ctx);

    const namespace = service.metadata.namespace;
    const wanted = formatLabels(selector);
    const pods = ctx.all<Pod>("Pod", namespace);
    const closest = closestLabelSets(selector, pods);
    const evidence = [`spec.selector: ${wanted}`, `0 of ${pods.length} pod(s) in namespace ${namespace ?? "-"} match`];
    for (const c of closest) evidence.push(describeCandidate(c));
    const scaledToZero = scaledToZeroWorkloads(selector, ctx, namespace);
    for (const w of scaledToZero) evidence.push(`${w} matches the selector but has 0 replicas`);
    evidence.push(...serviceWarnings(ctx, service));

    const best = closest[0];
    const hint = scaledToZero.length > 0 ? `; ${scaledToZero[0]} is scaled to 0` : best === undefined ? "" : `; closest pod labels: ${best.differs.map((k) => `${k}=${best.labels[k] ?? "(absent)"}`).join(", ")}`;
    return [
      makeFinding(serviceNoEndpoints, {
        object: service,
        severity: "high",
        confidence: scaledToZero.length > 0 || best !== undefined ? 0.9 : 0.8,
        summary: `Service ${service.metadata.name} has no endpoints: its selector ${wanted} matches no pod${hint}.`,
        evidence,
        remediation: remediate(
          ctx,
          "config",
          best !== undefined && scaledToZero.length === 0
            ? `Fix the selector of Service ${service.metadata.name} (${best.differs.map((k) => `${k}=${selector[k] ?? "(absent)"} -> ${k}=${best.labels[k] ?? "(absent)"}`).join(", ")}) or the labels of the intended pods.`
            : `Make the selector of Service ${service.metadata.name} match the pods it should serve${scaledToZero.length > 0 ? `, or scale ${scaledToZero[0]} up` : ""}.`,
          service,
        ),
      }),
    ];
  },
};

/**
 * No pod to compare the selector with: an Endpoints object or EndpointSlices listing no address
 * at all, or, without them, the endpoints controller's Warning events about the Service
 * (FailedToUpdateEndpoint, FailedToUpdateEndpointSlices) say it has none.
 */
function judgeWithoutPods(service: Service, ctx: RuleContext): Finding[] {
  const name = service.metadata.name;
  const wanted = formatLabels(service.spec.selector ?? {});
  const state = endpointState(ctx, service);
  const evidence = [`spec.selector: ${wanted}`];
  let confidence: number;
  let why: string;
  if (state !== undefined) {
    if (state.ready.length + state.notReady.length > 0) return [];
    evidence.push(describeEndpointState(state));
    confidence = 0.7;
    why = `${state.source} lists no address`;
  } else {
    const failures = recentEvents(ctx, ctx.eventsFor(service).filter((e) => e.type === "Warning" && /endpoint/i.test(e.reason ?? "")));
    if (failures.length === 0) return [];
    confidence = 0.6;
    why = `the endpoints controller reports ${[...new Set(failures.map((e) => e.reason))].join(", ")}`;
  }
  evidence.push(...serviceWarnings(ctx, service), "the input holds no pods: which pod labels come close to the selector is unknown");
  return [
    makeFinding(serviceNoEndpoints, {
      object: service,
      severity: "high",
      confidence,
      summary: `Service ${name} has no endpoints: ${why} for its selector ${wanted} (the input holds no pods to compare it with).`,
      evidence,
      remediation: remediate(ctx, "config", `List the pods the selector should match (kubectl get pods -n ${service.metadata.namespace ?? "<ns>"} --show-labels) and fix the selector of Service ${name} or their labels.`, service),
    }),
  ];
}

function scaledToZeroWorkloads(selector: Record<string, string>, ctx: RuleContext, namespace: string | undefined): string[] {
  const workloads = [...ctx.all<Deployment>("Deployment", namespace), ...ctx.all<StatefulSet>("StatefulSet", namespace)];
  return workloads
    .filter((w) => w.spec.replicas === 0 && matchesSelector(w.spec.template.metadata?.labels ?? {}, { matchLabels: selector }))
    .map((w) => `${w.kind ?? "Workload"}/${w.metadata.name}`);
}
