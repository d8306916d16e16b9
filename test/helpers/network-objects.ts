/**
 * Builders for the rule tests of what routes traffic to Services or stands in its way (Ingress,
 * Gateway API, NetworkPolicy, admission webhooks), in the style of objects.ts: healthy defaults,
 * times relative to NOW.
 */
import type { Condition, KubeObject, LabelSelector, Service } from "../../src/model/k8s.ts";
import type {
  BackendRef,
  Gateway,
  GatewayClass,
  HTTPRoute,
  Ingress,
  IngressClass,
  Listener,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  ParentReference,
  Webhook,
  WebhookConfiguration,
} from "../../src/model/network.ts";
import { ago, cond, DAY, NS } from "./objects.ts";

function meta(kind: string, name: string, namespace: string | undefined, o: { labels?: Record<string, string>; annotations?: Record<string, string>; created?: string } = {}): KubeObject["metadata"] {
  const m: KubeObject["metadata"] = { name, uid: `uid-${kind}-${name}`, creationTimestamp: o.created ?? ago(30 * DAY) };
  if (namespace !== undefined) m.namespace = namespace;
  if (o.labels !== undefined) m.labels = o.labels;
  if (o.annotations !== undefined) m.annotations = o.annotations;
  return m;
}

/** A Service with explicit ports (`service()` of objects.ts has 80 -> 8080 only). */
export function serviceWithPorts(name: string, ports: NonNullable<Service["spec"]["ports"]>, o: { selector?: Record<string, string>; namespace?: string } = {}): Service {
  return { apiVersion: "v1", kind: "Service", metadata: meta("Service", name, o.namespace ?? NS), spec: { type: "ClusterIP", selector: o.selector ?? { app: name }, ports } };
}

export function namespaceObject(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: meta("Namespace", name, undefined, { labels: { "kubernetes.io/metadata.name": name, ...labels } }) };
}

// --- Ingress ------------------------------------------------------------------------------

export interface IngressOptions {
  className?: string | undefined;
  annotations?: Record<string, string>;
  /** Paths of one rule for host shop.example.com: path -> backend Service and port. */
  paths?: Record<string, { service: string; port?: number | string } | { resource: string }>;
  defaultBackend?: { service: string; port?: number | string };
  tls?: { secretName?: string; hosts?: string[] }[];
  address?: string;
}

const backend = (b: { service: string; port?: number | string }) => ({
  service: { name: b.service, ...(b.port === undefined ? {} : { port: typeof b.port === "number" ? { number: b.port } : { name: b.port } }) },
});

/** An Ingress of class `nginx` sending `/` of shop.example.com to Service web port 80, with an address. */
export function ingress(name: string, o: IngressOptions = {}): Ingress {
  const paths = Object.entries(o.paths ?? { "/": { service: "web", port: 80 } }).map(([path, b]) => ({
    path,
    pathType: "Prefix",
    backend: "resource" in b ? { resource: { apiGroup: "k8s.example.com", kind: "StorageBucket", name: b.resource } } : backend(b),
  }));
  const i: Ingress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta("Ingress", name, NS, o.annotations === undefined ? {} : { annotations: o.annotations }),
    spec: { rules: [{ host: "shop.example.com", http: { paths } }] },
    status: { loadBalancer: o.address === "" ? {} : { ingress: [{ ip: o.address ?? "203.0.113.10" }] } },
  };
  if (!("className" in o)) i.spec.ingressClassName = "nginx";
  else if (o.className !== undefined) i.spec.ingressClassName = o.className;
  if (o.defaultBackend !== undefined) i.spec.defaultBackend = backend(o.defaultBackend);
  if (o.tls !== undefined) i.spec.tls = o.tls;
  return i;
}

export function ingressClass(name: string, o: { isDefault?: boolean } = {}): IngressClass {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: meta("IngressClass", name, undefined, o.isDefault === true ? { annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } } : {}),
    spec: { controller: `k8s.io/ingress-${name}` },
  };
}

// --- NetworkPolicy ------------------------------------------------------------------------

export function networkPolicy(name: string, podSelector: LabelSelector, o: { policyTypes?: string[]; ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[] } = {}): NetworkPolicy {
  const p: NetworkPolicy = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta("NetworkPolicy", name, NS), spec: { podSelector } };
  if (o.policyTypes !== undefined) p.spec.policyTypes = o.policyTypes;
  if (o.ingress !== undefined) p.spec.ingress = o.ingress;
  return p;
}

// --- admission webhooks -------------------------------------------------------------------

export function webhook(name: string, o: { service?: { namespace: string; name: string; port?: number }; url?: string; failurePolicy?: string; resources?: string[]; namespaceSelector?: LabelSelector } = {}): Webhook {
  const w: Webhook = {
    name,
    clientConfig: o.url !== undefined ? { url: o.url } : { service: o.service ?? { namespace: NS, name: "policy-webhook", port: 443 } },
    rules: [{ operations: ["CREATE", "UPDATE"], apiGroups: [""], apiVersions: ["v1"], resources: o.resources ?? ["pods"] }],
  };
  if (o.failurePolicy !== undefined) w.failurePolicy = o.failurePolicy;
  if (o.namespaceSelector !== undefined) w.namespaceSelector = o.namespaceSelector;
  return w;
}

export function webhookConfig(kind: "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration", name: string, webhooks: Webhook[], o: { apiVersion?: string } = {}): WebhookConfiguration {
  return { apiVersion: o.apiVersion ?? "admissionregistration.k8s.io/v1", kind, metadata: meta(kind, name, undefined), webhooks };
}

// --- Gateway API --------------------------------------------------------------------------

export function gatewayClass(name: string, o: { accepted?: Condition } = {}): GatewayClass {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GatewayClass",
    metadata: meta("GatewayClass", name, undefined),
    spec: { controllerName: `example.com/${name}-controller` },
    status: { conditions: [o.accepted ?? cond("Accepted", "True", "Accepted", "", ago(10 * DAY))] },
  };
}

export function gateway(name: string, o: { className?: string; namespace?: string; listeners?: Listener[]; conditions?: Condition[]; listenerConditions?: Record<string, Condition[]>; created?: string } = {}): Gateway {
  const listeners = o.listeners ?? [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } }];
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: meta("Gateway", name, o.namespace ?? NS, o.created === undefined ? {} : { created: o.created }),
    spec: { gatewayClassName: o.className ?? "example", listeners },
    status: {
      conditions: o.conditions ?? [cond("Accepted", "True", "Accepted", "", ago(10 * DAY)), cond("Programmed", "True", "Programmed", "", ago(10 * DAY))],
      listeners: listeners.map((l) => ({ name: l.name, conditions: o.listenerConditions?.[l.name] ?? [cond("Accepted", "True", "Accepted"), cond("ResolvedRefs", "True", "ResolvedRefs"), cond("Programmed", "True", "Programmed")] })),
    },
  };
}

/** An HTTPRoute attached to Gateway `gw` sending to Service web port 80, accepted with its refs resolved. */
export function httpRoute(name: string, o: { parentRefs?: ParentReference[]; backendRefs?: BackendRef[]; namespace?: string; parentConditions?: Condition[] } = {}): HTTPRoute {
  const parentRefs = o.parentRefs ?? [{ name: "gw" }];
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: meta("HTTPRoute", name, o.namespace ?? NS),
    spec: { parentRefs, hostnames: ["shop.example.com"], rules: [{ backendRefs: o.backendRefs ?? [{ name: "web", port: 80 }] }] },
    status: {
      parents: parentRefs.map((parentRef) => ({
        parentRef,
        controllerName: "example.com/example-controller",
        conditions: o.parentConditions ?? [cond("Accepted", "True", "Accepted", "", ago(DAY)), cond("ResolvedRefs", "True", "ResolvedRefs", "", ago(DAY))],
      })),
    },
  };
}
