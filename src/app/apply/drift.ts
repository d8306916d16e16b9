/**
 * Drift (pure): has the target changed since the proposal in a way that makes the approved
 * patch unsafe to send? The approver judged a diff against one version of the object; if the
 * object moved on, the same patch may mean something else.
 *
 * - gone or recreated (uid differs): drift;
 * - generation changed: the spec changed, drift (the fields the patch touches are named when
 *   they are among the changes);
 * - the fields the patch touches no longer hold the values the inverse recorded: drift, even
 *   with the same generation (metadata patches do not bump it);
 * - resourceVersion changed but generation did not: status or metadata updates by controllers,
 *   not drift; said as a note.
 * A create proposal drifts when its object exists now; a delete when the object is gone or is a
 * different object.
 */
import type { KubeObject } from "../../model/k8s.ts";
import type { RecordAction, RecordTarget } from "../../records/schema.ts";
import { compareToBody, describeDifferences, type Difference } from "./compare.ts";

export type Operation = "patch" | "create" | "delete";

export interface DriftResult {
  drift: boolean;
  reasons: string[];
  notes: string[];
  differences: Difference[];
}

/** Which of patch.ts's three encodings an action uses. */
export function operationOf(action: Pick<RecordAction, "patchType" | "patch" | "rollback">): Operation {
  if (action.patchType === undefined && isObject(action.patch) && "delete" in action.patch) return "delete";
  if (action.patchType === "apply" && isObject(action.rollback) && "delete" in action.rollback) return "create";
  return "patch";
}

export function detectDrift(target: RecordTarget, action: RecordAction, live: KubeObject | undefined): DriftResult {
  const result: DriftResult = { drift: false, reasons: [], notes: [], differences: [] };
  const what = `${target.kind.toLowerCase()} ${target.namespace ?? ""}/${target.name}`;
  const operation = operationOf(action);
  if (operation === "create") {
    if (live !== undefined) result.reasons.push(`${what} exists now (created after the proposal, uid ${live.metadata.uid ?? "-"}); the proposal was to create it`);
    return done(result);
  }
  if (live === undefined) {
    result.reasons.push(`${what} no longer exists`);
    return done(result);
  }
  const meta = live.metadata;
  const expectedUid = operation === "delete" ? (uidPrecondition(action.patch) ?? target.uid) : target.uid;
  if (expectedUid !== undefined && meta.uid !== undefined && meta.uid !== expectedUid) {
    result.reasons.push(`${what} was deleted and recreated (uid ${expectedUid} at the proposal, ${meta.uid} now)`);
    return done(result);
  }
  if (operation === "delete") return done(result);
  result.differences = compareToBody(live, action.rollback, action.patchType);
  if (target.generation !== undefined && meta.generation !== undefined && meta.generation !== target.generation) {
    result.reasons.push(`the spec of ${what} changed since the proposal (generation ${target.generation} -> ${meta.generation})`);
  }
  if (result.differences.length > 0) result.reasons.push(`the fields the patch changes no longer hold what the proposal saw: ${describeDifferences(result.differences)}`);
  if (result.reasons.length === 0 && target.resourceVersion !== undefined && meta.resourceVersion !== target.resourceVersion) {
    result.notes.push(`resourceVersion ${target.resourceVersion} -> ${meta.resourceVersion ?? "-"} with the same generation: status or metadata updates only`);
  }
  return done(result);
}

function done(result: DriftResult): DriftResult {
  result.drift = result.reasons.length > 0;
  return result;
}

function uidPrecondition(patch: unknown): string | undefined {
  if (!isObject(patch) || !isObject(patch["delete"])) return undefined;
  const pre = patch["delete"]["preconditions"];
  return isObject(pre) && typeof pre["uid"] === "string" ? pre["uid"] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
