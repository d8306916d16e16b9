/**
 * The objects that route traffic to Services or stand in its way — Ingress, Gateway API routes,
 * NetworkPolicies and admission webhooks — as plain JSON, exactly as the API server sends them.
 * Only the fields the rules read are typed; everything else passes through.
 */
import type { Condition, KubeObject, LabelSelector } from "./k8s.ts";

/** A Service port named by number or by name (`spec.ports[].name`). */
export interface ServiceBackendPort {
  number?: number;
  name?: string;
}

export interface IngressBackend {
  service?: { name: string; port?: ServiceBackendPort };
  /** A backend that is another object (a bucket of static files), not a Service. */
  resource?: { apiGroup?: string; kind: string; name: string };
}

export interface IngressRule {
  host?: string;
  http?: { paths: { path?: string; pathType?: string; backend: IngressBackend }[] };
}

export interface Ingress extends KubeObject {
  spec: { ingressClassName?: string; defaultBackend?: IngressBackend; rules?: IngressRule[]; tls?: { hosts?: string[]; secretName?: string }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface IngressClass extends KubeObject {
  spec?: { controller?: string };
}

export interface NetworkPolicyPort {
  /** TCP when absent. */
  protocol?: string;
  /** Every port of the protocol when absent; a name refers to a container port's name. */
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicy extends KubeObject {
  spec: {
    podSelector: LabelSelector;
    /** When absent: Ingress, plus Egress when there are egress rules. */
    policyTypes?: string[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

export interface WebhookRule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

/** One webhook of a Validating- or MutatingWebhookConfiguration. */
export interface Webhook {
  name: string;
  clientConfig: { service?: { namespace: string; name: string; path?: string; port?: number }; url?: string };
  rules?: WebhookRule[];
  /** `Fail` when absent (admissionregistration.k8s.io/v1; v1beta1 defaulted to `Ignore`). */
  failurePolicy?: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  timeoutSeconds?: number;
}

export interface WebhookConfiguration extends KubeObject {
  webhooks?: Webhook[];
}

export interface ValidatingWebhookConfiguration extends WebhookConfiguration {
  kind?: "ValidatingWebhookConfiguration";
}

export interface MutatingWebhookConfiguration extends WebhookConfiguration {
  kind?: "MutatingWebhookConfiguration";
}

export interface GatewayClass extends KubeObject {
  spec: { controllerName: string };
  status?: { conditions?: Condition[] };
}

export interface Listener {
  name: string;
  port: number;
  protocol: string;
  hostname?: string;
  /** Routes from the Gateway's own namespace when absent. */
  allowedRoutes?: { namespaces?: { from?: string; selector?: LabelSelector } };
}

export interface Gateway extends KubeObject {
  spec: { gatewayClassName: string; listeners?: Listener[] };
  status?: { conditions?: Condition[]; listeners?: { name: string; conditions?: Condition[] }[] };
}

export interface ParentReference {
  /** gateway.networking.k8s.io when absent. */
  group?: string;
  /** Gateway when absent. */
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface BackendRef {
  /** The core group ("") when absent. */
  group?: string;
  /** Service when absent. */
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface HTTPRoute extends KubeObject {
  spec: { parentRefs?: ParentReference[]; hostnames?: string[]; rules?: { backendRefs?: BackendRef[] }[] };
  status?: { parents?: { parentRef: ParentReference; controllerName?: string; conditions?: Condition[] }[] };
}
