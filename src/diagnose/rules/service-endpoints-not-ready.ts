import type { Service } from "../../model/k8s.ts";
import { makeFinding, remediate } from "../finding.ts";
import { STARTING_GRACE_S } from "../thresholds.ts";
import type { Rule } from "../types.ts";
import { conditionOf, isTerminating, podIsReady, whyNotReady } from "./shared.ts";

/**
 * A Service whose selector matches pods, none of them ready: it has endpoints only in the
 * not-ready list, so traffic goes nowhere. The readiness source is, in order, the Endpoints
 * object, the EndpointSlices, or the pods' Ready condition when neither was gathered.
 */
export const serviceEndpointsNotReady: Rule = {
  id: "service.endpoints-not-ready",
  category: "ServiceEndpointsNotReady",
  kinds: ["Service"],
  evaluate(object, ctx) {
    const service = object as Service;
    if (service.spec.type === "ExternalName") return [];
    const pods = ctx.podsOf(service);
    if (pods.length === 0) return [];
    // Pods that have just been created are still starting.
    if (pods.every((p) => ctx.ageSeconds(p.metadata.creationTimestamp) < STARTING_GRACE_S)) return [];

    const evidence = [`spec.selector: ${Object.entries(service.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(",")} matches ${pods.length} pod(s)`];
    const { endpoints, slices } = ctx.endpointsFor(service);
    let source: "endpoints" | "pods";
    if (endpoints !== undefined) {
      const ready = (endpoints.subsets ?? []).flatMap((s) => s.addresses ?? []);
      const notReady = (endpoints.subsets ?? []).flatMap((s) => s.notReadyAddresses ?? []);
      if (ready.length > 0) return [];
      evidence.push(`Endpoints ${endpoints.metadata.name}: 0 ready addresses, ${notReady.length} not ready${notReady.length === 0 ? "" : ` (${notReady.map((a) => a.targetRef?.name ?? a.ip).join(", ")})`}`);
      source = "endpoints";
    } else if (slices.length > 0) {
      const all = slices.flatMap((s) => s.endpoints ?? []);
      // An unset ready condition means ready (discovery.k8s.io/v1).
      if (all.some((e) => e.conditions?.ready !== false)) return [];
      evidence.push(`EndpointSlice(s) ${slices.map((s) => s.metadata.name).join(", ")}: 0 ready of ${all.length} endpoint(s)`);
      source = "endpoints";
    } else {
      if (pods.some(podIsReady)) return [];
      evidence.push("no Endpoints/EndpointSlice in the input: judged from the pods' Ready condition");
      source = "pods";
    }
    const notReady = pods.filter((p) => !podIsReady(p));
    for (const pod of notReady.slice(0, 5)) evidence.push(`pod ${whyNotReady(pod)}`);
    if (notReady.length > 5) evidence.push(`... and ${notReady.length - 5} more`);

    const live = notReady.filter((p) => !isTerminating(p));
    const reasons = [...new Set(live.map((p) => whyNotReady(p).split(": ")[1] ?? "not ready"))];
    const since = live.map((p) => conditionOf(p, "Ready")?.lastTransitionTime).filter((t): t is string => t !== undefined).sort()[0];
    return [
      makeFinding(serviceEndpointsNotReady, {
        object: service,
        severity: "critical",
        confidence: source === "endpoints" ? 0.95 : 0.8,
        summary: `Service ${service.metadata.name} has no ready endpoint: its ${pods.length} pod(s) are not ready (${reasons.slice(0, 3).join("; ") || "terminating"}).`,
        evidence,
        since,
        remediation: remediate(ctx, "investigate", `Fix why the pods behind Service ${service.metadata.name} are not ready (see the pods' findings); the Service recovers by itself.`, service),
      }),
    ];
  },
};
