import type { Condition, KubeObject, Service } from "../../model/k8s.ts";
import type { Gateway, GatewayClass, HTTPRoute, Listener, ParentReference } from "../../model/network.ts";
import { closestNames } from "../../util/closest.ts";
import { matchesSelector, type RuleContext } from "../context.ts";
import { describeCondition } from "../finding.ts";
import { STUCK_AFTER_S } from "../thresholds.ts";
import type { Rule } from "../types.ts";
import { formatSelector } from "./labels.ts";
import { findingOfProblems, type Problem } from "./problems.ts";
import { describePorts, listedIn, servicePort } from "./services.ts";
import { conditionOf } from "./shared.ts";

const GATEWAY_GROUP = "gateway.networking.k8s.io";

/**
 * Gateway API objects that carry no traffic. A Gateway whose GatewayClass does not exist
 * (judged when GatewayClasses are in the input) or was not accepted, whose Accepted or
 * Programmed condition is False (or still Unknown long after creation: no controller runs for
 * its class), or with a listener that failed. An HTTPRoute whose parent Gateway does not exist
 * or does not admit routes from its namespace, whose backend Service does not exist or does not
 * expose the port, or whose status from its Gateway says Accepted or ResolvedRefs False.
 */
export const gatewayMisconfigured: Rule = {
  id: "gateway.misconfigured",
  category: "GatewayMisconfigured",
  kinds: ["Gateway", "HTTPRoute"],
  evaluate(object, ctx) {
    const problems = object.kind === "HTTPRoute" ? routeProblems(object as HTTPRoute, ctx) : gatewayProblems(object as Gateway, ctx);
    return findingOfProblems(gatewayMisconfigured, object, ctx, problems);
  },
};

/** A condition still Unknown (Pending) long after it was set: no controller reconciles the object. */
function staleUnknown(ctx: RuleContext, condition: Condition | undefined, object: KubeObject): boolean {
  return condition?.status === "Unknown" && ctx.ageSeconds(condition.lastTransitionTime ?? object.metadata.creationTimestamp) > STUCK_AFTER_S;
}

function gatewayProblems(gateway: Gateway, ctx: RuleContext): Problem[] {
  const name = gateway.metadata.name;
  const className = gateway.spec.gatewayClassName;
  const problems: Problem[] = [];
  const classes = ctx.all<GatewayClass>("GatewayClass");
  const gatewayClass = classes.find((c) => c.metadata.name === className);
  let classBroken = false;
  if (classes.length > 0 && gatewayClass === undefined) {
    const names = classes.map((c) => c.metadata.name);
    const closest = closestNames(className, names, 1)[0];
    classBroken = true;
    problems.push({
      severity: "high",
      confidence: 0.9,
      summary: `uses GatewayClass ${className}, which does not exist${closest === undefined ? "" : ` (did you mean ${closest}?)`}: no controller serves it`,
      evidence: [`spec.gatewayClassName: ${className}`, `GatewayClasses: ${names.join(", ")}`],
      action: "config",
      fix: `Set spec.gatewayClassName of Gateway ${name} to an existing class (kubectl get gatewayclass).`,
    });
  }
  if (gatewayClass !== undefined) {
    const accepted = conditionOf(gatewayClass, "Accepted");
    const controller = gatewayClass.spec.controllerName;
    if (accepted?.status === "False" || staleUnknown(ctx, accepted, gatewayClass)) {
      classBroken = true;
      const never = accepted?.status !== "False";
      problems.push({
        severity: "high",
        confidence: never ? 0.7 : 0.9,
        summary: never ? `uses GatewayClass ${className}, which no controller has accepted (is ${controller} running?)` : `uses GatewayClass ${className}, which its controller ${controller} did not accept (${accepted?.reason ?? "no reason"})`,
        evidence: [`spec.gatewayClassName: ${className}`, `GatewayClass ${className} controllerName: ${controller}`, describeCondition(accepted ?? { type: "Accepted", status: "Unknown" }, `GatewayClass ${className} status.conditions`)],
        action: "investigate",
        fix: never ? `Install or start the controller ${controller} of GatewayClass ${className}.` : `Fix GatewayClass ${className} as its Accepted condition says.`,
        target: gatewayClass,
      });
    }
  }
  const conditions = ["Accepted", "Programmed"].map((type) => conditionOf(gateway, type));
  for (const condition of conditions) {
    if (condition?.status !== "False") continue;
    problems.push({
      severity: "high",
      confidence: 0.95,
      summary: `is not ${condition.type} (${condition.reason ?? "no reason"}${condition.message === undefined || condition.message === "" ? "" : `: ${condition.message}`})`,
      evidence: [describeCondition(condition)],
      action: "config",
      fix: `Fix Gateway ${name} as its ${condition.type} condition says (kubectl describe gateway ${name}).`,
    });
  }
  // Unknown conditions under a broken class are the class's doing, already said above.
  if (!classBroken && !conditions.some((c) => c?.status === "False") && conditions.some((c) => staleUnknown(ctx, c, gateway))) {
    problems.push({
      severity: "medium",
      confidence: 0.7,
      summary: `has not been reconciled by any controller (Accepted/Programmed still Unknown)`,
      evidence: conditions.filter((c): c is Condition => c !== undefined).map((c) => describeCondition(c)),
      action: "investigate",
      fix: `Check that the controller of GatewayClass ${className} runs and watches namespace ${gateway.metadata.namespace ?? "-"}.`,
    });
  }
  for (const listener of gateway.status?.listeners ?? []) {
    const failed = (listener.conditions ?? []).filter((c) => (c.type === "Conflicted" ? c.status === "True" : ["Accepted", "ResolvedRefs", "Programmed"].includes(c.type) && c.status === "False"));
    const first = failed[0];
    if (first === undefined) continue;
    problems.push({
      severity: "high",
      confidence: 0.9,
      summary: `has listener ${listener.name} ${first.type === "Conflicted" ? "in conflict" : `not ${first.type}`} (${first.reason ?? "no reason"})`,
      evidence: failed.map((c) => describeCondition(c, `status.listeners[${listener.name}].conditions`)),
      action: "config",
      fix: `Fix listener ${listener.name} of Gateway ${name} as its conditions say (a missing certificate Secret, a port or hostname conflict).`,
    });
  }
  return problems;
}

function isGatewayRef(ref: ParentReference): boolean {
  return (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (ref.kind ?? "Gateway") === "Gateway";
}

/** Whether a listener admits routes from the route's namespace (allowedRoutes.namespaces). */
function listenerAdmits(listener: Listener, gateway: Gateway, route: HTTPRoute, ctx: RuleContext): boolean {
  const from = listener.allowedRoutes?.namespaces?.from ?? "Same";
  const namespace = route.metadata.namespace ?? "default";
  if (from === "All") return true;
  if (from === "Same") return namespace === gateway.metadata.namespace;
  const ns = ctx.get<KubeObject>("Namespace", undefined, namespace);
  // The route's namespace labels are not in the input: assume it is admitted.
  if (ns === undefined) return true;
  return matchesSelector({ ...ns.metadata.labels, "kubernetes.io/metadata.name": namespace }, listener.allowedRoutes?.namespaces?.selector ?? {});
}

function routeProblems(route: HTTPRoute, ctx: RuleContext): Problem[] {
  const namespace = route.metadata.namespace ?? "default";
  const name = route.metadata.name;
  const problems: Problem[] = [];
  for (const ref of (route.spec.parentRefs ?? []).filter(isGatewayRef)) {
    const gatewayNamespace = ref.namespace ?? namespace;
    const gateway = ctx.get<Gateway>("Gateway", gatewayNamespace, ref.name);
    if (gateway === undefined) {
      if (!listedIn(ctx, "Gateway", gatewayNamespace)) continue;
      problems.push({
        severity: "high",
        confidence: 0.9,
        summary: `is attached to Gateway ${gatewayNamespace}/${ref.name}, which does not exist`,
        evidence: [`spec.parentRefs: Gateway ${gatewayNamespace}/${ref.name}`, `Gateway ${gatewayNamespace}/${ref.name}: not found (Gateways in ${gatewayNamespace}: ${ctx.all("Gateway", gatewayNamespace).map((g) => g.metadata.name).join(", ") || "none"})`],
        action: "config",
        fix: `Point spec.parentRefs of HTTPRoute ${name} at an existing Gateway (kubectl get gateways -A).`,
      });
      continue;
    }
    const listeners = gateway.spec.listeners ?? [];
    const considered = ref.sectionName === undefined ? listeners : listeners.filter((l) => l.name === ref.sectionName);
    if (ref.sectionName !== undefined && considered.length === 0) {
      problems.push({
        severity: "high",
        confidence: 0.85,
        summary: `is attached to listener ${ref.sectionName} of Gateway ${gatewayNamespace}/${ref.name}, which has no listener of that name`,
        evidence: [`spec.parentRefs: Gateway ${gatewayNamespace}/${ref.name} sectionName ${ref.sectionName}`, `Gateway listeners: ${listeners.map((l) => l.name).join(", ") || "none"}`],
        action: "config",
        fix: `Set sectionName of HTTPRoute ${name}'s parentRef to a listener of Gateway ${ref.name}.`,
      });
    } else if (considered.length > 0 && !considered.some((l) => listenerAdmits(l, gateway, route, ctx))) {
      problems.push({
        severity: "high",
        confidence: 0.8,
        summary: `is attached to Gateway ${gatewayNamespace}/${ref.name}, whose listeners do not admit routes from namespace ${namespace}`,
        evidence: considered.map((l) => `Gateway ${ref.name} listener ${l.name}: allowedRoutes.namespaces.from ${l.allowedRoutes?.namespaces?.from ?? "Same"}${l.allowedRoutes?.namespaces?.selector === undefined ? "" : ` selector ${formatSelector(l.allowedRoutes.namespaces.selector)}`}`),
        action: "config",
        fix: `Allow routes from namespace ${namespace} on Gateway ${ref.name} (allowedRoutes.namespaces), or move HTTPRoute ${name}.`,
        target: gateway,
      });
    }
  }
  problems.push(...backendProblems(route, ctx), ...statusProblems(route));
  return problems;
}

function backendProblems(route: HTTPRoute, ctx: RuleContext): Problem[] {
  const namespace = route.metadata.namespace ?? "default";
  const problems: Problem[] = [];
  const missing = new Set<string>();
  const refs = (route.spec.rules ?? []).flatMap((r) => r.backendRefs ?? []).filter((b) => (b.group ?? "") === "" && (b.kind ?? "Service") === "Service");
  for (const ref of refs) {
    const serviceNamespace = ref.namespace ?? namespace;
    const service = ctx.get<Service>("Service", serviceNamespace, ref.name);
    const qualified = `${serviceNamespace}/${ref.name}`;
    if (service === undefined) {
      if (missing.has(qualified) || !listedIn(ctx, "Service", serviceNamespace)) continue;
      missing.add(qualified);
      const closest = closestNames(ref.name, ctx.all("Service", serviceNamespace).map((s) => s.metadata.name), 1)[0];
      problems.push({
        severity: "high",
        confidence: 0.9,
        summary: `sends traffic to Service ${qualified}, which does not exist${closest === undefined ? "" : ` (did you mean ${closest}?)`}`,
        evidence: [`spec.rules[].backendRefs: Service ${qualified}`, `Service ${qualified}: not found`],
        action: "config",
        fix: `Point the backendRefs of HTTPRoute ${route.metadata.name} at an existing Service${closest === undefined ? "" : ` (${closest}?)`}, or create Service ${qualified}.`,
      });
    } else if (ref.port !== undefined && servicePort(service, { number: ref.port }) === undefined) {
      problems.push({
        severity: "high",
        confidence: 0.9,
        summary: `sends traffic to port ${ref.port} of Service ${qualified}, which does not expose it (ports: ${describePorts(service)})`,
        evidence: [`spec.rules[].backendRefs: Service ${qualified} port ${ref.port}`, `Service ${qualified} spec.ports: ${describePorts(service)}`],
        action: "config",
        fix: `Set the backendRef port of HTTPRoute ${route.metadata.name} to a port Service ${ref.name} exposes (${describePorts(service)}).`,
      });
    }
  }
  return problems;
}

/** What the Gateway's controller wrote: the most direct evidence there is. */
function statusProblems(route: HTTPRoute): Problem[] {
  const problems: Problem[] = [];
  for (const parent of route.status?.parents ?? []) {
    const gateway = `${parent.parentRef.namespace === undefined ? "" : `${parent.parentRef.namespace}/`}${parent.parentRef.name}`;
    for (const type of ["Accepted", "ResolvedRefs"]) {
      const condition = parent.conditions?.find((c) => c.type === type);
      if (condition?.status !== "False") continue;
      problems.push({
        severity: "high",
        confidence: 0.95,
        summary: type === "Accepted" ? `is not accepted by Gateway ${gateway} (${condition.reason ?? "no reason"})` : `has references Gateway ${gateway} cannot resolve (${condition.reason ?? "no reason"})`,
        evidence: [describeCondition(condition, `status.parents[${gateway}].conditions`)],
        action: "config",
        fix: `Fix HTTPRoute ${route.metadata.name} as the ${type} condition from Gateway ${gateway} says (kubectl describe httproute ${route.metadata.name}).`,
      });
    }
  }
  return problems;
}
