/**
 * The one registry of the Kubernetes kinds the plugin reads or changes: group, version, plural,
 * singular, kubectl's short names, scope, and the words `diagnose` and `propose` accept. Pure data
 * and small lookups with no import at all, so option parsing and shell completion can use it
 * without loading the Kubernetes client.
 */

export interface KindSpec {
  kind: string;
  /** "" for the core group. */
  group: string;
  version: string;
  /** Lowercase plural: the path segment, and RBAC's resource name. */
  plural: string;
  singular: string;
  /** kubectl's short names (`kubectl api-resources`). */
  shortNames: readonly string[];
  namespaced: boolean;
  /**
   * The word `diagnose` offers for this kind in its help, hints and completion; a kind without
   * one is not something `diagnose KIND NAME` takes.
   */
  diagnoseWord?: string;
  /** Every word that names this kind on the command line: singular, plural, short names. */
  aliases: readonly string[];
}

type KindData = Omit<KindSpec, "aliases">;

function spec(data: KindData): KindSpec {
  return { ...data, aliases: [data.singular, data.plural, ...data.shortNames] };
}

export const KINDS: readonly KindSpec[] = [
  spec({ kind: "Pod", group: "", version: "v1", plural: "pods", singular: "pod", shortNames: ["po"], namespaced: true, diagnoseWord: "pod" }),
  spec({ kind: "Deployment", group: "apps", version: "v1", plural: "deployments", singular: "deployment", shortNames: ["deploy"], namespaced: true, diagnoseWord: "deployment" }),
  spec({ kind: "StatefulSet", group: "apps", version: "v1", plural: "statefulsets", singular: "statefulset", shortNames: ["sts"], namespaced: true, diagnoseWord: "statefulset" }),
  spec({ kind: "DaemonSet", group: "apps", version: "v1", plural: "daemonsets", singular: "daemonset", shortNames: ["ds"], namespaced: true, diagnoseWord: "daemonset" }),
  spec({ kind: "ReplicaSet", group: "apps", version: "v1", plural: "replicasets", singular: "replicaset", shortNames: ["rs"], namespaced: true, diagnoseWord: "replicaset" }),
  spec({ kind: "Job", group: "batch", version: "v1", plural: "jobs", singular: "job", shortNames: [], namespaced: true, diagnoseWord: "job" }),
  spec({ kind: "Service", group: "", version: "v1", plural: "services", singular: "service", shortNames: ["svc"], namespaced: true, diagnoseWord: "service" }),
  spec({ kind: "PersistentVolumeClaim", group: "", version: "v1", plural: "persistentvolumeclaims", singular: "persistentvolumeclaim", shortNames: ["pvc"], namespaced: true, diagnoseWord: "pvc" }),
  spec({ kind: "HorizontalPodAutoscaler", group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", singular: "horizontalpodautoscaler", shortNames: ["hpa"], namespaced: true, diagnoseWord: "hpa" }),
  spec({ kind: "Node", group: "", version: "v1", plural: "nodes", singular: "node", shortNames: ["no"], namespaced: false, diagnoseWord: "node" }),
  spec({ kind: "Namespace", group: "", version: "v1", plural: "namespaces", singular: "namespace", shortNames: ["ns"], namespaced: false, diagnoseWord: "namespace" }),
  spec({ kind: "Event", group: "", version: "v1", plural: "events", singular: "event", shortNames: ["ev"], namespaced: true }),
  spec({ kind: "EndpointSlice", group: "discovery.k8s.io", version: "v1", plural: "endpointslices", singular: "endpointslice", shortNames: [], namespaced: true }),
  spec({ kind: "ResourceQuota", group: "", version: "v1", plural: "resourcequotas", singular: "resourcequota", shortNames: ["quota"], namespaced: true }),
  spec({ kind: "PodDisruptionBudget", group: "policy", version: "v1", plural: "poddisruptionbudgets", singular: "poddisruptionbudget", shortNames: ["pdb"], namespaced: true, diagnoseWord: "pdb" }),
  spec({ kind: "CronJob", group: "batch", version: "v1", plural: "cronjobs", singular: "cronjob", shortNames: ["cj"], namespaced: true, diagnoseWord: "cronjob" }),
  spec({ kind: "Ingress", group: "networking.k8s.io", version: "v1", plural: "ingresses", singular: "ingress", shortNames: ["ing"], namespaced: true, diagnoseWord: "ingress" }),
  spec({ kind: "IngressClass", group: "networking.k8s.io", version: "v1", plural: "ingressclasses", singular: "ingressclass", shortNames: [], namespaced: false }),
  spec({ kind: "NetworkPolicy", group: "networking.k8s.io", version: "v1", plural: "networkpolicies", singular: "networkpolicy", shortNames: ["netpol"], namespaced: true, diagnoseWord: "networkpolicy" }),
  spec({ kind: "ValidatingWebhookConfiguration", group: "admissionregistration.k8s.io", version: "v1", plural: "validatingwebhookconfigurations", singular: "validatingwebhookconfiguration", shortNames: [], namespaced: false, diagnoseWord: "validatingwebhookconfiguration" }),
  spec({ kind: "MutatingWebhookConfiguration", group: "admissionregistration.k8s.io", version: "v1", plural: "mutatingwebhookconfigurations", singular: "mutatingwebhookconfiguration", shortNames: [], namespaced: false, diagnoseWord: "mutatingwebhookconfiguration" }),
  spec({ kind: "PersistentVolume", group: "", version: "v1", plural: "persistentvolumes", singular: "persistentvolume", shortNames: ["pv"], namespaced: false, diagnoseWord: "pv" }),
  spec({ kind: "StorageClass", group: "storage.k8s.io", version: "v1", plural: "storageclasses", singular: "storageclass", shortNames: ["sc"], namespaced: false }),
  spec({ kind: "Gateway", group: "gateway.networking.k8s.io", version: "v1", plural: "gateways", singular: "gateway", shortNames: ["gtw"], namespaced: true, diagnoseWord: "gateway" }),
  spec({ kind: "HTTPRoute", group: "gateway.networking.k8s.io", version: "v1", plural: "httproutes", singular: "httproute", shortNames: [], namespaced: true, diagnoseWord: "httproute" }),
  spec({ kind: "GatewayClass", group: "gateway.networking.k8s.io", version: "v1", plural: "gatewayclasses", singular: "gatewayclass", shortNames: ["gc"], namespaced: false }),
];

const BY_KIND = new Map(KINDS.map((k) => [k.kind, k]));
const BY_ALIAS = new Map(KINDS.flatMap((k) => k.aliases.map((a) => [a, k] as const)));

/** The registry entry of a kind ("Deployment"), if the plugin knows it. */
export function kindSpec(kind: string): KindSpec | undefined {
  return BY_KIND.get(kind);
}

/** The registry entry of a kind the caller names in code; a missing one is a programming error. */
export function requireKind(kind: string): KindSpec {
  const found = BY_KIND.get(kind);
  if (found === undefined) throw new Error(`kind ${kind} is not in the registry (src/kube/kinds.ts)`);
  return found;
}

/** A word typed on the command line ("deploy", "Pods", "pvc") to its kind, case-insensitively. */
export function resolveKind(word: string): KindSpec | undefined {
  return BY_ALIAS.get(word.toLowerCase());
}

/** The kinds `diagnose KIND NAME` takes (Namespace included: `diagnose namespace NAME`), in registry order. */
export const DIAGNOSE_KINDS: readonly KindSpec[] = KINDS.filter((k) => k.diagnoseWord !== undefined);

/** A word `diagnose` accepts as KIND, resolved; undefined for any other word. */
export function resolveDiagnoseKind(word: string): KindSpec | undefined {
  const found = resolveKind(word);
  return found?.diagnoseWord === undefined ? undefined : found;
}

/** The words `diagnose` lists for KIND: pod, deployment, ..., namespace. */
export const DIAGNOSE_WORDS: readonly string[] = DIAGNOSE_KINDS.map((k) => k.diagnoseWord ?? k.singular);

/** "apps/v1", "v1". */
export function apiVersionOf(spec: KindSpec): string {
  return spec.group === "" ? spec.version : `${spec.group}/${spec.version}`;
}

/** "deployments.apps", "pods": the resource name RBAC and kubectl use. */
export function rbacResourceOf(spec: KindSpec): string {
  return spec.group === "" ? spec.plural : `${spec.plural}.${spec.group}`;
}

/** "/api/v1", "/apis/apps/v1". */
export function groupVersionPath(spec: KindSpec): string {
  return spec.group === "" ? `/api/${spec.version}` : `/apis/${spec.group}/${spec.version}`;
}

/**
 * The collection's path: in one namespace, or across all namespaces when `namespace` is
 * undefined. A cluster-scoped kind never has a namespace in its path, whatever is passed.
 */
export function collectionPath(spec: KindSpec, namespace?: string): string {
  const base = groupVersionPath(spec);
  return namespace === undefined || !spec.namespaced ? `${base}/${spec.plural}` : `${base}/namespaces/${encodeURIComponent(namespace)}/${spec.plural}`;
}

/** One object's path. */
export function objectPath(spec: KindSpec, namespace: string | undefined, name: string): string {
  return `${collectionPath(spec, namespace)}/${encodeURIComponent(name)}`;
}
