/**
 * The gates before a change reaches the cluster, in the order an SRE would check them: the
 * record's status and window, its approvals against its tier, the audit trail, drift, access,
 * and a fresh server-side dry run. Each refusal names what failed and what to do next.
 */
import { ForbiddenError, PolicyError } from "../../errors.ts";
import { reviewAll, type AccessQuestion } from "../../kube/access-review.ts";
import { dryRunDelete, dryRunPatch, rbacResource, type DryRunResult, type KubeApi } from "../../kube/workloads.ts";
import { checkApprovals, type PolicyRoles } from "../../policy/approval-rule.ts";
import type { FrontMatter, RecordAction, RecordTarget } from "../../records/schema.ts";
import { DEFAULT_TIER_POLICY, type Tier, type TierPolicy } from "../../policy/tiers.ts";
import { judgedTier, tierForgery } from "../../records/tier-check.ts";
import type { VerifyResult } from "../../records/verify.ts";
import { interruptedApply } from "./interrupted.ts";
import { operationOf } from "./drift.ts";

export type Applicability = { kind: "apply"; autoApprove: boolean } | { kind: "expired"; message: string } | { kind: "resume" };

/**
 * Pure: the tier is computed, never trusted (docs/policy.md). Recomputes the record's tier from its
 * action and target with the policy and refuses a record that claims a lower one; returns the tier
 * its approvals are judged against.
 */
export function checkRecordTier(fm: FrontMatter, tierPolicy: TierPolicy): Tier {
  const forged = tierForgery(fm, tierPolicy);
  if (forged !== undefined) {
    throw new PolicyError(`refused: ${fm.id} records tier ${forged.recorded}, but its action (${forged.computed.action}) is ${forged.computed.tier} tier: the record looks forged or was written by hand`, {
      hint: `kubectl aiops audit verify reports it; propose the change again with kubectl aiops propose, which computes the tier (${forged.computed.tier})`,
    });
  }
  return judgedTier(fm, tierPolicy);
}

/** Pure: may this record be applied now? Throws a PolicyError saying why not. */
export function checkApplicable(fm: FrontMatter, now: Date, roles: PolicyRoles | undefined, options: { resume: boolean; tierPolicy?: TierPolicy }): Applicability {
  const id = fm.id;
  if (fm.stage !== "proposal") throw new PolicyError(`record ${id} is a ${fm.stage}, not a proposal: only proposals are applied`, { hint: "kubectl aiops list --stage proposal shows the proposals" });
  if (fm.action === undefined || fm.target === undefined || fm.action.patch === undefined) throw new PolicyError(`proposal ${id} has no action to apply (no target or patch)`);
  if (fm.action.type === "policy") throw new PolicyError(`proposal ${id} changes the policy file, not the cluster: it is not applied with kubectl aiops apply`);
  const tier = checkRecordTier(fm, options.tierPolicy ?? DEFAULT_TIER_POLICY);
  if (options.resume) {
    if (fm.status !== "applying") throw new PolicyError(`--resume continues an interrupted apply, but ${id} is ${fm.status}, not applying`, { hint: `run kubectl aiops apply ${id} without --resume` });
    return { kind: "resume" };
  }
  switch (fm.status) {
    case "applying":
      throw new PolicyError(interruptedApply(fm)?.message ?? `apply of ${id} was interrupted`, { hint: `kubectl aiops show ${id} shows the steps recorded so far` });
    case "verified":
      throw new PolicyError(`proposal ${id} was already applied and verified`, { hint: `to undo it: kubectl aiops rollback ${id}` });
    case "rolled-back":
    case "failed":
      throw new PolicyError(`proposal ${id} was already applied and ended ${fm.status}; a record is applied once`, { hint: "see why with kubectl aiops show " + id + ", then propose the change again" });
    case "rejected":
    case "reverted":
      throw new PolicyError(`proposal ${id} is ${fm.status}: it cannot be applied`, { hint: "propose the change again if it is still wanted" });
    case "expired":
      throw new PolicyError(`proposal ${id} expired: its window closed at ${fm.window?.expires ?? "?"}`, { hint: "propose it again to get a fresh window" });
    default:
      break;
  }
  if (fm.window !== undefined && now.getTime() > Date.parse(fm.window.expires)) {
    return { kind: "expired", message: `proposal ${id} expired at ${fm.window.expires} (${tier} tier window); an expired proposal cannot be applied` };
  }
  const check = checkApprovals(tier, fm.user.cluster, fm.approvals, roles);
  if (fm.status === "proposed" && tier !== "trivial") {
    throw new PolicyError(`proposal ${id} is not approved yet: ${check.reason}`, { hint: `an approver runs kubectl aiops approve ${id} (or approve ${id} --apply)` });
  }
  if (!check.ok) throw new PolicyError(`proposal ${id} is marked approved but its approvals do not meet the ${tier} tier rule: ${check.reason}`, { hint: `run kubectl aiops audit verify; approvals come from kubectl aiops approve ${id}` });
  return { kind: "apply", autoApprove: fm.status === "proposed" };
}

/** Refuses when the audit walk found a problem with this record; other records' problems are warnings. */
export function judgeAudit(id: string, result: VerifyResult, warn: (message: string) => void): void {
  const mine = result.problems.filter((p) => p.record === id);
  const others = result.problems.length - mine.length;
  if (others > 0) warn(`warning: audit verify found ${others} problem(s) in other records of this history (kubectl aiops audit verify)`);
  if (mine.length > 0) {
    throw new PolicyError(`refused: the audit check of ${id} failed: ${mine.map((p) => `${p.kind} at commit ${p.commit.slice(0, 12)}: ${p.message}`).join("; ")}`, {
      hint: "the record's git history is not what kubectl aiops wrote; investigate with kubectl aiops audit verify and git log -p -- <record file>, then propose the change again",
    });
  }
}

/** The permissions a change and its inverse need: refuse before patching what we could not undo. */
export function accessQuestions(target: RecordTarget, action: RecordAction): AccessQuestion[] {
  const resource = rbacResource(target.kind);
  const base = { resource, ...(target.namespace === undefined ? {} : { namespace: target.namespace }), name: target.name };
  switch (operationOf(action)) {
    case "create":
      return [{ ...base, verb: "patch" }, { ...base, verb: "create" }, { ...base, verb: "delete" }];
    case "delete":
      return [{ ...base, verb: "delete" }];
    case "patch":
      return [{ ...base, verb: "patch" }];
  }
}

export async function checkAccess(api: KubeApi, target: RecordTarget, action: RecordAction, user: string): Promise<string> {
  const answers = await reviewAll(api, accessQuestions(target, action));
  const denied = answers.find((a) => !a.allowed);
  if (denied !== undefined) {
    const also = answers.filter((a) => !a.allowed && a !== denied).map((a) => a.verb);
    throw new ForbiddenError(denied.verb, denied.resource, denied.namespace, user, `SelfSubjectAccessReview before apply${also.length === 0 ? "" : `; also missing: ${also.join(", ")}`}${denied.reason === undefined ? "" : `: ${denied.reason}`}`);
  }
  return `SelfSubjectAccessReview: ${user} may ${answers.map((a) => a.verb).join(", ")} ${answers[0]?.resource ?? ""}${target.namespace === undefined ? "" : ` in ${target.namespace}`}`;
}

export async function dryRunAction(api: KubeApi, target: RecordTarget, action: RecordAction): Promise<DryRunResult> {
  const t = { kind: target.kind, namespace: target.namespace ?? "", name: target.name };
  if (operationOf(action) === "delete") {
    const pre = (action.patch as { delete?: { preconditions?: { uid?: string } } }).delete?.preconditions?.uid;
    return dryRunDelete(api, t, pre);
  }
  return dryRunPatch(api, t, action.patchType ?? "strategic", action.patch);
}
