/**
 * `apply RECORD --shadow`: a rehearsal before the real thing, for medium and critical proposals.
 * The workload is cloned into a temporary namespace `aiops-shadow-<id suffix>` with the record's
 * exact patch applied by the API server (clone created at 0 replicas, patched with the record's
 * patch type and body, then scaled up), watched until ready or failed (bounded), and the result
 * is recorded as an event in the proposal; the namespace is deleted whatever happens.
 *
 * It runs in status proposed or approved and changes neither the status nor the target, so
 * approvers can ask for it before deciding. Deployments and StatefulSets only (a DaemonSet
 * clone would start a pod on every node); at most SHADOW_MAX_REPLICAS pods; Services,
 * ConfigMaps and Secrets are not copied (a pod that needs them will fail in the shadow: the
 * result says so rather than copying secrets across namespaces).
 */
import { PolicyError } from "../../errors.ts";
import { createNamespace, createObject, deleteNamespace, patchObject, readOptional } from "../../kube/apply.ts";
import { reviewAll } from "../../kube/access-review.ts";
import { ForbiddenError } from "../../errors.ts";
import { rbacResource } from "../../kube/workloads.ts";
import type { KubeObject } from "../../model/k8s.ts";
import type { FrontMatter, RecordAction, RecordTarget } from "../../records/schema.ts";
import { appendToRecord, utcSeconds } from "../../records/store.ts";
import { effectiveTier } from "../../records/versions.ts";
import { committed, rolesOf, storeDepsOf, timed, type ApplyContext } from "./context.ts";
import { operationOf } from "./drift.ts";
import { APPLY_EVENTS } from "./interrupted.ts";
import { waitForRollout } from "./observe.ts";
import { cleanForShadow, SHADOW_LABEL, SHADOW_MAX_REPLICAS, shadowNamespaceName } from "./shadow-clean.ts";

export interface ShadowResult {
  apiVersion: "aiops.dev/v1";
  kind: "ShadowResult";
  record: string;
  namespace: string;
  outcome: "passed" | "failed";
  detail: string;
  seconds: number;
}

export async function runShadowFor(ctx: ApplyContext, fm: FrontMatter, timeoutSeconds: number): Promise<ShadowResult> {
  const { target, action } = checkShadowable(fm);
  const user = await ctx.identify();
  const namespace = shadowNamespaceName(fm.id);
  const resource = rbacResource(target.kind);
  const answers = await reviewAll(ctx.api, [
    { verb: "create", resource: "namespaces" },
    { verb: "delete", resource: "namespaces" },
    { verb: "create", resource, namespace },
    { verb: "patch", resource, namespace },
  ]);
  const denied = answers.find((a) => !a.allowed);
  if (denied !== undefined) throw new ForbiddenError(denied.verb, denied.resource, denied.namespace, user, "SelfSubjectAccessReview before the shadow run (it creates and deletes a temporary namespace)");
  const live = await readOptional(ctx.api, { kind: target.kind, namespace: target.namespace ?? "", name: target.name });
  if (live === undefined) throw new PolicyError(`${target.kind.toLowerCase()} ${target.namespace ?? ""}/${target.name} does not exist: nothing to clone`);
  const started = ctx.now().getTime();
  let outcome: ShadowResult["outcome"] = "failed";
  let detail: string;
  ctx.emit({ type: "apply-step", record: fm.id, step: "shadow", detail: `cloning ${target.kind.toLowerCase()} ${target.name} into namespace ${namespace}` });
  try {
    await createNamespace(ctx.api, namespace, { [SHADOW_LABEL]: fm.id.toLowerCase() });
    await createObject(ctx.api, cleanForShadow(live, namespace, 0));
    const shadowTarget = { kind: target.kind, namespace, name: target.name };
    const patched = await patchObject(ctx.api, shadowTarget, action.patchType ?? "strategic", action.patch);
    const wanted = replicasOf(patched) ?? replicasOf(live) ?? 1;
    const replicas = Math.max(1, Math.min(wanted, SHADOW_MAX_REPLICAS));
    await patchObject(ctx.api, shadowTarget, "merge", { spec: { replicas } });
    const wait = await timed(ctx, "shadow", () => waitForRollout(ctx, shadowTarget, { restarts: {}, categories: [] }, timeoutSeconds));
    outcome = wait.outcome === "complete" ? "passed" : "failed";
    detail = wait.outcome === "complete" ? `${replicas} pod(s) of the patched clone became ready in ${wait.seconds}s` : `the patched clone ${wait.outcome === "timeout" ? "did not become ready" : "failed"}: ${wait.message}`;
  } catch (error) {
    detail = `the shadow run could not complete: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await deleteNamespace(ctx.api, namespace).catch((error: unknown) => ctx.warn(`warning: could not delete shadow namespace ${namespace}: ${error instanceof Error ? error.message : String(error)}; delete it with kubectl delete namespace ${namespace}`));
  }
  const seconds = Math.round((ctx.now().getTime() - started) / 1000);
  const roles = rolesOf(ctx.policy);
  committed(ctx, await appendToRecord(ctx.history, fm.id, { events: [{ at: utcSeconds(ctx.now()), type: APPLY_EVENTS.shadow, detail: `${outcome} (by ${user}, namespace ${namespace}, deleted): ${detail}` }], ...(roles === undefined ? {} : { roles }) }, storeDepsOf(ctx)));
  return { apiVersion: "aiops.dev/v1", kind: "ShadowResult", record: fm.id, namespace, outcome, detail, seconds };
}

function checkShadowable(fm: FrontMatter): { target: RecordTarget; action: RecordAction } {
  const { target, action } = fm;
  if (fm.stage !== "proposal" || target === undefined || action === undefined) throw new PolicyError(`record ${fm.id} is not a proposal with an action: nothing to rehearse`);
  const tier = effectiveTier(fm.tier);
  if (tier !== "medium" && tier !== "critical") throw new PolicyError(`shadow runs are for medium and critical proposals; ${fm.id} is ${tier}`, { hint: `apply it directly: kubectl aiops apply ${fm.id}` });
  if (fm.status !== "proposed" && fm.status !== "approved") throw new PolicyError(`proposal ${fm.id} is ${fm.status}: a shadow run rehearses a change not yet applied`);
  if (operationOf(action) !== "patch" || !["Deployment", "StatefulSet"].includes(target.kind)) {
    throw new PolicyError(`shadow runs clone a Deployment or StatefulSet and patch the clone; ${fm.id} ${operationOf(action) === "patch" ? `targets a ${target.kind}` : `is a ${operationOf(action)}`}`);
  }
  return { target, action };
}

function replicasOf(object: KubeObject): number | undefined {
  const value = (object.spec as { replicas?: unknown } | undefined)?.replicas;
  return typeof value === "number" ? value : undefined;
}
