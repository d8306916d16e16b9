import type { Service } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { makeFinding, remediate } from "../finding.ts";
import { STARTING_GRACE_S } from "../thresholds.ts";
import type { Finding, Rule } from "../types.ts";
import { describeEndpointState, endpointState, serviceWarnings } from "./services.ts";
import { conditionOf, isTerminating, podIsReady, whyNotReady } from "./shared.ts";

/**
 * A Service whose selector matches pods, none of them ready: it has endpoints only in the
 * not-ready list, so traffic goes nowhere. The readiness source is, in order, the Endpoints
 * object, the EndpointSlices, or the pods' Ready condition when neither was gathered. An input
 * without pods (`kubectl get svc,endpoints -o json`) is judged from the endpoints alone, with
 * less confidence: they say that no address is ready, not why.
 */
export const serviceEndpointsNotReady: Rule = {
  id: "service.endpoints-not-ready",
  category: "ServiceEndpointsNotReady",
  kinds: ["Service"],
  evaluate(object, ctx) {
    const service = object as Service;
    if (service.spec.type === "ExternalName") return [];
    const pods = ctx.podsOf(service);
    if (pods.length === 0) return ctx.has("Pod") ? [] : judgeWithoutPods(service, ctx);
    // Pods that have just been created are still starting.
    if (pods.every((p) => ctx.ageSeconds(p.metadata.creationTimestamp) < STARTING_GRACE_S)) return [];

    const evidence = [`spec.selector: ${Object.entries(service.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(",")} matches ${pods.length} pod(s)`];
    const state = endpointState(ctx, service);
    if (state !== undefined) {
      if (state.ready.length > 0) return [];
      evidence.push(describeEndpointState(state));
    } else {
      if (pods.some(podIsReady)) return [];
      evidence.push("no Endpoints/EndpointSlice in the input: judged from the pods' Ready condition");
    }
    const notReady = pods.filter((p) => !podIsReady(p));
    for (const pod of notReady.slice(0, 5)) evidence.push(`pod ${whyNotReady(pod)}`);
    if (notReady.length > 5) evidence.push(`... and ${notReady.length - 5} more`);
    evidence.push(...serviceWarnings(ctx, service));

    const live = notReady.filter((p) => !isTerminating(p));
    const reasons = [...new Set(live.map((p) => whyNotReady(p).split(": ")[1] ?? "not ready"))];
    const since = live.map((p) => conditionOf(p, "Ready")?.lastTransitionTime).filter((t): t is string => t !== undefined).sort()[0];
    return [
      makeFinding(serviceEndpointsNotReady, {
        object: service,
        severity: "critical",
        confidence: state !== undefined ? 0.95 : 0.8,
        summary: `Service ${service.metadata.name} has no ready endpoint: its ${pods.length} pod(s) are not ready (${reasons.slice(0, 3).join("; ") || "terminating"}).`,
        evidence,
        since,
        remediation: remediate(ctx, "investigate", `Fix why the pods behind Service ${service.metadata.name} are not ready (see the pods' findings); the Service recovers by itself.`, service),
      }),
    ];
  },
};

/** Endpoints that list addresses, none of them ready; the pods that would say why are not in the input. */
function judgeWithoutPods(service: Service, ctx: RuleContext): Finding[] {
  const state = endpointState(ctx, service);
  if (state === undefined || state.ready.length > 0 || state.notReady.length === 0) return [];
  const name = service.metadata.name;
  const shown = state.notReady.slice(0, 3).join(", ") + (state.notReady.length > 3 ? ", ..." : "");
  return [
    makeFinding(serviceEndpointsNotReady, {
      object: service,
      severity: "critical",
      confidence: 0.85,
      summary: `Service ${name} has no ready endpoint: all ${state.notReady.length} of its endpoint(s) are not ready (${shown}).`,
      evidence: [describeEndpointState(state), ...serviceWarnings(ctx, service), "the input holds no pods: why they are not ready is not known from it"],
      remediation: remediate(ctx, "investigate", `Diagnose the pods behind Service ${name} (${shown}): they fail their readiness; the Service recovers by itself.`, service),
    }),
  ];
}
