/**
 * The 30 % margin for requests and limits (docs/proposals.md). Pure: usage figures in,
 * proposed resources out, with every input and every step of the arithmetic kept so a record
 * shows how a number was reached. All arithmetic is exact (bigint nano-units, see quantity.ts).
 *
 * Rounding decisions:
 * - CPU request: ceil(p95 x 1.30) in whole millicores, at least 10m. No CPU limit is added; an
 *   existing one is kept at its ratio to the current request (ceil to 1m).
 * - Memory request: ceil(p95 x 1.30), rounded UP to a whole Mi (the value stays >= p95 x 1.30
 *   and reads like the rest of a manifest), at least 64Mi. Rounding the request to 8Mi as well
 *   would turn the seed example's 156Mi into 160Mi, so only the limit gets the 8Mi step.
 * - Memory limit: max(request x 1.25, peak x 1.15 and, after an OOM kill, current limit x 1.2
 *   and peak + 100Mi), rounded up to a multiple of 8Mi. It is computed from the rounded request.
 */
import type { Container, HorizontalPodAutoscaler, ResourceRequirements } from "../model/k8s.ts";
import { MI, NANOS_PER_MILLI, ceilDiv, formatCpu, formatMemory, maxOf, multiplyUp, parseQuantity, roundUpTo, type Nanos } from "./quantity.ts";

export const MARGIN = "1.30";
export const CPU_REQUEST_FLOOR = "10m";
export const MEMORY_REQUEST_FLOOR = "64Mi";
export const MEMORY_REQUEST_STEP = "1Mi";
export const MEMORY_LIMIT_OVER_REQUEST = "1.25";
export const MEMORY_LIMIT_OVER_PEAK = "1.15";
export const MEMORY_LIMIT_AFTER_OOM = "1.2";
export const MEMORY_PEAK_PLUS_AFTER_OOM = "100Mi";
export const MEMORY_LIMIT_STEP = "8Mi";

/** Usage of one resource over the window, as exact quantity strings (cores or bytes). */
export interface UsageFigures {
  p95: string;
  max: string;
  /** Median, used for HPA minReplicas; absent from sources that do not compute it. */
  p50?: string;
}

/** What the margin needs about one container; a MetricsSource's ContainerUsage fits. */
export interface ContainerUsageInput {
  container: string;
  cpu?: UsageFigures;
  memory?: UsageFigures;
  /** OOM kills seen in the window; undefined when unknown. */
  oomKills?: number;
}

export interface ContainerResourceProposal {
  container: string;
  inputs: { cpu?: UsageFigures; memory?: UsageFigures; oomKills?: number; current: ResourceRequirements };
  /** The container's resources after the change; resources other than cpu and memory are kept. */
  proposed: ResourceRequirements;
  steps: string[];
}

/** An HPA that scales the workload on a resource whose request this proposal changes. */
export interface HpaFlag {
  hpa: string;
  resource: string;
  target: string;
  message: string;
}

export interface ResourcesProposal {
  containers: ContainerResourceProposal[];
  /** Containers of the workload without usage data: left unchanged. */
  skipped: { container: string; reason: string }[];
  hpaFlags: HpaFlag[];
  /** Change in requested cpu and memory for the whole workload (per pod x replicas). */
  delta: { replicas: number; cpu: string; memory: string };
}

/** CPU request and, when one exists, limit for one container. */
export function proposeCpu(usage: UsageFigures, current: ResourceRequirements = {}): { request: string; limit?: string; steps: string[] } {
  const steps: string[] = [];
  const p95 = parseQuantity(usage.p95, { precision: "round-up" });
  const raw = multiplyUp(p95, MARGIN);
  let request = ceilDiv(raw, NANOS_PER_MILLI) * NANOS_PER_MILLI;
  steps.push(`cpu p95 ${formatCpu(p95)} × ${MARGIN} = ${formatCpu(raw)}${request === raw ? "" : `, rounded up to ${formatCpu(request)}`}`);
  const floor = parseQuantity(CPU_REQUEST_FLOOR);
  if (request < floor) {
    steps.push(`cpu request ${formatCpu(request)} is below the floor of ${CPU_REQUEST_FLOOR}: ${CPU_REQUEST_FLOOR}`);
    request = floor;
  }
  const currentLimit = current.limits?.["cpu"];
  if (currentLimit === undefined) {
    steps.push("no cpu limit set; none added");
    return { request: formatCpu(request), steps };
  }
  // The API server defaults a missing request to the limit, so the ratio is then 1.
  const limitNanos = parseQuantity(currentLimit, { precision: "round-up" });
  const requestNanos = parseQuantity(current.requests?.["cpu"] ?? currentLimit, { precision: "round-up" });
  if (requestNanos === 0n) {
    steps.push(`cpu limit ${formatCpu(limitNanos)} kept: the current request is 0, so there is no ratio to keep`);
    return { request: formatCpu(request), limit: formatCpu(limitNanos), steps };
  }
  const limit = ceilDiv(request * limitNanos, requestNanos * NANOS_PER_MILLI) * NANOS_PER_MILLI;
  const exact = request * limitNanos === limit * requestNanos;
  steps.push(`cpu limit kept at ${describeRatio(limitNanos, requestNanos)}× the request (${formatCpu(limitNanos)} / ${formatCpu(requestNanos)}): ${formatCpu(request)} × ${formatCpu(limitNanos)} / ${formatCpu(requestNanos)} = ${formatCpu(limit)}${exact ? "" : " (rounded up to 1m)"}`);
  return { request: formatCpu(request), limit: formatCpu(limit), steps };
}

/** Memory request and limit for one container. */
export function proposeMemory(usage: UsageFigures, oomKills: number | undefined, current: ResourceRequirements = {}): { request: string; limit: string; steps: string[] } {
  const steps: string[] = [];
  const p95 = parseQuantity(usage.p95, { precision: "round-up" });
  const peak = parseQuantity(usage.max, { precision: "round-up" });
  const raw = multiplyUp(p95, MARGIN);
  let request = roundUpTo(raw, parseQuantity(MEMORY_REQUEST_STEP));
  steps.push(`memory p95 ${describeMemory(p95)} × ${MARGIN} = ${describeMemory(raw)}${request === raw ? "" : `, rounded up to a multiple of ${MEMORY_REQUEST_STEP}: ${describeMemory(request)}`}`);
  const floor = parseQuantity(MEMORY_REQUEST_FLOOR);
  if (request < floor) {
    steps.push(`memory request ${describeMemory(request)} is below the floor of ${MEMORY_REQUEST_FLOOR}: ${MEMORY_REQUEST_FLOOR}`);
    request = floor;
  }
  const candidates: { value: Nanos; text: string }[] = [];
  const overRequest = multiplyUp(request, MEMORY_LIMIT_OVER_REQUEST);
  candidates.push({ value: overRequest, text: `request ${describeMemory(request)} × ${MEMORY_LIMIT_OVER_REQUEST} = ${describeMemory(overRequest)}` });
  const overPeak = multiplyUp(peak, MEMORY_LIMIT_OVER_PEAK);
  candidates.push({ value: overPeak, text: `peak ${describeMemory(peak)} × ${MEMORY_LIMIT_OVER_PEAK} = ${describeMemory(overPeak)}` });
  if ((oomKills ?? 0) > 0) {
    const currentLimit = current.limits?.["memory"];
    if (currentLimit !== undefined) {
      const limitNanos = parseQuantity(currentLimit, { precision: "round-up" });
      const raised = multiplyUp(limitNanos, MEMORY_LIMIT_AFTER_OOM);
      candidates.push({ value: raised, text: `after ${oomKills} OOM kill(s): current limit ${describeMemory(limitNanos)} × ${MEMORY_LIMIT_AFTER_OOM} = ${describeMemory(raised)}` });
    }
    const plus = peak + parseQuantity(MEMORY_PEAK_PLUS_AFTER_OOM);
    candidates.push({ value: plus, text: `after ${oomKills} OOM kill(s): peak ${describeMemory(peak)} + ${MEMORY_PEAK_PLUS_AFTER_OOM} = ${describeMemory(plus)}` });
  }
  steps.push(...candidates.map((c) => `memory limit candidate: ${c.text}`));
  const largest = maxOf(0n, ...candidates.map((c) => c.value));
  const limit = roundUpTo(largest, parseQuantity(MEMORY_LIMIT_STEP));
  steps.push(`memory limit = max(${candidates.map((c) => describeMemory(c.value)).join(", ")}) = ${describeMemory(largest)}${limit === largest ? "" : `, rounded up to a multiple of ${MEMORY_LIMIT_STEP}: ${describeMemory(limit)}`}`);
  return { request: formatMemory(request), limit: formatMemory(limit), steps };
}

/** Requests and limits for one container from its usage. */
export function proposeContainerResources(container: Container, usage: ContainerUsageInput): ContainerResourceProposal {
  const current = container.resources ?? {};
  const requests = { ...current.requests };
  const limits = { ...current.limits };
  const steps: string[] = [];
  if (usage.cpu !== undefined) {
    const cpu = proposeCpu(usage.cpu, current);
    requests["cpu"] = cpu.request;
    if (cpu.limit !== undefined) limits["cpu"] = cpu.limit;
    steps.push(...cpu.steps);
  }
  if (usage.memory !== undefined) {
    const memory = proposeMemory(usage.memory, usage.oomKills, current);
    requests["memory"] = memory.request;
    limits["memory"] = memory.limit;
    steps.push(...memory.steps);
  }
  const proposed: ResourceRequirements = { requests };
  if (Object.keys(limits).length > 0) proposed.limits = limits;
  const inputs: ContainerResourceProposal["inputs"] = { current };
  if (usage.cpu !== undefined) inputs.cpu = usage.cpu;
  if (usage.memory !== undefined) inputs.memory = usage.memory;
  if (usage.oomKills !== undefined) inputs.oomKills = usage.oomKills;
  return { container: container.name, inputs, proposed, steps };
}

/** Requests and limits for every container of a workload that has usage data. */
export function proposeResources(input: { containers: Container[]; usage: ContainerUsageInput[]; replicas: number; hpa?: HorizontalPodAutoscaler }): ResourcesProposal {
  const proposals: ContainerResourceProposal[] = [];
  const skipped: ResourcesProposal["skipped"] = [];
  for (const container of input.containers) {
    const usage = input.usage.find((u) => u.container === container.name);
    if (usage === undefined || (usage.cpu === undefined && usage.memory === undefined)) {
      skipped.push({ container: container.name, reason: "no usage data for this container" });
      continue;
    }
    proposals.push(proposeContainerResources(container, usage));
  }
  const changed = new Set(proposals.flatMap((p) => (["cpu", "memory"] as const).filter((r) => p.inputs[r] !== undefined)));
  return {
    containers: proposals,
    skipped,
    hpaFlags: input.hpa === undefined ? [] : flagHpa(input.hpa, changed),
    delta: {
      replicas: input.replicas,
      cpu: formatCpu(requestDelta(proposals, "cpu") * BigInt(input.replicas)),
      memory: formatMemory(requestDelta(proposals, "memory") * BigInt(input.replicas)),
    },
  };
}

/** Resource metrics (cpu, memory) an HPA scales on, with their targets. */
export function hpaResourceTargets(hpa: HorizontalPodAutoscaler): { resource: string; target: string }[] {
  return (hpa.spec.metrics ?? []).flatMap((metric) => {
    const resource = metric.type === "Resource" ? metric.resource : undefined;
    if (resource === undefined) return [];
    const target = resource.target.averageUtilization !== undefined ? `${resource.target.averageUtilization}% of the request` : (resource.target.averageValue ?? resource.target.type);
    return [{ resource: resource.name, target }];
  });
}

function flagHpa(hpa: HorizontalPodAutoscaler, changed: Set<string>): HpaFlag[] {
  return hpaResourceTargets(hpa)
    .filter((t) => changed.has(t.resource))
    .map((t) => ({
      hpa: hpa.metadata.name,
      resource: t.resource,
      target: t.target,
      message: t.target.endsWith("of the request")
        ? `HPA ${hpa.metadata.name} scales on ${t.resource} utilisation (target ${t.target}): changing the ${t.resource} request changes the utilisation it measures, and so the replica count`
        : `HPA ${hpa.metadata.name} scales on ${t.resource} (target ${t.target}); check that target against the new request`,
    }));
}

function requestDelta(proposals: ContainerResourceProposal[], resource: "cpu" | "memory"): Nanos {
  let delta = 0n;
  for (const p of proposals) {
    const after = p.proposed.requests?.[resource];
    if (after === undefined) continue;
    const before = p.inputs.current.requests?.[resource] ?? p.inputs.current.limits?.[resource];
    delta += parseQuantity(after) - (before === undefined ? 0n : parseQuantity(before, { precision: "round-up" }));
  }
  return delta;
}

/** a / b for the steps: exact up to 3 decimals, else prefixed with ≈. */
function describeRatio(a: bigint, b: bigint): string {
  const thousandths = (a * 1000n) / b;
  const text = `${thousandths / 1000n}.${(thousandths % 1000n).toString().padStart(3, "0")}`.replace(/\.?0+$/, "");
  return `${(a * 1000n) % b === 0n ? "" : "≈"}${text}`;
}

/** Memory for the steps: whole or 2-decimal Mi when that is exact enough to read, else bytes. */
export function describeMemory(nanos: Nanos): string {
  if (nanos < MI) return formatMemory(nanos);
  const hundredths = (nanos * 100n) / MI;
  const exact = (nanos * 100n) % MI === 0n;
  const whole = hundredths / 100n;
  const fraction = (hundredths % 100n).toString().padStart(2, "0").replace(/0+$/, "");
  return `${exact ? "" : "≈"}${whole}${fraction === "" ? "" : `.${fraction}`}Mi`;
}
