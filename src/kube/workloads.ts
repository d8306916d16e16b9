/**
 * Reads one workload and what a proposal needs around it (its pods, HPA and ReplicaSets), and
 * runs server-side dry runs. Everything but `dryRun*` is a GET/LIST; the dry runs always carry
 * `dryRun=All`, so nothing here changes the cluster.
 */
import { AiopsError, NotFoundError } from "../errors.ts";
import type { HorizontalPodAutoscaler, KubeObject, LabelSelector, Pod, ReplicaSet } from "../model/k8s.ts";
import { closestNames } from "../util/closest.ts";
import type { KubeClient } from "./client.ts";
import { apiVersionOf as kindApiVersion, collectionPath as kindCollectionPath, kindSpec, objectPath as kindObjectPath, rbacResourceOf, type KindSpec } from "./kinds.ts";

/** The part of KubeClient used here (structural, so use-case tests can hand in a recorded API). */
export type KubeApi = Pick<KubeClient, "request" | "list">;

export const FIELD_MANAGER = "kubectl-aiops";

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "Pod";

/** The kinds read, patched and dry-run here (their group, version and plural: src/kube/kinds.ts). */
const SUPPORTED = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "HorizontalPodAutoscaler"]);

/** What a patch or dry run is aimed at. */
export interface ObjectTarget {
  apiVersion?: string;
  kind: string;
  namespace: string;
  name: string;
}

function info(kind: string): KindSpec {
  const found = SUPPORTED.has(kind) ? kindSpec(kind) : undefined;
  if (found === undefined) throw new AiopsError(`kind ${kind} is not supported here`);
  return found;
}

/** "deployments.apps", "pods": the resource name RBAC and kubectl use. */
export function rbacResource(kind: string): string {
  return rbacResourceOf(info(kind));
}

export function apiVersionOf(kind: string): string {
  return kindApiVersion(info(kind));
}

function collectionPath(kind: string, namespace: string): string {
  return kindCollectionPath(info(kind), namespace);
}

export function objectPath(target: ObjectTarget): string {
  return kindObjectPath(info(target.kind), target.namespace, target.name);
}

/** GETs one object; a 404 names the closest existing names of the same kind. */
export async function readObject<T extends KubeObject>(client: KubeApi, kind: string, namespace: string, name: string): Promise<T> {
  try {
    const object = await client.request<T>(objectPath({ kind, namespace, name }), { verb: "get", resource: rbacResource(kind), namespace });
    object.kind = kind;
    object.apiVersion = apiVersionOf(kind);
    return object;
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    const names = await listNames(client, kind, namespace).catch(() => []);
    const suggestions = closestNames(name, names);
    const word = kind.toLowerCase();
    throw new NotFoundError(`${word} "${name}" not found in namespace "${namespace}"`, {
      hint: suggestions.length > 0 ? `did you mean: ${suggestions.join(", ")}?` : `list them with kubectl get ${info(kind).plural} -n ${namespace}, or pass -n NAMESPACE`,
      cause: error,
    });
  }
}

async function listNames(client: KubeApi, kind: string, namespace: string): Promise<string[]> {
  const items = await client.list<KubeObject>(collectionPath(kind, namespace), { verb: "list", resource: rbacResource(kind), namespace });
  return items.map((i) => i.metadata.name);
}

/** matchLabels + matchExpressions as a label selector string for a list call. */
export function selectorString(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}

/** The pods a workload's selector picks, owned (transitively, through a ReplicaSet) by it where owner uids are known. */
export async function listWorkloadPods(client: KubeApi, workload: KubeObject & { spec?: unknown }): Promise<Pod[]> {
  const namespace = workload.metadata.namespace ?? "";
  const selector = (workload.spec as { selector?: LabelSelector } | undefined)?.selector;
  if (selector === undefined) return [];
  const pods = await client.list<Pod>(collectionPath("Pod", namespace), { verb: "list", resource: rbacResource("Pod"), namespace, query: { labelSelector: selectorString(selector) } });
  for (const pod of pods) {
    pod.kind = "Pod";
    pod.apiVersion = apiVersionOf("Pod");
  }
  return pods;
}

/** The HPA whose scaleTargetRef names this workload, if any (one list call in the namespace). */
export async function findHpa(client: KubeApi, workload: { kind: string; namespace: string; name: string }): Promise<HorizontalPodAutoscaler | undefined> {
  const items = await client.list<HorizontalPodAutoscaler>(collectionPath("HorizontalPodAutoscaler", workload.namespace), { verb: "list", resource: rbacResource("HorizontalPodAutoscaler"), namespace: workload.namespace });
  const hpa = items.find((h) => h.spec.scaleTargetRef.kind === workload.kind && h.spec.scaleTargetRef.name === workload.name);
  if (hpa !== undefined) {
    hpa.kind = "HorizontalPodAutoscaler";
    hpa.apiVersion = apiVersionOf("HorizontalPodAutoscaler");
  }
  return hpa;
}

export interface Revision {
  revision: number;
  replicaSet: ReplicaSet;
}

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

/** The Deployment's ReplicaSets (by owner uid) with their revision numbers, newest first. */
export async function listRevisions(client: KubeApi, deployment: KubeObject): Promise<Revision[]> {
  const namespace = deployment.metadata.namespace ?? "";
  const items = await client.list<ReplicaSet>(collectionPath("ReplicaSet", namespace), { verb: "list", resource: rbacResource("ReplicaSet"), namespace });
  return items
    .filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.kind === "Deployment" && (o.uid === undefined || deployment.metadata.uid === undefined ? o.name === deployment.metadata.name : o.uid === deployment.metadata.uid)))
    .map((rs) => ({ revision: Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? NaN), replicaSet: { ...rs, kind: "ReplicaSet", apiVersion: apiVersionOf("ReplicaSet") } }))
    .filter((r) => Number.isInteger(r.revision))
    .sort((a, b) => b.revision - a.revision);
}

export type PatchType = "strategic" | "merge" | "json" | "apply";

export const CONTENT_TYPES: Record<PatchType, string> = {
  strategic: "application/strategic-merge-patch+json",
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  apply: "application/apply-patch+yaml",
};

export interface DryRunResult {
  result: "passed" | "failed";
  message: string;
}

/**
 * PATCH with dryRun=All: the API server runs admission, validation and defaulting and stores
 * nothing. A rejection of the patch itself (400, 409, 422) is a failed dry run to record; a
 * 403 (ForbiddenError naming verb "patch" and the resource) and transport errors are thrown.
 */
export async function dryRunPatch(client: KubeApi, target: ObjectTarget, patchType: PatchType, patch: unknown): Promise<DryRunResult> {
  const query: Record<string, string> = { dryRun: "All", fieldManager: FIELD_MANAGER };
  // Server-side apply takes ownership from other managers only when forced; the dry run must
  // answer what a real apply would do, so it forces as apply will.
  if (patchType === "apply") query["force"] = "true";
  return judge(`patch ${target.kind.toLowerCase()} ${target.name}`, () =>
    client.request(objectPath(target), { method: "PATCH", query, body: patch, contentType: CONTENT_TYPES[patchType], verb: "patch", resource: rbacResource(target.kind), namespace: target.namespace }),
  );
}

/** DELETE with dryRun=All and a uid precondition (the pod we looked at, not a successor). */
export async function dryRunDelete(client: KubeApi, target: ObjectTarget, uid: string | undefined): Promise<DryRunResult> {
  const body = { apiVersion: "v1", kind: "DeleteOptions", dryRun: ["All"], ...(uid === undefined ? {} : { preconditions: { uid } }) };
  return judge(`delete ${target.kind.toLowerCase()} ${target.name}`, () =>
    client.request(objectPath(target), { method: "DELETE", query: { dryRun: "All" }, body, verb: "delete", resource: rbacResource(target.kind), namespace: target.namespace }),
  );
}

async function judge(what: string, send: () => Promise<unknown>): Promise<DryRunResult> {
  try {
    await send();
    return { result: "passed", message: `server-side dry run (dryRun=All) of ${what} accepted` };
  } catch (error) {
    if (error instanceof AiopsError && (error.httpStatus === 400 || error.httpStatus === 409 || error.httpStatus === 422)) {
      return { result: "failed", message: `server-side dry run of ${what} rejected (${error.httpStatus}): ${error.message}` };
    }
    throw error;
  }
}

/** The controlling owner reference of an object, if any. */
export function controllerRef(object: KubeObject): { kind: string; name: string; uid?: string } | undefined {
  return (object.metadata.ownerReferences ?? []).find((o) => o.controller === true) ?? object.metadata.ownerReferences?.[0];
}

/**
 * The workload a pod belongs to: its controller, and a ReplicaSet's Deployment. Undefined for a
 * bare pod. Kinds other than those read here (Job, custom controllers) are returned as a
 * reference only.
 */
export async function workloadOfPod(client: KubeApi, pod: Pod): Promise<{ kind: string; name: string; object?: KubeObject } | undefined> {
  const namespace = pod.metadata.namespace ?? "";
  const owner = controllerRef(pod);
  if (owner === undefined) return undefined;
  if (owner.kind === "ReplicaSet") {
    const rs = await readObject<ReplicaSet>(client, "ReplicaSet", namespace, owner.name);
    const top = controllerRef(rs);
    if (top?.kind === "Deployment") return { kind: "Deployment", name: top.name, object: await readObject(client, "Deployment", namespace, top.name) };
    return { kind: "ReplicaSet", name: rs.metadata.name, object: rs };
  }
  if (owner.kind === "StatefulSet" || owner.kind === "DaemonSet") return { kind: owner.kind, name: owner.name, object: await readObject(client, owner.kind, namespace, owner.name) };
  return { kind: owner.kind, name: owner.name };
}
