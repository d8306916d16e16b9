import type { KubeObject, LabelSelector, Pod, Service } from "../../model/k8s.ts";
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "../../model/network.ts";
import { matchesSelector, type RuleContext } from "../context.ts";
import { makeFinding, remediate } from "../finding.ts";
import type { Finding, Rule } from "../types.ts";
import { closestLabelSets, describeCandidate, formatLabels, formatSelector, isEmptySelector, podTemplateLabels } from "./labels.ts";
import type { ServicePort } from "./services.ts";

/**
 * NetworkPolicies that do not do what they were written for. A policy whose podSelector selects
 * no pod (judged when the pods of its namespace are in the input, and no workload template or
 * CronJob would make one) has no effect: usually a label typo. A Service whose pods are all
 * isolated for ingress by policies none of whose rules admit its target ports (no rule, or rules
 * whose peers match nothing or whose ports are others) gets no traffic at all. An empty
 * podSelector, the usual default-deny, is not a problem by itself.
 */
export const networkPolicyIsolation: Rule = {
  id: "networkpolicy.isolation",
  category: "NetworkPolicyIsolation",
  kinds: ["NetworkPolicy", "Service"],
  evaluate(object, ctx) {
    return object.kind === "Service" ? isolatedService(object as Service, ctx) : selectsNothing(object as NetworkPolicy, ctx);
  },
};

function selectsNothing(policy: NetworkPolicy, ctx: RuleContext): Finding[] {
  const namespace = policy.metadata.namespace;
  const selector = policy.spec.podSelector;
  if (isEmptySelector(selector)) return [];
  const pods = ctx.all<Pod>("Pod", namespace);
  if (pods.length === 0 || ctx.podsMatching(namespace, selector).length > 0) return [];
  // Pods that come and go (a CronJob's, a workload scaled to 0) are selected when they run.
  if (podTemplateLabels(ctx, namespace).some((labels) => matchesSelector(labels, selector))) return [];

  const closest = closestLabelSets(selector.matchLabels ?? {}, pods);
  const best = closest[0];
  const hint = best === undefined ? "" : `; closest pod labels: ${best.differs.map((k) => `${k}=${best.labels[k] ?? "(absent)"}`).join(", ")}`;
  return [
    makeFinding(networkPolicyIsolation, {
      object: policy,
      severity: "medium",
      confidence: best === undefined ? 0.75 : 0.85,
      summary: `NetworkPolicy ${policy.metadata.name} selects no pod: its podSelector ${formatSelector(selector)} matches none of the ${pods.length} pod(s) in namespace ${namespace ?? "-"}, so it has no effect${hint}.`,
      evidence: [`spec.podSelector: ${formatSelector(selector)}`, `0 of ${pods.length} pod(s) in namespace ${namespace ?? "-"} match`, ...closest.map(describeCandidate), `policyTypes: ${policyTypesOf(policy).join(", ")}`],
      remediation: remediate(ctx, "config", `Fix spec.podSelector of NetworkPolicy ${policy.metadata.name} to select the pods it was written for${best === undefined ? "" : ` (${formatLabels(best.labels)}?)`}, or delete it.`, policy),
    }),
  ];
}

function isolatedService(service: Service, ctx: RuleContext): Finding[] {
  const selector = service.spec.selector ?? {};
  const ports = service.spec.ports ?? [];
  if (service.spec.type === "ExternalName" || Object.keys(selector).length === 0 || ports.length === 0) return [];
  const namespace = service.metadata.namespace;
  const policies = ctx.all<NetworkPolicy>("NetworkPolicy", namespace).filter((p) => policyTypesOf(p).includes("Ingress"));
  if (policies.length === 0) return [];

  const pods = ctx.podsOf(service);
  let isolating: NetworkPolicy[];
  let withoutPods = false;
  if (pods.length > 0) {
    for (const pod of pods) {
      const own = policies.filter((p) => matchesSelector(pod.metadata.labels ?? {}, p.spec.podSelector));
      // A pod no policy selects for ingress accepts everything.
      if (own.length === 0 || own.some((p) => admitsService(p, ports, pod, ctx))) return [];
    }
    isolating = policies.filter((p) => pods.some((pod) => matchesSelector(pod.metadata.labels ?? {}, p.spec.podSelector)));
  } else {
    // Pods listed, none behind the Service: ServiceNoEndpoints says so.
    if (ctx.has("Pod")) return [];
    // Without pods, compare selectors: a policy certainly selects every pod of the Service when
    // its labels are a subset of the Service's; one that might select them must admit nothing.
    withoutPods = true;
    isolating = policies.filter((p) => selectsAllOf(p.spec.podSelector, selector));
    if (isolating.length === 0) return [];
    if (policies.filter((p) => !contradicts(p.spec.podSelector, selector)).some((p) => admitsService(p, ports, undefined, ctx))) return [];
  }

  const targets = ports.map((p) => describeTarget(p, pods[0])).join(", ");
  const names = isolating.map((p) => p.metadata.name);
  const first = isolating[0];
  if (first === undefined) return [];
  return [
    makeFinding(networkPolicyIsolation, {
      object: service,
      severity: "high",
      confidence: withoutPods ? 0.6 : 0.8,
      summary: `Service ${service.metadata.name} gets no traffic: NetworkPolicy ${names.join(", ")} isolate${names.length === 1 ? "s" : ""} its ${withoutPods ? "" : `${pods.length} `}pod(s) for ingress and no ingress rule admits ${targets}.`,
      evidence: [
        `Service ${service.metadata.name}: selector ${formatLabels(selector)}, targets ${targets}`,
        ...isolating.flatMap((p) => explainPolicy(p, ports, pods[0], ctx)),
        withoutPods ? "the input holds no pods: policies were matched against the Service's selector" : `${pods.length} pod(s) behind the Service, every one isolated`,
        "a NetworkPolicy takes effect only where the network plugin enforces it",
      ],
      remediation: remediate(ctx, "config", `Admit ${targets} from the Service's clients in an ingress rule of a policy selecting ${formatLabels(selector)} (or fix the peers or ports of NetworkPolicy ${names.join(", ")}).`, first),
    }),
  ];
}

/** Ingress, plus Egress when the policy has egress rules, unless policyTypes says otherwise. */
function policyTypesOf(policy: NetworkPolicy): string[] {
  return policy.spec.policyTypes ?? ["Ingress", ...((policy.spec.egress ?? []).length > 0 ? ["Egress"] : [])];
}

function admitsService(policy: NetworkPolicy, ports: readonly ServicePort[], pod: Pod | undefined, ctx: RuleContext): boolean {
  return (policy.spec.ingress ?? []).some((rule) => ruleBlock(rule, policy, ports, pod, ctx) === undefined);
}

/** Why an ingress rule admits none of the Service's ports, or undefined when it admits one. */
function ruleBlock(rule: NonNullable<NetworkPolicy["spec"]["ingress"]>[number], policy: NetworkPolicy, ports: readonly ServicePort[], pod: Pod | undefined, ctx: RuleContext): string | undefined {
  const peers = rule.from ?? [];
  if (peers.length > 0) {
    const dead = peers.map((peer) => deadPeer(peer, policy.metadata.namespace, ctx));
    if (dead.every((d) => d !== undefined)) return `from ${dead.join("; ")}`;
  }
  if (ports.some((p) => portAdmitted(rule.ports, p, pod))) return undefined;
  return `ports ${(rule.ports ?? []).map((p) => `${p.port ?? "*"}${p.endPort === undefined ? "" : `-${p.endPort}`}/${p.protocol ?? "TCP"}`).join(", ")}: the Service targets ${ports.map((p) => describeTarget(p, pod)).join(", ")}`;
}

/** Why a peer can match no client, or undefined when it may match one (or the input cannot tell). */
function deadPeer(peer: NetworkPolicyPeer, namespace: string | undefined, ctx: RuleContext): string | undefined {
  if (peer.ipBlock !== undefined) return undefined;
  if (peer.namespaceSelector === undefined) return podsMayMatch(peer.podSelector, [namespace], ctx) ? undefined : `podSelector ${formatSelector(peer.podSelector ?? {})}: matches no pod in namespace ${namespace ?? "-"}`;
  const all = ctx.all<KubeObject>("Namespace");
  // Live diagnosis does not read Namespaces: their labels are unknown.
  if (all.length === 0 || isEmptySelector(peer.namespaceSelector)) return undefined;
  const selector = peer.namespaceSelector;
  const matching = all.filter((n) => matchesSelector({ ...n.metadata.labels, "kubernetes.io/metadata.name": n.metadata.name }, selector)).map((n) => n.metadata.name);
  if (matching.length === 0) return `namespaceSelector ${formatSelector(selector)}: matches no namespace`;
  return podsMayMatch(peer.podSelector, matching, ctx) ? undefined : `podSelector ${formatSelector(peer.podSelector ?? {})} in namespaces ${matching.join(", ")}: matches no pod`;
}

function podsMayMatch(selector: LabelSelector | undefined, namespaces: readonly (string | undefined)[], ctx: RuleContext): boolean {
  if (selector === undefined || isEmptySelector(selector)) return true;
  return namespaces.some((ns) => ctx.all("Pod", ns).length === 0 || ctx.podsMatching(ns, selector).length > 0 || podTemplateLabels(ctx, ns).some((labels) => matchesSelector(labels, selector)));
}

/** Whether a rule's ports admit a Service port's target; unknown (a name without the pod to resolve it) counts as admitted. */
function portAdmitted(rulePorts: readonly NetworkPolicyPort[] | undefined, port: ServicePort, pod: Pod | undefined): boolean {
  if (rulePorts === undefined || rulePorts.length === 0) return true;
  const { number, name, protocol } = resolveTarget(port, pod);
  return rulePorts.some((r) => {
    if ((r.protocol ?? "TCP") !== protocol) return false;
    if (r.port === undefined) return true;
    if (typeof r.port === "number") return number === undefined || (number >= r.port && number <= (r.endPort ?? r.port));
    return name === undefined || name === r.port;
  });
}

/** The container port a Service port targets, by number and by name as far as the pod tells. */
function resolveTarget(port: ServicePort, pod: Pod | undefined): { number?: number; name?: string; protocol: string } {
  const protocol = port.protocol ?? "TCP";
  const target = port.targetPort ?? port.port;
  const containerPorts = (pod?.spec.containers ?? []).flatMap((c) => c.ports ?? []).filter((p) => (p.protocol ?? "TCP") === protocol);
  if (typeof target === "string") {
    const found = containerPorts.find((p) => p.name === target);
    return found === undefined ? { name: target, protocol } : { number: found.containerPort, name: target, protocol };
  }
  const name = containerPorts.find((p) => p.containerPort === target)?.name;
  return name === undefined ? { number: target, protocol } : { number: target, name, protocol };
}

function describeTarget(port: ServicePort, pod: Pod | undefined): string {
  const { number, name, protocol } = resolveTarget(port, pod);
  return `${number ?? name ?? "?"}/${protocol}`;
}

function explainPolicy(policy: NetworkPolicy, ports: readonly ServicePort[], pod: Pod | undefined, ctx: RuleContext): string[] {
  const head = `NetworkPolicy ${policy.metadata.name} (podSelector ${formatSelector(policy.spec.podSelector)}, policyTypes ${policyTypesOf(policy).join(",")})`;
  const rules = policy.spec.ingress ?? [];
  if (rules.length === 0) return [`${head}: no ingress rule, denies all ingress`];
  return rules.map((rule, i) => `${head} ingress[${i}]: ${ruleBlock(rule, policy, ports, pod, ctx) ?? "admits"}`);
}

/** Every pod the Service selects is selected by the policy: its selector is empty or a subset. */
function selectsAllOf(selector: LabelSelector, labels: Record<string, string>): boolean {
  return (selector.matchExpressions ?? []).length === 0 && Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/** No pod the Service selects can be selected by the policy: they require different values of a key. */
function contradicts(selector: LabelSelector, labels: Record<string, string>): boolean {
  return Object.entries(selector.matchLabels ?? {}).some(([k, v]) => labels[k] !== undefined && labels[k] !== v);
}
