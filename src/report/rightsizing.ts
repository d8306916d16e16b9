/**
 * The rightsizing table: per workload container, current requests and limits, p95 and peak
 * usage, and the proposal of src/recommend/margin.ts (30 % margin), with the confidence of the
 * data and OOM/HPA flags. Totals say how much the cluster gets back (or must add).
 */
import { allContainerStatuses } from "../diagnose/finding.ts";
import type { SeriesUsage } from "../model/usage.ts";
import { proposeResources } from "../recommend/margin.ts";
import { formatCpu, formatMemory, parseQuantity, type Nanos } from "../recommend/quantity.ts";
import type { Rightsizing, RightsizingRow } from "./types.ts";
import { usageOfWorkload } from "./usage.ts";
import type { WorkloadInfo } from "./workloads.ts";

/** Changes smaller than this share of the current request are not worth a row. */
export const MIN_CHANGE_RATIO = 0.1;
/** Rows shown in the Markdown table; the JSON has them all. */
export const TABLE_ROWS = 20;

function nanos(text: string | undefined): Nanos | undefined {
  if (text === undefined) return undefined;
  try {
    return parseQuantity(text, { precision: "round-up", allowNegative: true });
  } catch {
    return undefined;
  }
}

function material(before: string | undefined, after: string | undefined): boolean {
  const a = nanos(before);
  const b = nanos(after);
  if (b === undefined) return false;
  if (a === undefined || a === 0n) return true;
  const diff = a > b ? a - b : b - a;
  return Number(diff) / Number(a) >= MIN_CHANGE_RATIO;
}

export function assessRightsizing(workloads: readonly WorkloadInfo[], index: Map<string, SeriesUsage[]>, pointInTime: boolean, nowMs: number): Rightsizing {
  const rows: RightsizingRow[] = [];
  let withoutUsage = 0;
  for (const w of workloads) {
    const usage = usageOfWorkload({ kind: w.kind, namespace: w.namespace, name: w.name }, index, { pointInTime }, nowMs);
    if (usage.length === 0) {
      withoutUsage += 1;
      continue;
    }
    const proposal = proposeResources({ containers: w.spec.containers, usage, replicas: w.replicas, ...(w.hpa === undefined ? {} : { hpa: w.hpa }) });
    const oomInPods = new Set(w.pods.flatMap((p) => allContainerStatuses(p).filter(({ status }) => status.lastState?.terminated?.reason === "OOMKilled" || status.state?.terminated?.reason === "OOMKilled").map(({ status }) => status.name)));
    for (const p of proposal.containers) {
      const u = usage.find((x) => x.container === p.container);
      const current = p.inputs.current;
      const row: RightsizingRow = {
        workload: w.ref,
        container: p.container,
        replicas: w.replicas,
        current: pick(current.requests?.["cpu"], current.limits?.["cpu"], current.requests?.["memory"], current.limits?.["memory"]),
        p95: strip({ cpu: p.inputs.cpu?.p95, memory: p.inputs.memory?.p95 }),
        peak: strip({ cpu: p.inputs.cpu?.max, memory: p.inputs.memory?.max }),
        proposed: pick(p.proposed.requests?.["cpu"], p.proposed.limits?.["cpu"], p.proposed.requests?.["memory"], p.proposed.limits?.["memory"]),
        confidence: u?.confidence ?? "low",
        oom: (u?.oomKills ?? 0) > 0 || oomInPods.has(p.container),
        hpa: proposal.hpaFlags.length > 0,
        deltaCpu: formatCpu(delta(current.requests?.["cpu"] ?? current.limits?.["cpu"], p.proposed.requests?.["cpu"], w.replicas)),
        deltaMemory: formatMemory(delta(current.requests?.["memory"] ?? current.limits?.["memory"], p.proposed.requests?.["memory"], w.replicas)),
      };
      if (material(row.current.cpuRequest, row.proposed.cpuRequest) || material(row.current.memoryRequest, row.proposed.memoryRequest)) rows.push(row);
    }
  }
  rows.sort((a, b) => compareNanos(nanos(a.deltaMemory) ?? 0n, nanos(b.deltaMemory) ?? 0n) || compareNanos(nanos(a.deltaCpu) ?? 0n, nanos(b.deltaCpu) ?? 0n) || a.workload.localeCompare(b.workload));
  return { rows, omitted: Math.max(0, rows.length - TABLE_ROWS), totals: totals(rows), withoutUsage };
}

/** Reference key of a row: "Deployment/rightsizing/web web". */
export function rowKey(row: Pick<RightsizingRow, "workload" | "container">): string {
  return `${row.workload} ${row.container}`;
}

function delta(before: string | undefined, after: string | undefined, replicas: number): Nanos {
  const b = nanos(after);
  if (b === undefined) return 0n;
  return (b - (nanos(before) ?? 0n)) * BigInt(replicas);
}

function compareNanos(a: Nanos, b: Nanos): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function totals(rows: readonly RightsizingRow[]): Rightsizing["totals"] {
  let reclaimCpu = 0n;
  let reclaimMemory = 0n;
  let addCpu = 0n;
  let addMemory = 0n;
  for (const row of rows) {
    const cpu = nanos(row.deltaCpu) ?? 0n;
    const memory = nanos(row.deltaMemory) ?? 0n;
    if (cpu < 0n) reclaimCpu -= cpu;
    else addCpu += cpu;
    if (memory < 0n) reclaimMemory -= memory;
    else addMemory += memory;
  }
  return { reclaimableCpu: formatCpu(reclaimCpu), reclaimableMemory: formatMemory(reclaimMemory), addedCpu: formatCpu(addCpu), addedMemory: formatMemory(addMemory) };
}

function pick(cpuRequest?: string, cpuLimit?: string, memoryRequest?: string, memoryLimit?: string): RightsizingRow["current"] {
  return strip({ cpuRequest, cpuLimit, memoryRequest, memoryLimit });
}

function strip<T extends Record<string, string | undefined>>(value: T): { [K in keyof T]?: string } {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: string };
}
