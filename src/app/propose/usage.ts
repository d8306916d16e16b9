import { formatDuration, type WorkloadKind, type WorkloadUsage } from "../../metrics/source.ts";
import type { SelectedSource } from "../../metrics/select.ts";
import type { Container, Pod } from "../../model/k8s.ts";
import { describeMemory, type ContainerUsageInput } from "../../recommend/margin.ts";
import { NANOS_PER_MILLI, formatCpu, parseQuantity } from "../../recommend/quantity.ts";
import type { ProposeContext } from "./types.ts";
import type { Workload } from "./target.ts";

export interface GatheredUsage {
  selected: SelectedSource;
  usage: WorkloadUsage;
}

/** Usage of the workload's containers from the selected source (errors are the source's typed ones). */
export async function gatherUsage(ctx: ProposeContext, w: Pick<Workload, "kind" | "namespace" | "name">): Promise<GatheredUsage> {
  const selected = await ctx.metrics();
  const usage = await selected.source.usage({
    workload: { kind: w.kind as WorkloadKind, namespace: w.namespace, name: w.name },
    windowSeconds: ctx.windowSeconds,
    allowShortHistory: ctx.allowShortHistory,
  });
  return { selected, usage };
}

/**
 * OOM kills per container visible in the pods now (state or lastState terminated OOMKilled):
 * a lower bound that does not depend on kube-state-metrics being scraped.
 */
export function oomKillsInPods(pods: readonly Pod[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const pod of pods) {
    for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
      if (s.state?.terminated?.reason === "OOMKilled" || s.lastState?.terminated?.reason === "OOMKilled") counts[s.name] = (counts[s.name] ?? 0) + 1;
    }
  }
  return counts;
}

/** The margin's input: the source's figures, with OOM kills the larger of the source's and the pods'. */
export function usageInputs(usage: WorkloadUsage, extraOom: Record<string, number>): ContainerUsageInput[] {
  const names = new Set([...usage.containers.map((c) => c.container), ...Object.keys(extraOom)]);
  return [...names].map((name) => {
    const c = usage.containers.find((u) => u.container === name);
    const input: ContainerUsageInput = { container: name };
    if (c?.cpu !== undefined) input.cpu = c.cpu;
    if (c?.memory !== undefined) input.memory = c.memory;
    const kills = Math.max(c?.oomKills ?? 0, extraOom[name] ?? 0);
    if (c?.oomKills !== undefined || kills > 0) input.oomKills = kills;
    return input;
  });
}

/**
 * A usage figure for people: sources give exact values such as "179176836n" (cores) that read
 * badly in a table; whole millicores stay exact, others show ≈ with one decimal.
 */
export function readable(resource: "cpu" | "memory", quantity: string): string {
  let nanos: bigint;
  try {
    nanos = parseQuantity(quantity, { precision: "round-up" });
  } catch {
    return quantity;
  }
  if (resource === "memory") return describeMemory(nanos);
  if (nanos % NANOS_PER_MILLI === 0n) return formatCpu(nanos);
  return `≈${(Number(nanos) / 1e6).toFixed(1)}m`;
}

/** Long-running containers: app containers and sidecars (init containers with restartPolicy Always). */
export function longRunning(template: { spec: { containers: Container[]; initContainers?: Container[] } }): { container: Container; init: boolean }[] {
  return [
    ...template.spec.containers.map((container) => ({ container, init: false })),
    ...(template.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((container) => ({ container, init: true })),
  ];
}

export function classicInit(template: { spec: { initContainers?: Container[] } }): Container[] {
  return (template.spec.initContainers ?? []).filter((c) => c.restartPolicy !== "Always");
}

/** metrics.pre of the record: the figures the proposal was computed from. */
/**
 * Starts the usage queries now, beside the API reads (the queries only need kind, namespace and
 * name): they are most of a proposal's wall time. A rejection is held until awaited, so a missing
 * workload is reported as such, not as a metrics error.
 */
export function startUsage(ctx: ProposeContext, w: Pick<Workload, "kind" | "namespace" | "name">): () => Promise<GatheredUsage> {
  const pending = gatherUsage(ctx, w);
  pending.catch(() => undefined);
  return () => pending;
}

export function metricsPre(g: GatheredUsage, containers: readonly Container[], replicas: number): Record<string, unknown> {
  const byContainer: Record<string, unknown> = {};
  for (const c of containers) {
    const u = g.usage.containers.find((x) => x.container === c.name);
    byContainer[c.name] = {
      requests: c.resources?.requests ?? {},
      limits: c.resources?.limits ?? {},
      ...(u?.cpu === undefined ? {} : { cpu: u.cpu }),
      ...(u?.memory === undefined ? {} : { memory: u.memory }),
      ...(u?.oomKills === undefined ? {} : { oomKills: u.oomKills }),
      ...(u === undefined ? {} : { historySeconds: u.historySeconds }),
    };
  }
  return {
    source: g.usage.source,
    origin: g.usage.origin,
    window: formatDuration(g.usage.windowSeconds),
    at: g.usage.at,
    confidence: g.usage.confidence,
    replicas,
    containers: byContainer,
  };
}

/** The Evidence section's part about the figures: where from, why that source, how sure. */
export function usageEvidence(g: GatheredUsage): string {
  const u = g.usage;
  const lines = [
    `Source: ${g.selected.source.describe()} (chosen by ${g.selected.reason}), window ${formatDuration(u.windowSeconds)}, evaluated at ${u.at}.`,
    `Confidence: ${u.confidence}${u.reasons.length === 0 ? " (enough history: at least 24h and 100 samples per container)" : ` — ${u.reasons.join("; ")}`}.`,
    "",
    "| container | cpu p50 / p95 / max (samples) | memory p50 / p95 / max (samples) | history | OOM kills |",
    "| --- | --- | --- | --- | --- |",
    ...u.containers.map((c) => `| ${c.container} | ${figures("cpu", c.cpu)} | ${figures("memory", c.memory)} | ${formatDuration(c.historySeconds)} | ${c.oomKills ?? "unknown"} |`),
    "",
    "Queries:",
    "",
    "```",
    ...u.queries,
    "```",
  ];
  return lines.join("\n");
}

function figures(resource: "cpu" | "memory", s: { p50: string; p95: string; max: string; samples: number } | undefined): string {
  return s === undefined ? "-" : `${readable(resource, s.p50)} / ${readable(resource, s.p95)} / ${readable(resource, s.max)} (${s.samples})`;
}
