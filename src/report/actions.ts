/**
 * The top actions: what would raise the score most, ranked. Weights are the score points an
 * action wins back (see score.ts), so the ranking and the score never disagree.
 */
import type { Capacity, Hygiene, HygieneCheck, Reliability, Rightsizing, TopAction } from "./types.ts";
import { SEVERITY_PENALTY } from "./score.ts";

export const MAX_ACTIONS = 10;

const HYGIENE_ACTIONS: Partial<Record<HygieneCheck, { weight: number; text: string; kind: TopAction["kind"] }>> = {
  "secret-in-env": { weight: 4, text: "Move literal secrets out of env into Secrets", kind: "security" },
  privileged: { weight: 4, text: "Drop privileged mode", kind: "security" },
  "latest-image": { weight: 2, text: "Pin images to a tag or digest instead of :latest", kind: "hygiene" },
  "no-requests": { weight: 2, text: "Set cpu and memory requests", kind: "hygiene" },
  "no-pdb": { weight: 1, text: "Add a PodDisruptionBudget", kind: "hygiene" },
  "single-replica": { weight: 1, text: "Run at least 2 replicas", kind: "hygiene" },
  "no-probes": { weight: 1, text: "Add readiness/liveness probes", kind: "hygiene" },
};

export function rankActions(reliability: Reliability, capacity: Capacity, rightsizing: Rightsizing, hygiene: Hygiene): TopAction[] {
  const actions: Omit<TopAction, "rank">[] = [];
  // One action per category: on a large cluster a hundred crash-looping pods are one piece of work.
  const byCategory = new Map<string, typeof reliability.problems>();
  for (const p of reliability.problems) byCategory.set(p.category, [...(byCategory.get(p.category) ?? []), p]);
  for (const [category, problems] of byCategory) {
    const first = problems[0];
    if (first === undefined) continue;
    const [kind = "", namespace = "", name = ""] = first.object.split("/");
    const command = `kubectl aiops diagnose ${kind.toLowerCase()} ${name}${namespace === "" ? "" : ` -n ${namespace}`}`;
    const weight = Math.max(...problems.map((p) => SEVERITY_PENALTY[p.severity])) * Math.min(problems.length, 3);
    const summary =
      problems.length === 1
        ? `Fix ${category} of ${first.object}${first.remediation === undefined ? "" : `: ${first.remediation}`}`
        : `Fix ${category} in ${problems.length} objects: ${problems.slice(0, 3).map((p) => p.object).join(", ")}${problems.length > 3 ? ` and ${problems.length - 3} more` : ""}`;
    actions.push({ kind: "fix", weight, summary, command });
  }
  if (!capacity.survivesLargestNodeLoss && capacity.schedulableNodes > 0) {
    const short = capacity.resources.filter((r) => !r.survivesLargestNodeLoss).map((r) => `${r.resource} requests ${r.requests} > ${r.allocatableWithoutLargest} without ${capacity.largestNode ?? "the largest node"}`);
    actions.push({ kind: "capacity", weight: 10, summary: `Add node capacity or lower requests: ${short.join("; ")}` });
  }
  for (const row of rightsizing.rows.slice(0, 5)) {
    if (!row.deltaMemory.startsWith("-") && !row.deltaCpu.startsWith("-") && !row.oom) continue;
    const [kind = "", namespace = "", name = ""] = row.workload.split("/");
    actions.push({
      kind: "rightsize",
      weight: row.oom ? 5 : 2,
      summary: `Rightsize ${row.workload} [${row.container}]: requests cpu ${row.current.cpuRequest ?? "-"} -> ${row.proposed.cpuRequest ?? "-"}, memory ${row.current.memoryRequest ?? "-"} -> ${row.proposed.memoryRequest ?? "-"}`,
      command: `kubectl aiops propose resources ${kind.toLowerCase()}/${name} -n ${namespace}`,
    });
  }
  for (const [check, action] of Object.entries(HYGIENE_ACTIONS) as [HygieneCheck, NonNullable<(typeof HYGIENE_ACTIONS)[HygieneCheck]>][]) {
    const workloads = [...new Set(hygiene.findings.filter((f) => f.check === check).map((f) => f.workload))];
    if (workloads.length === 0) continue;
    const shown = workloads.slice(0, 3).join(", ");
    actions.push({ kind: action.kind, weight: action.weight, summary: `${action.text}: ${shown}${workloads.length > 3 ? ` and ${workloads.length - 3} more` : ""}` });
  }
  return actions
    .map((a, index) => ({ a, index }))
    .sort((x, y) => y.a.weight - x.a.weight || x.index - y.index)
    .slice(0, MAX_ACTIONS)
    .map(({ a }, i) => ({ rank: i + 1, ...a }));
}
