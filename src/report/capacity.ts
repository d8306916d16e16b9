/**
 * Capacity: requests and limits of the scheduled pods against the nodes' allocatable, p95 usage
 * against the same, and whether the requests still fit when the largest node is lost (N-1).
 * Exact arithmetic in nano-units (src/recommend/quantity.ts).
 */
import type { RuleContext } from "../diagnose/context.ts";
import type { Node, Pod, ResourceRequirements } from "../model/k8s.ts";
import type { SeriesUsage } from "../model/usage.ts";
import { formatCpu, formatMemory, maxOf, nanosFromNumber, parseQuantity, type Nanos } from "../recommend/quantity.ts";
import type { Capacity, ResourceCapacity } from "./types.ts";

const RESOURCES = ["cpu", "memory"] as const;
type Resource = (typeof RESOURCES)[number];

function quantity(text: string | undefined): Nanos {
  if (text === undefined) return 0n;
  try {
    return parseQuantity(text, { precision: "round-up" });
  } catch {
    return 0n;
  }
}

function sumOf(list: readonly (ResourceRequirements | undefined)[], side: "requests" | "limits", resource: Resource): Nanos {
  let total = 0n;
  for (const r of list) total += quantity(r?.[side]?.[resource] ?? (side === "requests" ? r?.limits?.[resource] : undefined));
  return total;
}

/** What the scheduler counts for a pod: max(sum of containers, largest init container). */
export function podRequest(pod: Pod, side: "requests" | "limits", resource: Resource): Nanos {
  const main = sumOf(pod.spec.containers.map((c) => c.resources), side, resource);
  const init = (pod.spec.initContainers ?? []).map((c) => sumOf([c.resources], side, resource));
  return maxOf(main, ...init);
}

function isSchedulable(node: Node): boolean {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === "Ready")?.status === "True";
  return ready && node.spec?.unschedulable !== true;
}

function percent(part: Nanos, whole: Nanos): number {
  return whole === 0n ? 0 : Number((part * 10000n) / whole) / 100;
}

export function assessCapacity(ctx: RuleContext, series: readonly SeriesUsage[] | undefined): Capacity {
  const nodes = ctx.all<Node>("Node");
  const schedulable = nodes.filter(isSchedulable);
  const pods = ctx.all<Pod>("Pod").filter((p) => p.spec.nodeName !== undefined && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  const running = new Set(pods.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`));
  const format = (resource: Resource, n: Nanos): string => (resource === "cpu" ? formatCpu(n) : formatMemory(n));
  // The largest node is the one whose loss hurts most: by memory, then cpu.
  const sized = schedulable.map((n) => ({ node: n, cpu: quantity(n.status?.allocatable?.["cpu"]), memory: quantity(n.status?.allocatable?.["memory"]) }));
  sized.sort((a, b) => (b.memory > a.memory ? 1 : b.memory < a.memory ? -1 : b.cpu > a.cpu ? 1 : b.cpu < a.cpu ? -1 : 0));
  const largest = sized[0];
  const resources: ResourceCapacity[] = RESOURCES.map((resource) => {
    const allocatable = sized.reduce((sum, n) => sum + n[resource], 0n);
    const requests = pods.reduce((sum, p) => sum + podRequest(p, "requests", resource), 0n);
    const limits = pods.reduce((sum, p) => sum + podRequest(p, "limits", resource), 0n);
    const without = allocatable - (largest?.[resource] ?? 0n);
    const row: ResourceCapacity = {
      resource,
      allocatable: format(resource, allocatable),
      requests: format(resource, requests),
      limits: format(resource, limits),
      requestsPercent: percent(requests, allocatable),
      allocatableWithoutLargest: format(resource, without),
      survivesLargestNodeLoss: sized.length > 1 && requests <= without,
    };
    if (series !== undefined) {
      let p95 = 0n;
      for (const s of series) {
        const value = resource === "cpu" ? s.cpuP95 : s.memoryP95;
        if (value !== undefined && running.has(`${s.namespace}/${s.pod}`)) p95 += nanosFromNumber(value);
      }
      row.p95Usage = format(resource, p95);
      row.p95Percent = percent(p95, allocatable);
    }
    return row;
  });
  const capacity: Capacity = {
    nodes: nodes.length,
    schedulableNodes: schedulable.length,
    resources,
    podsRunning: pods.length,
    podsAllocatable: schedulable.reduce((sum, n) => sum + Number(quantity(n.status?.allocatable?.["pods"]) / 1_000_000_000n), 0),
    survivesLargestNodeLoss: resources.every((r) => r.survivesLargestNodeLoss),
  };
  if (largest !== undefined) capacity.largestNode = largest.node.metadata.name;
  return capacity;
}
