import { describe, expect, it } from "vitest";
import { apiVersionOf, collectionPath, DIAGNOSE_WORDS, KINDS, kindSpec, objectPath, rbacResourceOf, requireKind, resolveDiagnoseKind, resolveKind } from "../../../src/kube/kinds.ts";

describe("the kind registry", () => {
  it.each(KINDS.flatMap((spec) => spec.aliases.map((alias) => [alias, spec.kind] as const)))("alias %s -> %s", (alias, kind) => {
    expect(resolveKind(alias)?.kind).toBe(kind);
    expect(resolveKind(alias.toUpperCase())?.kind).toBe(kind);
  });

  it("names every kind by its singular, plural and short names, and no word twice", () => {
    for (const spec of KINDS) {
      expect(spec.aliases).toEqual([spec.singular, spec.plural, ...spec.shortNames]);
      expect(spec.singular).toBe(spec.kind.toLowerCase());
    }
    const words = KINDS.flatMap((k) => k.aliases);
    expect(new Set(words).size).toBe(words.length);
    expect(new Set(KINDS.map((k) => k.kind)).size).toBe(KINDS.length);
  });

  it.each([
    ["po", "Pod"],
    ["ev", "Event"],
    ["svc", "Service"],
    ["pvc", "PersistentVolumeClaim"],
    ["quota", "ResourceQuota"],
    ["deploy", "Deployment"],
    ["rs", "ReplicaSet"],
    ["sts", "StatefulSet"],
    ["ds", "DaemonSet"],
    ["hpa", "HorizontalPodAutoscaler"],
    ["pdb", "PodDisruptionBudget"],
    ["no", "Node"],
    ["ns", "Namespace"],
    ["cj", "CronJob"],
    ["ing", "Ingress"],
    ["netpol", "NetworkPolicy"],
    ["pv", "PersistentVolume"],
    ["sc", "StorageClass"],
  ])("kubectl's short name %s is %s", (short, kind) => {
    expect(requireKind(kind).shortNames).toContain(short);
  });

  it("knows nothing of other words or kinds", () => {
    expect(resolveKind("widget")).toBeUndefined();
    expect(resolveKind("")).toBeUndefined();
    expect(kindSpec("Widget")).toBeUndefined();
    expect(() => requireKind("Widget")).toThrow(/not in the registry/);
  });
});

describe("the words diagnose takes", () => {
  // Every word diagnose accepted before the registry, and the two plurals it gained from it.
  it.each([
    ...["pod", "pods", "po"].map((w) => [w, "Pod"]),
    ...["deployment", "deployments", "deploy"].map((w) => [w, "Deployment"]),
    ...["statefulset", "statefulsets", "sts"].map((w) => [w, "StatefulSet"]),
    ...["daemonset", "daemonsets", "ds"].map((w) => [w, "DaemonSet"]),
    ...["replicaset", "replicasets", "rs"].map((w) => [w, "ReplicaSet"]),
    ...["job", "jobs"].map((w) => [w, "Job"]),
    ...["service", "services", "svc"].map((w) => [w, "Service"]),
    ...["pvc", "persistentvolumeclaim", "persistentvolumeclaims"].map((w) => [w, "PersistentVolumeClaim"]),
    ...["hpa", "horizontalpodautoscaler", "horizontalpodautoscalers"].map((w) => [w, "HorizontalPodAutoscaler"]),
    ...["node", "nodes", "no"].map((w) => [w, "Node"]),
    ...["namespace", "namespaces", "ns"].map((w) => [w, "Namespace"]),
    // The kinds of k8sgpt's analyzers beyond workloads.
    ...["pdb", "poddisruptionbudget", "poddisruptionbudgets"].map((w) => [w, "PodDisruptionBudget"]),
    ...["cronjob", "cronjobs", "cj"].map((w) => [w, "CronJob"]),
    ...["ingress", "ingresses", "ing"].map((w) => [w, "Ingress"]),
    ...["networkpolicy", "networkpolicies", "netpol"].map((w) => [w, "NetworkPolicy"]),
    ...["validatingwebhookconfiguration", "validatingwebhookconfigurations"].map((w) => [w, "ValidatingWebhookConfiguration"]),
    ...["mutatingwebhookconfiguration", "mutatingwebhookconfigurations"].map((w) => [w, "MutatingWebhookConfiguration"]),
    ...["pv", "persistentvolume", "persistentvolumes"].map((w) => [w, "PersistentVolume"]),
    ...["gateway", "gateways", "gtw"].map((w) => [w, "Gateway"]),
    ...["httproute", "httproutes"].map((w) => [w, "HTTPRoute"]),
  ])("%s -> %s", (word, kind) => {
    expect(resolveDiagnoseKind(word)?.kind).toBe(kind);
  });

  it.each(["events", "ev", "endpointslice", "quota", "storageclass", "ingressclass", "widget"])("not %s", (word) => {
    expect(resolveDiagnoseKind(word)).toBeUndefined();
  });

  it("lists one word per kind for help and completion, each accepted", () => {
    expect(DIAGNOSE_WORDS).toEqual(["pod", "deployment", "statefulset", "daemonset", "replicaset", "job", "service", "pvc", "hpa", "node", "namespace", "pdb", "cronjob", "ingress", "networkpolicy", "validatingwebhookconfiguration", "mutatingwebhookconfiguration", "pv", "gateway", "httproute"]);
    for (const word of DIAGNOSE_WORDS) expect(resolveDiagnoseKind(word)).toBeDefined();
  });
});

describe("paths, API versions and RBAC resources", () => {
  it.each([
    ["Pod", "v1", "pods", "/api/v1/namespaces/shop/pods", "/api/v1/pods"],
    ["Event", "v1", "events", "/api/v1/namespaces/shop/events", "/api/v1/events"],
    ["Service", "v1", "services", "/api/v1/namespaces/shop/services", "/api/v1/services"],
    ["PersistentVolumeClaim", "v1", "persistentvolumeclaims", "/api/v1/namespaces/shop/persistentvolumeclaims", "/api/v1/persistentvolumeclaims"],
    ["ResourceQuota", "v1", "resourcequotas", "/api/v1/namespaces/shop/resourcequotas", "/api/v1/resourcequotas"],
    ["EndpointSlice", "discovery.k8s.io/v1", "endpointslices.discovery.k8s.io", "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices", "/apis/discovery.k8s.io/v1/endpointslices"],
    ["Deployment", "apps/v1", "deployments.apps", "/apis/apps/v1/namespaces/shop/deployments", "/apis/apps/v1/deployments"],
    ["ReplicaSet", "apps/v1", "replicasets.apps", "/apis/apps/v1/namespaces/shop/replicasets", "/apis/apps/v1/replicasets"],
    ["StatefulSet", "apps/v1", "statefulsets.apps", "/apis/apps/v1/namespaces/shop/statefulsets", "/apis/apps/v1/statefulsets"],
    ["DaemonSet", "apps/v1", "daemonsets.apps", "/apis/apps/v1/namespaces/shop/daemonsets", "/apis/apps/v1/daemonsets"],
    ["Job", "batch/v1", "jobs.batch", "/apis/batch/v1/namespaces/shop/jobs", "/apis/batch/v1/jobs"],
    ["HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers.autoscaling", "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers", "/apis/autoscaling/v2/horizontalpodautoscalers"],
    ["PodDisruptionBudget", "policy/v1", "poddisruptionbudgets.policy", "/apis/policy/v1/namespaces/shop/poddisruptionbudgets", "/apis/policy/v1/poddisruptionbudgets"],
    ["Node", "v1", "nodes", "/api/v1/nodes", "/api/v1/nodes"],
    ["Namespace", "v1", "namespaces", "/api/v1/namespaces", "/api/v1/namespaces"],
    ["CronJob", "batch/v1", "cronjobs.batch", "/apis/batch/v1/namespaces/shop/cronjobs", "/apis/batch/v1/cronjobs"],
    ["Ingress", "networking.k8s.io/v1", "ingresses.networking.k8s.io", "/apis/networking.k8s.io/v1/namespaces/shop/ingresses", "/apis/networking.k8s.io/v1/ingresses"],
    ["IngressClass", "networking.k8s.io/v1", "ingressclasses.networking.k8s.io", "/apis/networking.k8s.io/v1/ingressclasses", "/apis/networking.k8s.io/v1/ingressclasses"],
    ["NetworkPolicy", "networking.k8s.io/v1", "networkpolicies.networking.k8s.io", "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies", "/apis/networking.k8s.io/v1/networkpolicies"],
    ["ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1", "validatingwebhookconfigurations.admissionregistration.k8s.io", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"],
    ["MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations.admissionregistration.k8s.io", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"],
    ["PersistentVolume", "v1", "persistentvolumes", "/api/v1/persistentvolumes", "/api/v1/persistentvolumes"],
    ["StorageClass", "storage.k8s.io/v1", "storageclasses.storage.k8s.io", "/apis/storage.k8s.io/v1/storageclasses", "/apis/storage.k8s.io/v1/storageclasses"],
    ["Gateway", "gateway.networking.k8s.io/v1", "gateways.gateway.networking.k8s.io", "/apis/gateway.networking.k8s.io/v1/namespaces/shop/gateways", "/apis/gateway.networking.k8s.io/v1/gateways"],
    ["HTTPRoute", "gateway.networking.k8s.io/v1", "httproutes.gateway.networking.k8s.io", "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes", "/apis/gateway.networking.k8s.io/v1/httproutes"],
    ["GatewayClass", "gateway.networking.k8s.io/v1", "gatewayclasses.gateway.networking.k8s.io", "/apis/gateway.networking.k8s.io/v1/gatewayclasses", "/apis/gateway.networking.k8s.io/v1/gatewayclasses"],
  ])("%s: %s, %s, %s, %s", (kind, apiVersion, resource, inShop, everywhere) => {
    const spec = requireKind(kind);
    expect(apiVersionOf(spec)).toBe(apiVersion);
    expect(rbacResourceOf(spec)).toBe(resource);
    expect(collectionPath(spec, "shop")).toBe(inShop);
    expect(collectionPath(spec)).toBe(everywhere);
  });

  it("covers every kind in the table above", () => {
    expect(KINDS).toHaveLength(26);
  });

  it.each(KINDS.filter((k) => !k.namespaced).map((k) => [k.kind, k] as const))("cluster-scoped %s has no namespace in its paths", (_kind, spec) => {
    expect(collectionPath(spec, "shop")).not.toContain("namespaces/shop");
    expect(objectPath(spec, "shop", "worker-1")).toBe(`${collectionPath(spec)}/worker-1`);
  });

  it("puts the object name after the collection, escaped", () => {
    expect(objectPath(requireKind("Deployment"), "shop", "web")).toBe("/apis/apps/v1/namespaces/shop/deployments/web");
    expect(objectPath(requireKind("Namespace"), undefined, "shop")).toBe("/api/v1/namespaces/shop");
    expect(objectPath(requireKind("Pod"), "shop", "a/b")).toBe("/api/v1/namespaces/shop/pods/a%2Fb");
  });
});
