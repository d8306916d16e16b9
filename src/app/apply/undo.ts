/**
 * `rollback RECORD` of a verified change (docs/policy.md, apply and rollback). The decisions:
 *
 * - The undo is a NEW proposal record (its own file, `links.supersedes` = the original), whose
 *   action is the original's inverse and whose rollback is the original's patch. The original's
 *   file is final once verified except for one move: verified -> reverted, written when the undo
 *   verifies. So `git log` shows the undo as a decision of its own, with its own approvals.
 * - The undo keeps the original's tier: undoing a medium change touches the same fields with the
 *   same blast radius, so it needs the same approval rule (a rollback of a medium change is
 *   medium). Nothing is waived, because `audit verify` judges the new record by that rule too.
 * - When the requester is an approver in the policy and their own approval satisfies the tier
 *   (low: one approver), the undo is approved and applied at once: that is what an SRE typing
 *   `rollback` expects. Otherwise (medium: an approver other than the proposer; critical: two)
 *   it is recorded as proposed and the output says who must approve it; `apply` then runs it.
 * - Drift guards the undo like any change: if the fields no longer hold what the original set,
 *   someone changed them since, and undoing would overwrite that: refused.
 * - Only patch actions are undone here. A created object (HPA) is undone by deleting it and a
 *   deleted pod cannot come back; both get the manual commands instead.
 */
import { PolicyError } from "../../errors.ts";
import { readOptional } from "../../kube/apply.ts";
import { dryRunPatch } from "../../kube/workloads.ts";
import { windowSecondsOf } from "../../policy/policy-file.ts";
import { checkApprovals, ROLE_APPROVER, ROLE_SECURITY_REVIEWER } from "../../policy/approval-rule.ts";
import { renderSections } from "../../records/record-file.ts";
import { evidenceSha256 } from "../../records/hash.ts";
import type { Approval, FrontMatter, RecordTarget } from "../../records/schema.ts";
import { appendToRecord, listRecords, utcSeconds, writeRecord, type NewRecord, type WrittenRecord } from "../../records/store.ts";
import { effectiveTier } from "../../records/versions.ts";
import { rollbackProcedure, type PatchPlan } from "../../recommend/patch.ts";
import { redactText } from "../../util/redact.ts";
import { compareToBody, describeDifferences } from "./compare.ts";
import { committed, rolesOf, storeDepsOf, timed, type ApplyContext } from "./context.ts";
import { operationOf } from "./drift.ts";
import { APPLY_EVENTS } from "./interrupted.ts";

export interface UndoDraft {
  record: WrittenRecord;
  /** The requester's own approval satisfied the tier: the caller applies it now. */
  approvedNow: boolean;
  next: string;
}

export async function proposeUndo(ctx: ApplyContext, original: FrontMatter): Promise<UndoDraft> {
  const id = original.id;
  const action = original.action;
  const target = original.target;
  if (action === undefined || target === undefined) throw new PolicyError(`proposal ${id} has no action to undo`);
  if (operationOf(action) !== "patch") {
    const plan = { operation: operationOf(action), target: { apiVersion: target.apiVersion ?? "", kind: target.kind, namespace: target.namespace ?? "", name: target.name }, patch: action.patch ?? {}, rollback: action.rollback ?? {}, ...(action.patchType === undefined ? {} : { patchType: action.patchType }) } as PatchPlan;
    throw new PolicyError(`kubectl aiops rollback undoes patches only; ${id} ${operationOf(action) === "create" ? "created an object" : "deleted a pod"}`, { hint: rollbackProcedure(plan).join("\n      ") });
  }
  const pending = (await listRecords(ctx.history, { ...storeDepsOf(ctx), recover: false })).records.find((r) => r.frontMatter.links?.supersedes === id && ["proposed", "approved", "applying"].includes(r.frontMatter.status));
  if (pending !== undefined) {
    throw new PolicyError(`a rollback of ${id} is already recorded: ${pending.frontMatter.id} (${pending.frontMatter.status})`, { hint: pending.frontMatter.status === "approved" ? `apply it: kubectl aiops apply ${pending.frontMatter.id}` : `kubectl aiops show ${pending.frontMatter.id}` });
  }
  const user = await ctx.identify();
  const live = await readOptional(ctx.api, { kind: target.kind, namespace: target.namespace ?? "", name: target.name });
  if (live === undefined) throw new PolicyError(`${target.kind.toLowerCase()} ${target.namespace ?? ""}/${target.name} no longer exists: nothing to roll back`);
  const moved = compareToBody(live, action.patch, action.patchType);
  if (moved.length > 0) {
    throw new PolicyError(`refused: the fields ${id} changed have been changed again since (${describeDifferences(moved)}); rolling back would overwrite that later change`, { hint: "propose the wanted values as a new change (kubectl aiops propose ...)" });
  }
  const patchType = action.patchType ?? "strategic";
  const dryRun = await timed(ctx, "dryRun", () => dryRunPatch(ctx.api, { kind: target.kind, namespace: target.namespace ?? "", name: target.name }, patchType, action.rollback));
  if (dryRun.result === "failed") throw new PolicyError(`refused: ${dryRun.message}`, { hint: "the server rejects the inverse; undo by hand with the commands under Rollback procedure of " + id });
  const tier = effectiveTier(original.tier);
  const now = ctx.now();
  const windowSeconds = windowSecondsOf(ctx.policy, tier);
  const newTarget: RecordTarget = { ...target, ...(live.metadata.uid === undefined ? {} : { uid: live.metadata.uid }), ...(live.metadata.resourceVersion === undefined ? {} : { resourceVersion: live.metadata.resourceVersion }), ...(live.metadata.generation === undefined ? {} : { generation: live.metadata.generation }) };
  const plan: PatchPlan = { operation: "patch", target: { apiVersion: target.apiVersion ?? "", kind: target.kind, namespace: target.namespace ?? "", name: target.name }, patchType, patch: action.rollback ?? {}, rollback: action.patch ?? {} };
  const evidence = `${target.kind.toLowerCase()} ${target.namespace ?? ""}/${target.name} as read: uid ${live.metadata.uid ?? "-"}, resourceVersion ${live.metadata.resourceVersion ?? "-"}, generation ${live.metadata.generation ?? "-"}; it holds the values ${id} set.`;
  const input: NewRecord = {
    title: truncate(`Roll back ${id}: ${original.title}`),
    stage: "proposal",
    command: redactText(ctx.command),
    user: { cluster: user },
    cluster: ctx.cluster,
    target: newTarget,
    tier,
    action: { type: action.type, patchType, patch: action.rollback ?? {}, rollback: action.patch ?? {}, dryRun: { result: dryRun.result, message: dryRun.message } },
    links: { supersedes: id },
    evidence_sha256: evidenceSha256(evidence),
    ...(original.metrics?.post === undefined ? {} : { metrics: { pre: original.metrics.post } }),
    ...(windowSeconds === undefined ? {} : { window: { opened: utcSeconds(now), expires: utcSeconds(new Date(now.getTime() + windowSeconds * 1000)) } }),
    body: renderSections({
      Prompt: `\`\`\`\n${redactText(ctx.command)}\n\`\`\``,
      "Response snapshot": `**Roll back ${id}** (${original.title}), verified earlier: send its recorded inverse (${patchType} patch) to ${target.kind.toLowerCase()} ${target.namespace ?? ""}/${target.name}. Same tier as the original: ${tier}.\n\n\`\`\`json\n${JSON.stringify(action.rollback, null, 2)}\n\`\`\`\n\n- Dry run: ${dryRun.result} — ${dryRun.message}`,
      Evidence: evidence,
      "Rollback procedure": `\`\`\`sh\n${rollbackProcedure(plan, ctx.cluster.context === "" ? {} : { context: ctx.cluster.context }).join("\n")}\n\`\`\``,
    }),
  };
  const record = committed(ctx, await timed(ctx, "records", () => writeRecord(ctx.history, input, storeDepsOf(ctx))));
  const newId = record.frontMatter.id;
  const roles = rolesOf(ctx.policy);
  const role = ctx.policy.securityReviewers.includes(user) ? ROLE_SECURITY_REVIEWER : ctx.policy.approvers.includes(user) ? ROLE_APPROVER : undefined;
  if (role !== undefined && roles !== undefined) {
    const approval: Approval = { identity: user, role, decision: "approved", at: utcSeconds(ctx.now()), comment: `rollback of verified change ${id}, requested by ${user}` };
    if (checkApprovals(tier, user, [approval], roles).ok) {
      committed(ctx, await timed(ctx, "records", () => appendToRecord(ctx.history, newId, { status: "approved", approvals: [approval], events: [{ at: approval.at, type: APPLY_EVENTS.approved, detail: `approved by the requester ${user} (${role}): the ${tier} tier rule is met by one approver` }], bodyAppend: `## Decision\n\n- ${approval.at} ${user} (${role}) approved: ${approval.comment ?? ""}\n`, roles }, storeDepsOf(ctx))));
      return { record, approvedNow: true, next: `applying ${newId} now` };
    }
  }
  const rule = checkApprovals(tier, user, [], roles).reason;
  return { record, approvedNow: false, next: `recorded rollback proposal ${newId} (${tier} tier): ${rule}; an approver runs kubectl aiops approve ${newId}, then kubectl aiops apply ${newId}` };
}

function truncate(title: string): string {
  const line = title.replace(/[\r\n]+/g, " ");
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
