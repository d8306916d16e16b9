import type { KubeObject, Service } from "../../model/k8s.ts";
import type { Ingress, IngressBackend, IngressClass } from "../../model/network.ts";
import { closestNames } from "../../util/closest.ts";
import type { RuleContext } from "../context.ts";
import type { Rule } from "../types.ts";
import { findingOfProblems, type Problem } from "./problems.ts";
import { describePorts, listedIn, servicePort } from "./services.ts";

const DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class";
const CLASS_ANNOTATION = "kubernetes.io/ingress.class";
/** Classes GKE's controller serves without an IngressClass object. */
const BUILT_IN_CLASSES = new Set(["gce", "gce-internal"]);

/**
 * An Ingress no controller serves, or that sends requests nowhere: no IngressClass named and
 * none is the default, a class that does not exist (judged when IngressClasses are in the
 * input), a backend Service that does not exist or does not expose the port named, a TLS
 * Secret that does not exist. Secrets are judged only when the input holds Secrets of the
 * Ingress's namespace: a live diagnosis does not read Secrets, so it never judges them.
 */
export const ingressMisconfigured: Rule = {
  id: "ingress.misconfigured",
  category: "IngressMisconfigured",
  kinds: ["Ingress"],
  evaluate(object, ctx) {
    const ingress = object as Ingress;
    const problems = [classProblem(ingress, ctx), ...backendProblems(ingress, ctx), ...tlsProblems(ingress, ctx)].filter((p): p is Problem => p !== undefined);
    return findingOfProblems(ingressMisconfigured, ingress, ctx, problems);
  },
};

function classProblem(ingress: Ingress, ctx: RuleContext): Problem | undefined {
  const field = ingress.spec.ingressClassName;
  const annotation = ingress.metadata.annotations?.[CLASS_ANNOTATION];
  const name = field ?? annotation;
  const classes = ctx.all<IngressClass>("IngressClass");
  const names = classes.map((c) => c.metadata.name);
  const addresses = (ingress.status?.loadBalancer?.ingress ?? []).map((a) => a.ip ?? a.hostname ?? "?");
  const address = addresses.length === 0 ? "status.loadBalancer.ingress: empty (no controller has published an address)" : `status.loadBalancer.ingress: ${addresses.join(", ")}`;
  const fix = (what: string): string => `Set spec.ingressClassName of Ingress ${ingress.metadata.name} to ${what} (kubectl get ingressclass).`;
  if (name === undefined || name === "") {
    // A controller that publishes an address serves class-less Ingresses (--watch-ingress-without-class).
    if (addresses.length > 0 || classes.some((c) => c.metadata.annotations?.[DEFAULT_CLASS] === "true")) return undefined;
    return {
      severity: "high",
      confidence: classes.length > 0 ? 0.85 : 0.6,
      summary: `names no IngressClass and ${classes.length > 0 ? "no IngressClass is the default" : "the input shows no default IngressClass"}: no controller is bound to serve it`,
      evidence: [
        `spec.ingressClassName: unset, no ${CLASS_ANNOTATION} annotation`,
        classes.length > 0 ? `IngressClasses: ${names.join(", ")}; none annotated ${DEFAULT_CLASS}=true` : "no IngressClass in the input: whether one is the default is unknown",
        address,
      ],
      action: "config",
      fix: fix(names[0] ?? "the class of your ingress controller"),
    };
  }
  if (classes.length === 0 || BUILT_IN_CLASSES.has(name) || names.includes(name)) return undefined;
  // Some controllers still honour the old annotation without an IngressClass object.
  if (field === undefined && addresses.length > 0) return undefined;
  const closest = closestNames(name, names, 1)[0];
  return {
    severity: "high",
    confidence: field !== undefined ? 0.9 : 0.7,
    summary: `uses IngressClass ${name}, which does not exist${closest === undefined ? "" : ` (did you mean ${closest}?)`}: no controller serves it`,
    evidence: [field !== undefined ? `spec.ingressClassName: ${name}` : `annotation ${CLASS_ANNOTATION}: ${name}`, `IngressClasses: ${names.join(", ")}`, address],
    action: "config",
    fix: fix(closest ?? names[0] ?? "an existing class"),
  };
}

interface Route {
  /** `spec.rules[shop.example.com].http.paths[/api]` or `spec.defaultBackend`. */
  path: string;
  service: NonNullable<IngressBackend["service"]>;
}

function routesOf(ingress: Ingress): Route[] {
  const routes: Route[] = [];
  const service = ingress.spec.defaultBackend?.service;
  if (service !== undefined) routes.push({ path: "spec.defaultBackend", service });
  for (const rule of ingress.spec.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      // A resource backend (a bucket) has no Service to look up.
      if (p.backend.service !== undefined) routes.push({ path: `spec.rules[${rule.host ?? "*"}].http.paths[${p.path ?? "/"}]`, service: p.backend.service });
    }
  }
  return routes;
}

function backendProblems(ingress: Ingress, ctx: RuleContext): Problem[] {
  const namespace = ingress.metadata.namespace ?? "default";
  const name = ingress.metadata.name;
  const routes = routesOf(ingress);
  const ports: Problem[] = [];
  const missing = new Map<string, Route[]>();
  for (const route of routes) {
    const service = ctx.get<Service>("Service", namespace, route.service.name);
    if (service === undefined) {
      missing.set(route.service.name, [...(missing.get(route.service.name) ?? []), route]);
      continue;
    }
    const port = route.service.port;
    if (port === undefined || (port.number === undefined && port.name === undefined)) continue;
    if (servicePort(service, port) !== undefined) continue;
    // An ExternalName Service declares no ports it has to expose.
    if (service.spec.type === "ExternalName" && (service.spec.ports ?? []).length === 0) continue;
    const wanted = port.number !== undefined ? `port ${port.number}` : `port named ${port.name ?? ""}`;
    ports.push({
      severity: "high",
      confidence: 0.9,
      summary: `routes ${route.path} to ${wanted} of Service ${service.metadata.name}, which does not expose it (ports: ${describePorts(service)})`,
      evidence: [`${route.path}.backend.service: ${service.metadata.name} ${wanted}`, `Service ${service.metadata.name} spec.ports: ${describePorts(service)}`],
      action: "config",
      fix: `Point ${route.path} of Ingress ${name} at a port Service ${service.metadata.name} exposes (${describePorts(service)}), or add ${wanted} to the Service.`,
    });
  }
  // Without Services of the namespace in the input, an absent one proves nothing.
  if (missing.size === 0 || !listedIn(ctx, "Service", namespace)) return ports;
  // A missing Service leads: it is the larger mistake when both are there.
  const problems: Problem[] = [];
  const existing = ctx.all<KubeObject>("Service", namespace).map((s) => s.metadata.name);
  for (const [service, via] of missing) {
    const closest = closestNames(service, existing, 1)[0];
    problems.push({
      severity: "high",
      confidence: 0.9,
      summary: `routes ${via.map((r) => r.path).join(", ")} to Service ${service}, which does not exist${closest === undefined ? "" : ` (did you mean ${closest}?)`}: requests get 503`,
      evidence: [...via.map((r) => `${r.path}.backend.service.name: ${service}`), `Service ${namespace}/${service}: not found (Services in ${namespace}: ${existing.slice(0, 8).join(", ") || "none"})`],
      action: "config",
      fix: `Point Ingress ${name} at an existing Service${closest === undefined ? "" : ` (${closest}?)`}, or create Service ${service} in ${namespace}.`,
    });
  }
  return [...problems, ...ports];
}

function tlsProblems(ingress: Ingress, ctx: RuleContext): Problem[] {
  const namespace = ingress.metadata.namespace ?? "default";
  const secrets = ctx.all<KubeObject>("Secret", namespace).map((s) => s.metadata.name);
  if (secrets.length === 0) return [];
  return (ingress.spec.tls ?? [])
    // An empty secretName asks the controller for its default certificate.
    .filter((tls) => tls.secretName !== undefined && tls.secretName !== "" && !secrets.includes(tls.secretName))
    .map((tls) => ({
      severity: "medium",
      confidence: 0.85,
      summary: `names TLS Secret ${tls.secretName ?? ""} for ${(tls.hosts ?? []).join(", ") || "its hosts"}, which does not exist: the controller serves its default certificate, which clients reject`,
      evidence: [`spec.tls[${(tls.hosts ?? []).join(",") || "*"}].secretName: ${tls.secretName ?? ""}`, `Secret ${namespace}/${tls.secretName ?? ""}: not found among the ${secrets.length} Secret(s) of ${namespace} in the input`],
      action: "secret",
      fix: `Create TLS Secret ${tls.secretName ?? ""} in ${namespace} (kubectl create secret tls), or fix spec.tls of Ingress ${ingress.metadata.name}.`,
    }));
}
