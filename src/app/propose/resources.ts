import { ForbiddenError, InputError, NotFoundError, PolicyError } from "../../errors.ts";
import { findHpa, listWorkloadPods } from "../../kube/workloads.ts";
import { NoUsageDataError } from "../../metrics/source.ts";
import type { Container, HorizontalPodAutoscaler } from "../../model/k8s.ts";
import { proposeResources, type ContainerUsageInput, type ResourcesProposal } from "../../recommend/margin.ts";
import { resourcesPatch, type ContainerChange } from "../../recommend/patch.ts";
import { QuantityError } from "../../recommend/quantity.ts";
import { displayName, patchTargetOf, readWorkload, type Workload } from "./target.ts";
import type { ProposalDraft, ProposeContext, ProposeRequest } from "./types.ts";
import { classicInit, readable, startUsage, longRunning, metricsPre, oomKillsInPods, usageEvidence, usageInputs } from "./usage.ts";

/** A proposal needs no change: said to the user, nothing recorded. */
export interface NoChange {
  noChange: string;
}

/**
 * Requests and limits from usage with the 30 % margin. Decisions:
 * - app containers and sidecars (init containers with restartPolicy Always) are proposed from
 *   their usage; classic init containers run to completion before the app starts, so a 7-day
 *   usage window says nothing about them: they keep their values and are named in a note (unless
 *   picked with --container);
 * - a container with no requests at all is proposed from usage anyway (that is where a proposal
 *   helps most); the delta then counts from 0 and a note says so;
 * - a container without usage data keeps its values and is named in a note.
 */
export async function buildResources(ctx: ProposeContext, request: ProposeRequest): Promise<ProposalDraft | NoChange> {
  const usage = startUsage(ctx, { kind: request.kind, namespace: ctx.namespace, name: request.name });
  const w = await readWorkload(ctx.api, request.kind, ctx.namespace, request.name);
  const notes: string[] = [];
  const [hpa, pods] = await Promise.all([optional(ctx, findHpa(ctx.api, w), "HorizontalPodAutoscalers"), optional(ctx, listWorkloadPods(ctx.api, w.object), "pods")]);
  const candidates = pickContainers(w, request.container, notes);
  const gathered = await usage();
  const oom = { ...oomKillsInPods(pods ?? []) };
  for (const [name, count] of Object.entries(request.oomKills ?? {})) oom[name] = Math.max(oom[name] ?? 0, count);
  const inputs = usageInputs(gathered.usage, oom).map((u) => (request.only === undefined ? u : only(u, request.only)));
  const proposal = computeProposal(candidates.map((c) => c.container), inputs, w.replicas, hpa);
  if (proposal.containers.length === 0) {
    throw new NoUsageDataError(`${gathered.selected.source.describe()} has usage for none of the containers of ${w.kind.toLowerCase()} ${displayName(w)} (${candidates.map((c) => c.container.name).join(", ")})`, {
      hint: "check that the metrics source scrapes these containers (container label) and that the pods run",
    });
  }
  for (const s of proposal.skipped) notes.push(`container ${s.container} keeps its values: ${s.reason}`);
  for (const c of proposal.containers) {
    if (c.inputs.current.requests === undefined && c.inputs.current.limits === undefined) notes.push(`container ${c.container} had no requests or limits: they are set for the first time (the delta counts from 0)`);
    if ((c.inputs.oomKills ?? 0) > 0) notes.push(`container ${c.container} was OOM-killed (${c.inputs.oomKills} seen): the memory limit includes the OOM bump`);
  }
  for (const f of proposal.hpaFlags) notes.push(f.message);
  const changes: ContainerChange[] = proposal.containers.map((c) => ({ container: c.container, init: candidates.find((x) => x.container.name === c.container)?.init ?? false, proposed: c.proposed }));
  const plan = resourcesPatch(patchTargetOf(w), w.template, changes);
  if (plan === undefined) return { noChange: `${w.kind.toLowerCase()} ${displayName(w)} is already sized for its usage: the proposal equals the current requests and limits` };
  const lowConfidence = gathered.usage.confidence === "low";
  return {
    action: "resources",
    title: titleOf(w, proposal),
    object: w.object,
    plan,
    tierInput: { type: "resources", namespace: w.namespace, targetKind: w.kind },
    lowConfidence,
    snapshot: snapshotOf(proposal),
    evidence: usageEvidence(gathered),
    metricsPre: metricsPre(gathered, candidates.map((c) => c.container), w.replicas),
    notes,
    procedure: {},
    delta: { ...proposal.delta },
    rows: rowsOf(proposal),
  };
}

function only(u: ContainerUsageInput, resources: readonly ("cpu" | "memory")[]): ContainerUsageInput {
  const kept: ContainerUsageInput = { container: u.container };
  if (resources.includes("cpu") && u.cpu !== undefined) kept.cpu = u.cpu;
  if (resources.includes("memory") && u.memory !== undefined) kept.memory = u.memory;
  if (u.oomKills !== undefined) kept.oomKills = u.oomKills;
  return kept;
}

/** A 403 on evidence that only refines the proposal (HPA flag, OOM kills) is a warning, not a failure. */
async function optional<T>(ctx: ProposeContext, promise: Promise<T>, what: string): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (!(error instanceof ForbiddenError)) throw error;
    ctx.warn(`warning: ${error.message}; ${what} not read`);
    return undefined;
  }
}

function pickContainers(w: Workload, wanted: string | undefined, notes: string[]): { container: Container; init: boolean }[] {
  const running = longRunning(w.template);
  const init = classicInit(w.template);
  if (wanted !== undefined) {
    const found = running.find((c) => c.container.name === wanted) ?? init.filter((c) => c.name === wanted).map((container) => ({ container, init: true }))[0];
    if (found === undefined) {
      const names = [...running.map((c) => c.container.name), ...init.map((c) => `${c.name} (init)`)];
      throw new NotFoundError(`${w.kind.toLowerCase()} ${displayName(w)} has no container "${wanted}"`, { hint: `its containers: ${names.join(", ")}` });
    }
    return [found];
  }
  for (const c of init) notes.push(`init container ${c.name} keeps its values: it runs to completion before the app starts, so usage over the window does not describe it (pick it with --container ${c.name} to size it anyway)`);
  if (running.length === 0) throw new PolicyError(`${w.kind.toLowerCase()} ${displayName(w)} has no containers in its pod template`);
  return running;
}

function computeProposal(containers: Container[], usage: ReturnType<typeof usageInputs>, replicas: number, hpa: HorizontalPodAutoscaler | undefined): ResourcesProposal {
  try {
    return proposeResources({ containers, usage, replicas, ...(hpa === undefined ? {} : { hpa }) });
  } catch (error) {
    if (error instanceof QuantityError) {
      throw new InputError(`the workload's resources hold a quantity this tool cannot use: ${error.message}`, { hint: `${error.hint ?? ""}; fix the manifest (kubectl edit) and propose again`, cause: error });
    }
    throw error;
  }
}

function titleOf(w: Workload, p: ResourcesProposal): string {
  const parts = p.containers.map((c) => {
    const req = c.proposed.requests ?? {};
    const lim = c.proposed.limits ?? {};
    const memory = c.inputs.memory === undefined ? undefined : `memory ${req["memory"] ?? "-"}/${lim["memory"] ?? "-"}`;
    const cpu = c.inputs.cpu === undefined ? undefined : `cpu ${req["cpu"] ?? "-"}`;
    const text = [memory, cpu].filter((x) => x !== undefined).join(", ");
    return p.containers.length === 1 ? text : `${c.container} ${text}`;
  });
  const title = `Resources of ${displayName(w)}: ${parts.join("; ")}`;
  return title.length > 200 ? `${title.slice(0, 197)}...` : title;
}

export function rowsOf(p: ResourcesProposal): string[][] {
  const rows: string[][] = [];
  for (const c of p.containers) {
    for (const resource of ["cpu", "memory"] as const) {
      const usage = c.inputs[resource];
      if (usage === undefined) continue;
      for (const side of ["requests", "limits"] as const) {
        const before = c.inputs.current[side]?.[resource];
        const after = c.proposed[side]?.[resource];
        if (before === undefined && after === undefined) continue;
        rows.push([c.container, `${resource} ${side === "requests" ? "request" : "limit"}`, before ?? "-", readable(resource, usage.p95), readable(resource, usage.max), after ?? "-"]);
      }
    }
  }
  return rows;
}

function snapshotOf(p: ResourcesProposal): string {
  const table = ["| container | resource | current | p95 | peak | proposed |", "| --- | --- | --- | --- | --- | --- |", ...rowsOf(p).map((r) => `| ${r.join(" | ")} |`)];
  const steps = p.containers.map((c) => `Arithmetic for ${c.container}:\n\n${c.steps.map((s) => `- ${s}`).join("\n")}`);
  return [table.join("\n"), ...steps].join("\n\n");
}

