import { classifyAction, TIERS, type ActionInput, type ActionType, type Tier, type TierPolicy } from "../policy/tiers.ts";
import type { FrontMatter } from "./schema.ts";
import { effectiveTier } from "./versions.ts";

/**
 * "Tier computed, never trusted" (docs/policy.md, how a tier is computed), pure: the tier of a
 * proposal or policy record is recomputed from what the record itself holds (action type, patch
 * and inverse, target kind and namespace, the figures of `metrics.pre`) with the policy's
 * classification. `apply` and `audit verify` refuse a record whose recorded tier is lower.
 *
 * The record holds the same inputs `propose` classified, so a genuine record recomputes to
 * exactly its tier: scale counts come from `action.patch` (to) and `action.rollback` (from), a pod
 * restart's other ready replicas and the low confidence of the usage figures from `metrics.pre`.
 * A rollback record (`links.supersedes`) keeps the tier of the change it undoes, so it is
 * classified as that change: its `action.rollback` is the original's patch. HPA bounds are not
 * recorded; propose refuses a direct scale of a workload with an HPA (except to 0), so leaving
 * them out can only lower the recomputed tier, never raise it above a genuine one.
 */

export interface RecomputedTier {
  tier: Tier;
  /** The action in words, e.g. "delete Secret shop/db-creds", "scale Deployment shop/web from 3 to 0 replicas". */
  action: string;
}

/** The tier the record's own action and target call for; undefined for records without an action. */
export function recomputeTier(fm: FrontMatter, policy: TierPolicy): RecomputedTier | undefined {
  const action = fm.action;
  if (action === undefined || (fm.stage !== "proposal" && fm.stage !== "policy")) return undefined;
  const target = fm.target;
  const where = target === undefined ? "(no target)" : `${target.kind} ${target.namespace === undefined ? "" : `${target.namespace}/`}${target.name}`;
  if (action.type === "policy" || fm.stage === "policy") return { tier: "critical", action: "change of the policy file" };
  const undo = fm.links?.supersedes !== undefined;
  const forward = undo ? action.rollback : action.patch;
  const inverse = undo ? action.patch : action.rollback;
  const input: ActionInput = { type: action.type as ActionType };
  if (target?.namespace !== undefined) input.namespace = target.namespace;
  if (target !== undefined) input.targetKind = target.kind;
  // An undo's metrics.pre are the figures after the original change, not what it was classified on.
  const pre = undo ? {} : (fm.metrics?.pre ?? {});
  let words = `${action.type}${undo ? " (undo)" : ""} ${where}`;
  if (action.type === "scale") {
    const to = replicasOf(forward);
    const from = replicasOf(inverse);
    if (to !== undefined && from !== undefined) {
      input.replicas = { from, to };
      words = `scale ${where} from ${from} to ${to} replicas${undo ? " (undo)" : ""}`;
    }
  }
  if (action.type === "restart" && typeof pre["otherReadyReplicas"] === "number") input.otherReadyReplicas = pre["otherReadyReplicas"];
  if (pre["confidence"] === "low") input.lowConfidence = true;
  return { tier: classifyAction(input, policy), action: words };
}

/** The forgery message when the recorded tier is lower than the recomputed one, else undefined. */
export function tierForgery(fm: FrontMatter, policy: TierPolicy): { recorded: Tier; computed: RecomputedTier; message: string } | undefined {
  const computed = recomputeTier(fm, policy);
  if (computed === undefined) return undefined;
  const recorded = effectiveTier(fm.tier);
  if (TIERS.indexOf(recorded) >= TIERS.indexOf(computed.tier)) return undefined;
  return { recorded, computed, message: `tier forged: recorded ${recorded}, the action (${computed.action}) is ${computed.tier}` };
}

/** The tier to judge approvals against: the stricter of the recorded and the recomputed one. */
export function judgedTier(fm: FrontMatter, policy: TierPolicy): Tier {
  const recorded = effectiveTier(fm.tier);
  const computed = recomputeTier(fm, policy)?.tier;
  return computed !== undefined && TIERS.indexOf(computed) > TIERS.indexOf(recorded) ? computed : recorded;
}

function replicasOf(body: unknown): number | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const spec = (body as { spec?: unknown }).spec;
  if (typeof spec !== "object" || spec === null) return undefined;
  const replicas = (spec as { replicas?: unknown }).replicas;
  return typeof replicas === "number" && Number.isInteger(replicas) && replicas >= 0 ? replicas : undefined;
}
