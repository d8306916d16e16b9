import { dryRunDelete, dryRunPatch, type DryRunResult } from "../../kube/workloads.ts";
import { tierPolicyOf, windowSecondsOf, type Policy } from "../../policy/policy-file.ts";
import { classifyAction, type Tier } from "../../policy/tiers.ts";
import { formatDuration } from "../../metrics/source.ts";
import { renderSections } from "../../records/record-file.ts";
import { evidenceSha256 } from "../../records/hash.ts";
import type { RecordTarget } from "../../records/schema.ts";
import { utcSeconds, writeRecord, type NewRecord, type WrittenRecord } from "../../records/store.ts";
import { rollbackProcedure } from "../../recommend/patch.ts";
import { NANOS_PER_UNIT, parseQuantity } from "../../recommend/quantity.ts";
import { redactText } from "../../util/redact.ts";
import type { ProposalDraft, ProposeContext, ProposeRequest } from "./types.ts";

export interface ProposalOutcome {
  record: WrittenRecord;
  draft: ProposalDraft;
  tier: Tier;
  /** Why this tier, in words (tierReason). */
  tierReason: string;
  dryRun: DryRunResult;
  cost: string | undefined;
}

/**
 * The steps every proposal shares: tier (classifyAction with the policy and low confidence,
 * raised at most once), the server-side dry run, the identity, the window, one record.
 */
export async function finishProposal(ctx: ProposeContext, draft: ProposalDraft, request: ProposeRequest): Promise<ProposalOutcome> {
  const tier = classifyAction({ ...draft.tierInput, lowConfidence: draft.lowConfidence }, tierPolicyOf(ctx.policy));
  const plan = draft.plan;
  const dryRun = plan.operation === "delete" ? await dryRunDelete(ctx.api, plan.target, draft.object?.metadata.uid) : await dryRunPatch(ctx.api, plan.target, plan.patchType ?? "strategic", plan.patch);
  if (dryRun.result === "failed") ctx.warn(`warning: ${dryRun.message}; the proposal is recorded, but it cannot be approved for apply until a dry run passes`);
  const user = await ctx.identify();
  const cost = costOf(draft.delta, ctx.policy.prices);
  const input = proposalRecord(draft, { tier, dryRun, user, now: ctx.now(), policy: ctx.policy, policyFile: ctx.policyFile, cost, command: ctx.command, cluster: ctx.cluster, request });
  const record = await writeRecord(ctx.history, input, { now: () => ctx.now(), warn: ctx.warn });
  return { record, draft, tier, tierReason: tierReason(draft, tier, ctx.policy), dryRun, cost };
}

export interface RecordFacts {
  tier: Tier;
  dryRun: DryRunResult;
  user: string;
  now: Date;
  policy: Policy;
  policyFile: string | undefined;
  cost: string | undefined;
  command: string;
  cluster: { context: string; server: string };
  request: Pick<ProposeRequest, "category" | "diagnosisRecord">;
}

/** The proposal record (pure): front matter fields and the body sections. */
export function proposalRecord(draft: ProposalDraft, f: RecordFacts): NewRecord {
  const plan = draft.plan;
  const windowSeconds = windowSecondsOf(f.policy, f.tier);
  const window = windowSeconds === undefined ? undefined : { opened: utcSeconds(f.now), expires: utcSeconds(new Date(f.now.getTime() + windowSeconds * 1000)) };
  const meta = draft.object?.metadata;
  const target: RecordTarget = { apiVersion: plan.target.apiVersion, kind: plan.target.kind, namespace: plan.target.namespace, name: plan.target.name };
  if (meta?.uid !== undefined) target.uid = meta.uid;
  if (meta?.resourceVersion !== undefined) target.resourceVersion = meta.resourceVersion;
  if (meta?.generation !== undefined) target.generation = meta.generation;
  const evidence = evidenceOf(draft, f);
  const body = renderSections({
    Prompt: `\`\`\`\n${redactText(f.command)}\n\`\`\``,
    "Response snapshot": snapshotOf(draft, f, windowSeconds),
    Evidence: evidence,
    "Rollback procedure": `\`\`\`sh\n${rollbackProcedure(plan, { ...draft.procedure, ...(f.cluster.context === "" ? {} : { context: f.cluster.context }) }).join("\n")}\n\`\`\`\n\nInverse (\`action.rollback\`):\n\n\`\`\`json\n${JSON.stringify(plan.rollback, null, 2)}\n\`\`\``,
  });
  const input: NewRecord = {
    title: draft.title,
    stage: "proposal",
    command: redactText(f.command),
    user: { cluster: f.user },
    cluster: f.cluster,
    target,
    tier: f.tier,
    action: { type: draft.action, ...(plan.patchType === undefined ? {} : { patchType: plan.patchType }), patch: plan.patch, rollback: plan.rollback, dryRun: { result: f.dryRun.result, message: f.dryRun.message } },
    evidence_sha256: evidenceSha256(evidence),
    metrics: { pre: draft.metricsPre },
    body,
  };
  if (f.request.category !== undefined) input.labels = { category: f.request.category };
  if (window !== undefined) input.window = window;
  if (f.request.diagnosisRecord !== undefined) input.links = { diagnosis: f.request.diagnosisRecord };
  return input;
}

/** Why this tier, in words: the base rule, a protected namespace, the one-step raise. */
export function tierReason(draft: ProposalDraft, tier: Tier, policy: Policy): string {
  const base = classifyAction({ ...draft.tierInput, lowConfidence: false }, tierPolicyOf(policy));
  const ns = draft.tierInput.namespace;
  const why = ns !== undefined && policy.protectedNamespaces.includes(ns) ? `namespace ${ns} is protected` : `${draft.action} rule in docs/policy.md`;
  return base === tier ? `${tier} (${why})` : `${tier} (${base} by the ${why}, raised one tier: the figures are low-confidence)`;
}

function snapshotOf(draft: ProposalDraft, f: RecordFacts, windowSeconds: number | undefined): string {
  const plan = draft.plan;
  const lines = [
    `**${draft.title}**`,
    "",
    draft.snapshot,
    "",
    ...(draft.notes.length === 0 ? [] : ["Notes:", "", ...draft.notes.map((n) => `- ${n}`), ""]),
    `- Tier: ${tierReason(draft, f.tier, f.policy)}; ${windowSeconds === undefined ? "no approval window (trivial: logged)" : `decide within ${formatDuration(windowSeconds)}`}`,
    `- Dry run: ${f.dryRun.result} — ${f.dryRun.message}`,
  ];
  if (draft.delta !== undefined) lines.push(`- Requested across ${draft.delta.replicas} replica(s)${draft.delta.text === undefined ? "" : ` ${draft.delta.text}`}: cpu ${signed(draft.delta.cpu)}, memory ${signed(draft.delta.memory)}${f.cost === undefined ? "" : ` (${f.cost})`}`);
  lines.push("", `${plan.operation === "create" ? "Object to create (server-side apply)" : plan.operation === "delete" ? "Deletion" : `Patch (${plan.patchType})`} of ${plan.target.kind.toLowerCase()} ${plan.target.namespace}/${plan.target.name}:`, "", "```json", JSON.stringify(plan.patch, null, 2), "```");
  return lines.join("\n");
}

function evidenceOf(draft: ProposalDraft, f: RecordFacts): string {
  const meta = draft.object?.metadata;
  const t = draft.plan.target;
  const state = meta === undefined ? `${t.kind.toLowerCase()} ${t.namespace}/${t.name} does not exist yet.` : `${t.kind.toLowerCase()} ${t.namespace}/${t.name} as read: uid ${meta.uid ?? "-"}, resourceVersion ${meta.resourceVersion ?? "-"}, generation ${meta.generation ?? "-"}.`;
  const policy = f.policyFile === undefined ? "Policy: defaults (no .aiops.yaml at the repository root)." : `Policy: ${f.policyFile}.`;
  return [state, policy, "", draft.evidence].join("\n");
}

function signed(q: string): string {
  return q.startsWith("-") || q === "0" ? q : `+${q}`;
}

const HOURS_PER_MONTH = 730;

/** Monthly cost of the requested delta at the policy's prices, e.g. "-12.34 USD/month". */
export function costOf(delta: ProposalDraft["delta"], prices: Policy["prices"]): string | undefined {
  if (delta === undefined || prices === undefined) return undefined;
  const cores = Number(parseQuantity(delta.cpu, { allowNegative: true, precision: "round-up" })) / Number(NANOS_PER_UNIT);
  const gib = Number(parseQuantity(delta.memory, { allowNegative: true, precision: "round-up" })) / Number(NANOS_PER_UNIT) / 2 ** 30;
  const monthly = (cores * prices.cpuPerCoreHour + gib * prices.memoryPerGiBHour) * HOURS_PER_MONTH;
  const rounded = Math.round(monthly * 100) / 100;
  return `${rounded > 0 ? "+" : ""}${rounded.toFixed(2)} ${prices.currency}/month`;
}
