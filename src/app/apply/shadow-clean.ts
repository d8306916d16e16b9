/**
 * The shadow clone of a workload (pure): the live object made creatable in a throwaway
 * namespace. Everything the server owns or that ties the object to its original place is
 * stripped; labels and annotations stay, so kwok Stages and admission policies that select by
 * label treat the clone as they treat the original.
 */
import type { KubeObject } from "../../model/k8s.ts";

const SERVER_OWNED_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink", "ownerReferences", "finalizers"];
/** Annotations that describe the original's history, not its desired state. */
const HISTORY_ANNOTATIONS = ["deployment.kubernetes.io/revision", "kubectl.kubernetes.io/last-applied-configuration"];

export const SHADOW_LABEL = "aiops.dev/shadow-of";
/** A shadow never runs more pods than this: it rehearses the change, it does not serve traffic. */
export const SHADOW_MAX_REPLICAS = 2;

/** `aiops-shadow-<last 8 characters of the id>`, lowercase (a namespace name is a DNS label). */
export function shadowNamespaceName(id: string): string {
  return `aiops-shadow-${id.slice(-8).toLowerCase()}`;
}

export function cleanForShadow(object: KubeObject, namespace: string, replicas?: number): KubeObject {
  const clone = structuredClone(object);
  delete clone.status;
  const meta = clone.metadata as unknown as Record<string, unknown>;
  for (const key of SERVER_OWNED_METADATA) delete meta[key];
  clone.metadata.namespace = namespace;
  if (clone.metadata.annotations !== undefined) {
    for (const key of HISTORY_ANNOTATIONS) delete clone.metadata.annotations[key];
  }
  const spec = clone.spec as Record<string, unknown> | undefined;
  if (spec !== undefined) {
    delete spec["clusterIP"];
    delete spec["clusterIPs"];
    delete spec["nodeName"];
    if (replicas !== undefined && "replicas" in spec) spec["replicas"] = replicas;
    const template = spec["template"] as { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } | undefined;
    if (template?.spec !== undefined) delete template.spec["nodeName"];
    if (template?.metadata !== undefined) delete template.metadata["creationTimestamp"];
  }
  return clone;
}
