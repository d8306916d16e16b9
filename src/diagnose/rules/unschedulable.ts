import type { Node, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeCondition, describeEvent, eventsWith, firstSeen, makeFinding, oneLine, remediate, workloadOf } from "../finding.ts";
import type { Remediation, Rule } from "../types.ts";
import { conditionOf, formatQuantity, isTerminating, otherReadyReplicas, podRequests, quantityOf } from "./shared.ts";

type Obstacle = "resource" | "taint" | "affinity" | "storage" | "capacity" | "other";

interface Clause {
  count: number;
  text: string;
  obstacle: Obstacle;
  resource?: string;
}

/**
 * A pod no node accepts. The scheduler's message says why per node ("3 Insufficient cpu",
 * "1 node(s) had untolerated taint"), and the fix differs: a request larger than any node
 * (lower it), a full cluster (add capacity), a selector or taint mismatch (fix the spec).
 */
export const unschedulable: Rule = {
  id: "pod.unschedulable",
  category: "Unschedulable",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod) || pod.status?.phase !== "Pending") return [];
    const scheduled = conditionOf(pod, "PodScheduled");
    if (scheduled?.status === "True") return [];
    const events = eventsWith(ctx, pod, ["FailedScheduling"]);
    const explicit = scheduled?.status === "False" && scheduled.reason === "Unschedulable";
    // Without the scheduler's verdict a pending pod is only waiting for its turn.
    if (!explicit && events.length === 0) return [];

    const lastEvent = events[events.length - 1];
    const message = lastEvent?.message ?? scheduled?.message ?? "";
    const clauses = parseSchedulerMessage(message);
    const evidence: string[] = [];
    if (scheduled !== undefined) evidence.push(describeCondition(scheduled));
    if (lastEvent !== undefined) evidence.push(describeEvent(lastEvent));
    const fit = resourceFit(pod, clauses, ctx);
    evidence.push(...fit.lines);

    const others = otherReadyReplicas(pod, ctx);
    return [
      makeFinding(unschedulable, {
        object: pod,
        severity: others > 0 ? "high" : "critical",
        confidence: explicit ? 0.95 : 0.85,
        summary: `Pod ${pod.metadata.name} cannot be scheduled: ${describeClauses(clauses, fit.tooLarge) ?? (oneLine(message) || "no node fits")}.`,
        evidence,
        since: firstSeen(events) || scheduled?.lastTransitionTime,
        remediation: remediationFor(pod, clauses, fit.tooLarge, ctx),
      }),
    ];
  },
};

/** "0/3 nodes are available: 1 node(s) had untolerated taint {...}, 2 Insufficient cpu. preemption: ..." */
export function parseSchedulerMessage(message: string): Clause[] {
  const verdict = message.split(/\.\s*preemption:/)[0] ?? "";
  const colon = verdict.indexOf(": ");
  if (colon < 0) return [];
  return verdict
    .slice(colon + 2)
    .split(/,\s*(?=\d+\s)/)
    .map((part) => {
      // Most clauses count nodes ("3 Insufficient cpu"); some concern the pod itself ("pod has unbound ...").
      const counted = /^(\d+)\s+(.*?)\.?$/.exec(part.trim());
      return counted === null ? classify(0, part.trim().replace(/\.$/, "")) : classify(Number(counted[1]), counted[2] ?? "");
    })
    .filter((c) => c.text !== "");
}

function classify(count: number, text: string): Clause {
  const insufficient = /^Insufficient (\S+)/.exec(text);
  if (insufficient?.[1] !== undefined) return { count, text, obstacle: "resource", resource: insufficient[1] };
  if (/taint/i.test(text)) return { count, text, obstacle: "taint" };
  if (/affinity|selector/i.test(text) && !/volume/i.test(text)) return { count, text, obstacle: "affinity" };
  if (/PersistentVolumeClaim|persistent volume|volume/i.test(text)) return { count, text, obstacle: "storage" };
  if (/Too many pods|unschedulable|ports/i.test(text)) return { count, text, obstacle: "capacity" };
  return { count, text, obstacle: "other" };
}

/** The pod's request for each short resource vs the largest allocatable among known nodes. */
function resourceFit(pod: Pod, clauses: Clause[], ctx: RuleContext): { lines: string[]; tooLarge: string[] } {
  const requests = podRequests(pod);
  const nodes = ctx.all<Node>("Node");
  const lines: string[] = [];
  const tooLarge: string[] = [];
  for (const resource of new Set(clauses.flatMap((c) => (c.resource === undefined ? [] : [c.resource])))) {
    const request = requests[resource];
    if (request === undefined) continue;
    let largest: { name: string; value: bigint } | undefined;
    for (const node of nodes) {
      const value = quantityOf(node.status?.allocatable?.[resource]);
      if (value !== undefined && (largest === undefined || value > largest.value)) largest = { name: node.metadata.name, value };
    }
    if (largest === undefined) {
      lines.push(`pod requests ${resource}=${formatQuantity(resource, request)}`);
      continue;
    }
    lines.push(`pod requests ${resource}=${formatQuantity(resource, request)} vs largest node allocatable ${resource}=${formatQuantity(resource, largest.value)} (${largest.name}, ${nodes.length} node(s) known)`);
    if (request > largest.value) tooLarge.push(resource);
  }
  return { lines, tooLarge };
}

function describeClauses(clauses: Clause[], tooLarge: string[]): string | undefined {
  if (clauses.length === 0) return undefined;
  const parts = clauses.map((c) => (c.count === 0 ? c.text : `${c.count} ${c.text}`));
  const head = tooLarge.length > 0 ? `its ${tooLarge.join(", ")} request is larger than any node's allocatable` : undefined;
  return head === undefined ? parts.join(", ") : `${head} (${parts.join(", ")})`;
}

function remediationFor(pod: Pod, clauses: Clause[], tooLarge: string[], ctx: RuleContext): Remediation {
  const workload = workloadOf(pod, ctx);
  const target = `${workload.kind}/${workload.metadata.name}`;
  if (tooLarge.length > 0) return remediate(ctx, "resources", `Lower the ${tooLarge.join(", ")} request of ${target} below the largest node's allocatable (or add larger nodes).`, workload);
  const obstacles = new Set(clauses.map((c) => c.obstacle));
  if (obstacles.has("resource") || obstacles.has("capacity")) return remediate(ctx, "node", `Add node capacity (or free it) for ${target}: the request fits a node but no node has that much free.`, workload);
  if (obstacles.has("storage")) return remediate(ctx, "storage", `Fix the PersistentVolumeClaims of ${target}: they are unbound or bound to volumes in another zone.`, workload);
  if (obstacles.has("taint") || obstacles.has("affinity")) return remediate(ctx, "config", `Fix the nodeSelector/affinity/tolerations of ${target} to match existing nodes, or label/untaint the intended nodes.`, workload);
  return remediate(ctx, "investigate", `Read the scheduler message above for ${target}.`, workload);
}
