/**
 * The only requests that change the cluster: the real PATCH/DELETE/POST of `apply`, `rollback`
 * and `--shadow`. Every write carries fieldManager=kubectl-aiops so `kubectl get -o yaml
 * --show-managed-fields` names this tool as the owner of the fields it set.
 */
import { NotFoundError } from "../errors.ts";
import type { KubeObject } from "../model/k8s.ts";
import { apiVersionOf, collectionPath, objectPath as kindObjectPath, rbacResourceOf, requireKind } from "./kinds.ts";
import { CONTENT_TYPES, FIELD_MANAGER, objectPath, rbacResource, readObject, type KubeApi, type ObjectTarget, type PatchType } from "./workloads.ts";

const NAMESPACE = requireKind("Namespace");

/** PATCH for real. Server-side apply is forced, as its dry run was: the approved object wins. */
export async function patchObject(client: KubeApi, target: ObjectTarget, patchType: PatchType, patch: unknown): Promise<KubeObject> {
  const query: Record<string, string> = { fieldManager: FIELD_MANAGER };
  if (patchType === "apply") query["force"] = "true";
  return client.request<KubeObject>(objectPath(target), { method: "PATCH", query, body: patch, contentType: CONTENT_TYPES[patchType], verb: "patch", resource: rbacResource(target.kind), namespace: target.namespace });
}

/** DELETE with an optional uid precondition (the object we judged, never a successor of the same name). */
export async function deleteObject(client: KubeApi, target: ObjectTarget, uid?: string): Promise<void> {
  const body = { apiVersion: "v1", kind: "DeleteOptions", ...(uid === undefined ? {} : { preconditions: { uid } }) };
  await client.request(objectPath(target), { method: "DELETE", body, verb: "delete", resource: rbacResource(target.kind), namespace: target.namespace });
}

/** GET that answers undefined on 404: a create proposal's target must not exist yet. */
export async function readOptional<T extends KubeObject>(client: KubeApi, target: ObjectTarget): Promise<T | undefined> {
  try {
    return await readObject<T>(client, target.kind, target.namespace, target.name);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** POST of a namespaced object into its collection (the shadow clone). */
export async function createObject(client: KubeApi, object: KubeObject): Promise<KubeObject> {
  const target = { kind: object.kind ?? "", namespace: object.metadata.namespace ?? "", name: object.metadata.name };
  const path = objectPath(target).replace(/\/[^/]+$/, "");
  return client.request<KubeObject>(path, { method: "POST", query: { fieldManager: FIELD_MANAGER }, body: object, verb: "create", resource: rbacResource(target.kind), namespace: target.namespace });
}

export async function createNamespace(client: KubeApi, name: string, labels: Record<string, string>): Promise<void> {
  await client.request(collectionPath(NAMESPACE), { method: "POST", query: { fieldManager: FIELD_MANAGER }, body: { apiVersion: apiVersionOf(NAMESPACE), kind: NAMESPACE.kind, metadata: { name, labels } }, verb: "create", resource: rbacResourceOf(NAMESPACE) });
}

/** Deletes a namespace without waiting for its finalizers (the namespace controller finishes it). */
export async function deleteNamespace(client: KubeApi, name: string): Promise<void> {
  try {
    await client.request(kindObjectPath(NAMESPACE, undefined, name), { method: "DELETE", body: { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background" }, verb: "delete", resource: rbacResourceOf(NAMESPACE) });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}
