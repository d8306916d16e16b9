/**
 * The health score: 100 minus capped penalties, one component per concern, so the report can
 * print exactly how it was reached and a reader can argue with one line of it. Pure.
 */
import type { Severity } from "../diagnose/types.ts";
import { parseQuantity } from "../recommend/quantity.ts";
import type { Capacity, Hygiene, Reliability, Rightsizing, Score, ScoreComponent } from "./types.ts";

export const SEVERITY_PENALTY: Record<Severity, number> = { critical: 8, high: 5, medium: 3, low: 1 };
export const CAPS = { problems: 40, incidents: 15, capacity: 15, hygiene: 20, efficiency: 10 } as const;
const HIGH_REQUESTS_PERCENT = 85;

export const SCORE_FORMULA =
  "score = 100 - problems - incidents - capacity - hygiene - efficiency, never below 0; " +
  "grade A >= 90, B >= 80, C >= 70, D >= 60, else F";

export function gradeOf(value: number): Score["grade"] {
  return value >= 90 ? "A" : value >= 80 ? "B" : value >= 70 ? "C" : value >= 60 ? "D" : "F";
}

export interface ScoreInput {
  reliability: Reliability;
  capacity: Capacity;
  hygiene: Hygiene;
  rightsizing: Rightsizing;
}

export function scoreReport(input: ScoreInput): Score {
  const components = [problems(input.reliability), incidents(input.reliability), capacity(input.capacity), hygiene(input.hygiene), efficiency(input.rightsizing, input.capacity)];
  const value = Math.max(0, Math.round(100 - components.reduce((sum, c) => sum + c.penalty, 0)));
  return { value, grade: gradeOf(value), components, formula: SCORE_FORMULA };
}

function capped(name: keyof typeof CAPS, raw: number, explanation: string): ScoreComponent {
  return { name, penalty: round1(Math.min(CAPS[name], raw)), cap: CAPS[name], explanation };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function problems(r: Reliability): ScoreComponent {
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const p of r.problems) bySeverity[p.severity] += 1;
  const raw = (Object.keys(bySeverity) as Severity[]).reduce((sum, s) => sum + bySeverity[s] * SEVERITY_PENALTY[s], 0);
  return capped("problems", raw, `current problems: ${bySeverity.critical} critical x 8 + ${bySeverity.high} high x 5 + ${bySeverity.medium} medium x 3 + ${bySeverity.low} low x 1`);
}

function incidents(r: Reliability): ScoreComponent {
  const c = r.counts;
  const raw = c.oomKills * 2 + c.evictions + c.failedJobs * 2 + c.nodeConditions * 3;
  return capped("incidents", raw, `in the window: ${c.oomKills} OOM kills x 2 + ${c.evictions} evictions x 1 + ${c.failedJobs} failed jobs x 2 + ${c.nodeConditions} node conditions x 3`);
}

function capacity(c: Capacity): ScoreComponent {
  const high = c.resources.filter((r) => r.requestsPercent > HIGH_REQUESTS_PERCENT);
  const raw = (c.survivesLargestNodeLoss ? 0 : 10) + high.length * 5;
  return capped("capacity", raw, `${c.survivesLargestNodeLoss ? "survives" : "does not survive (10)"} losing the largest node; ${high.length} resource(s) requested above ${HIGH_REQUESTS_PERCENT} % x 5`);
}

function hygiene(h: Hygiene): ScoreComponent {
  if (h.workloads === 0) return capped("hygiene", 0, "no workloads");
  const security = new Set(h.findings.filter((f) => f.security).map((f) => f.workload)).size;
  const other = new Set(h.findings.filter((f) => !f.security).map((f) => f.workload)).size;
  const raw = (10 * security) / h.workloads + (10 * other) / h.workloads;
  return capped("hygiene", raw, `10 x ${security}/${h.workloads} workloads with a security finding + 10 x ${other}/${h.workloads} with another hygiene finding`);
}

function efficiency(r: Rightsizing, c: Capacity): ScoreComponent {
  const requested = c.resources.find((x) => x.resource === "memory")?.requests ?? "0";
  const total = Number(parseQuantity(requested, { precision: "round-up" }));
  const reclaim = Number(parseQuantity(r.totals.reclaimableMemory, { precision: "round-up" }));
  const share = total === 0 ? 0 : reclaim / total;
  return capped("efficiency", 20 * share, `20 x ${(share * 100).toFixed(1)} % of requested memory reclaimable by rightsizing`);
}
