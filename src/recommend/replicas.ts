/**
 * Replica counts and HPA bounds with the 30 % headroom (docs/proposals.md), the way the HPA
 * controller computes them: desired = ceil(current x utilisation / target), no change when
 * |ratio - 1| <= 0.1, the largest desired count over the resources wins. The target utilisation
 * is 1/1.30 of the request, so ratio = usage x 1.30 / request, computed exactly in bigint.
 *
 * Per-pod usage is the sum over containers of each container's figure; sources report each
 * container's figure as the maximum across pods, so the hottest pod sets the count (safe side).
 *
 * HPA rule: minReplicas = max(1, desired at p50 usage) (the quiet-time count, p95 when a source
 * has no p50); maxReplicas = max(minReplicas, desired at p95, ceil(desired at peak x 1.30));
 * averageUtilization = 76 (floor(100 / 1.30): an integer percent that keeps >= 30 % headroom).
 */
import { PolicyError } from "../errors.ts";
import type { Container, HorizontalPodAutoscaler } from "../model/k8s.ts";
import { MARGIN, describeMemory, hpaResourceTargets, type ContainerUsageInput } from "./margin.ts";
import { ceilDiv, formatCpu, parseQuantity, type Nanos } from "./quantity.ts";

export const HPA_TARGET_UTILIZATION = 76;

type Resource = "cpu" | "memory";

export interface ReplicaInput {
  /** Replicas running while the usage was measured. */
  current: number;
  containers: Container[];
  usage: ContainerUsageInput[];
  hpa?: HorizontalPodAutoscaler;
}

export interface ResourceReplicas {
  resource: Resource;
  /** Per pod: summed container requests and usage, as quantities. */
  request: string;
  p95: string;
  /** p95 usage / request, percent with one decimal (display only). */
  utilisation: string;
  /** utilisation / target, two decimals (display only; decisions use exact values). */
  ratio: string;
  withinTolerance: boolean;
  desired: number;
}

export interface ReplicaProposal {
  current: number;
  desired: number;
  change: boolean;
  byResource: ResourceReplicas[];
  /** Set when an HPA owns the replica count: a direct scale would be undone by it. */
  hpaFlag?: string;
  steps: string[];
}

export interface HpaProposal {
  minReplicas: number;
  maxReplicas: number;
  metrics: { resource: Resource; averageUtilization: number }[];
  current?: { minReplicas: number; maxReplicas: number };
  steps: string[];
}

interface PodFigures {
  resource: Resource;
  request: Nanos;
  p50: Nanos | undefined;
  p95: Nanos;
  max: Nanos;
}

/** The replica count the p95 usage asks for. */
export function proposeReplicas(input: ReplicaInput): ReplicaProposal {
  const steps: string[] = [];
  const byResource: ResourceReplicas[] = [];
  for (const resource of ["cpu", "memory"] as const) {
    const figures = podFigures(resource, input, steps);
    if (figures === undefined) continue;
    const { request, p95 } = figures;
    // |ratio - 1| <= 0.1 with ratio = 13 p95 / 10 request, multiplied out to stay in integers.
    const distance = 13n * p95 - 10n * request;
    const withinTolerance = (distance < 0n ? -distance : distance) <= request;
    const desired = withinTolerance ? input.current : desiredAt(input.current, p95, request);
    const entry: ResourceReplicas = {
      resource,
      request: show(resource, request),
      p95: show(resource, p95),
      utilisation: percent(p95, request),
      ratio: (Number((13n * p95 * 1000n) / (10n * request)) / 1000).toFixed(2),
      withinTolerance,
      desired,
    };
    byResource.push(entry);
    const head = `${resource}: p95 ${entry.p95} per pod of request ${entry.request} = ${entry.utilisation}% utilisation; target ${percent(10n, 13n)}% (1/${MARGIN}); ratio ${entry.ratio}`;
    steps.push(withinTolerance ? `${head}, within the 0.1 tolerance: keep ${input.current}` : `${head}: desired = ceil(${input.current} × ${entry.ratio}) = ${desired}`);
  }
  if (byResource.length === 0) throw noFigures("replicas", steps);
  const desired = Math.max(...byResource.map((r) => r.desired));
  steps.push(`replicas = max over resources = ${desired}${desired === input.current ? " (no change)" : ` (from ${input.current})`}`);
  const proposal: ReplicaProposal = { current: input.current, desired, change: desired !== input.current, byResource, steps };
  if (input.hpa !== undefined) {
    proposal.hpaFlag = `HPA ${input.hpa.metadata.name} manages the replicas (${input.hpa.spec.minReplicas ?? 1}..${input.hpa.spec.maxReplicas}): a direct scale would be undone; propose an HPA change instead`;
  }
  return proposal;
}

/** minReplicas/maxReplicas/target for an HPA, from the same usage numbers. */
export function proposeHpa(input: ReplicaInput): HpaProposal {
  const steps: string[] = [];
  const existing = input.hpa === undefined ? [] : hpaResourceTargets(input.hpa).map((t) => t.resource).filter((r): r is Resource => r === "cpu" || r === "memory");
  // CPU first: memory rarely falls when pods are added, so it scales poorly on its own.
  const candidates: Resource[] = existing.length > 0 ? existing : ["cpu", "memory"];
  const used: PodFigures[] = [];
  for (const resource of candidates) {
    const figures = podFigures(resource, input, steps);
    if (figures === undefined) continue;
    used.push(figures);
    if (existing.length === 0) break;
  }
  if (used.length === 0) throw noFigures("an HPA", steps);
  let min = 1;
  let max = 1;
  for (const f of used) {
    const quiet = f.p50 ?? f.p95;
    const atQuiet = desiredAt(input.current, quiet, f.request);
    const atP95 = desiredAt(input.current, f.p95, f.request);
    const atPeak = desiredAt(input.current, f.max, f.request);
    const peakWithHeadroom = Number(ceilDiv(BigInt(atPeak) * 13n, 10n));
    steps.push(`${f.resource}: desired at ${f.p50 === undefined ? "p95 (no p50 from the source)" : "p50"} ${show(f.resource, quiet)} = ${atQuiet}; at p95 ${show(f.resource, f.p95)} = ${atP95}; at peak ${show(f.resource, f.max)} = ${atPeak}, × ${MARGIN} = ${peakWithHeadroom}`);
    min = Math.max(min, atQuiet);
    max = Math.max(max, atP95, peakWithHeadroom);
  }
  max = Math.max(max, min);
  steps.push(`minReplicas = max(1, desired at p50) = ${min}; maxReplicas = max(minReplicas, desired at p95, ceil(desired at peak × ${MARGIN})) = ${max}; target ${HPA_TARGET_UTILIZATION}% (floor(100 / ${MARGIN}))`);
  const proposal: HpaProposal = { minReplicas: min, maxReplicas: max, metrics: used.map((f) => ({ resource: f.resource, averageUtilization: HPA_TARGET_UTILIZATION })), steps };
  if (input.hpa !== undefined) proposal.current = { minReplicas: input.hpa.spec.minReplicas ?? 1, maxReplicas: input.hpa.spec.maxReplicas };
  return proposal;
}

/** ceil(current x usage x 1.30 / request), at least 1: a proposal never scales to 0. */
function desiredAt(current: number, usage: Nanos, request: Nanos): number {
  return Math.max(1, Number(ceilDiv(BigInt(current) * 13n * usage, 10n * request)));
}

/** Per-pod request and usage of one resource, or undefined (with the reason in steps). */
function podFigures(resource: Resource, input: ReplicaInput, steps: string[]): PodFigures | undefined {
  if (input.containers.length === 0) {
    steps.push(`${resource}: the workload has no containers`);
    return undefined;
  }
  const figures: PodFigures = { resource, request: 0n, p50: 0n, p95: 0n, max: 0n };
  for (const container of input.containers) {
    const request = container.resources?.requests?.[resource] ?? container.resources?.limits?.[resource];
    const usage = input.usage.find((u) => u.container === container.name)?.[resource];
    if (request === undefined || parseQuantity(request, { precision: "round-up" }) === 0n) {
      steps.push(`${resource}: container ${container.name} has no ${resource} request, so utilisation is undefined (as for the HPA controller)`);
      return undefined;
    }
    if (usage === undefined) {
      steps.push(`${resource}: no usage data for container ${container.name}`);
      return undefined;
    }
    figures.request += parseQuantity(request, { precision: "round-up" });
    figures.p95 += parseQuantity(usage.p95, { precision: "round-up" });
    figures.max += parseQuantity(usage.max, { precision: "round-up" });
    figures.p50 = usage.p50 === undefined || figures.p50 === undefined ? undefined : figures.p50 + parseQuantity(usage.p50, { precision: "round-up" });
  }
  return figures;
}

function noFigures(what: string, steps: string[]): PolicyError {
  return new PolicyError(`cannot propose ${what}: no resource has both a request in every container and usage data (${steps.join("; ")})`, {
    hint: "set cpu requests on every container (utilisation is usage / request), and check that the metrics source has data for the workload",
  });
}

function show(resource: Resource, nanos: Nanos): string {
  return resource === "cpu" ? formatCpu(nanos) : describeMemory(nanos);
}

function percent(part: Nanos, whole: Nanos): string {
  return (Number((part * 1000n) / whole) / 10).toFixed(1);
}
