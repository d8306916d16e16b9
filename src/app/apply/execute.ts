/**
 * Sends a record's action, or its inverse, exactly as src/recommend/patch.ts encoded them: a
 * patch (strategic|merge|json) and its inverse of the same type; a create by server-side apply
 * undone by a delete; a delete with a uid precondition, which has no inverse.
 */
import { deleteObject, patchObject } from "../../kube/apply.ts";
import type { KubeApi } from "../../kube/workloads.ts";
import type { KubeObject } from "../../model/k8s.ts";
import type { RecordAction, RecordTarget } from "../../records/schema.ts";
import { operationOf } from "./drift.ts";

function objectTarget(target: RecordTarget): { kind: string; namespace: string; name: string } {
  return { kind: target.kind, namespace: target.namespace ?? "", name: target.name };
}

/** Returns the object as the server stored it (undefined for a delete). */
export async function sendForward(api: KubeApi, target: RecordTarget, action: RecordAction): Promise<KubeObject | undefined> {
  const t = objectTarget(target);
  switch (operationOf(action)) {
    case "delete": {
      const uid = (action.patch as { delete?: { preconditions?: { uid?: string } } }).delete?.preconditions?.uid;
      await deleteObject(api, t, uid);
      return undefined;
    }
    case "create":
      return patchObject(api, t, "apply", action.patch);
    case "patch":
      return patchObject(api, t, action.patchType ?? "strategic", action.patch);
  }
}

/** Whether the action has an inverse to send (a deleted pod has none: its controller replaced it). */
export function hasInverse(action: RecordAction): boolean {
  return operationOf(action) !== "delete";
}

export async function sendInverse(api: KubeApi, target: RecordTarget, action: RecordAction): Promise<KubeObject | undefined> {
  const t = objectTarget(target);
  switch (operationOf(action)) {
    case "delete":
      throw new Error("a deleted pod cannot be restored; its controller replaced it");
    case "create":
      await deleteObject(api, t);
      return undefined;
    case "patch":
      return patchObject(api, t, action.patchType ?? "strategic", action.rollback);
  }
}
