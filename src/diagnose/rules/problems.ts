/**
 * Rules that check an object's references (an Ingress, a route, a webhook configuration) can
 * find several things wrong with it at once; they report them as one finding, led by the most
 * severe, so a list shows each broken object once with every cause in its evidence.
 */
import type { KubeObject } from "../../model/k8s.ts";
import type { ActionType } from "../../policy/tiers.ts";
import type { RuleContext } from "../context.ts";
import { makeFinding, remediate } from "../finding.ts";
import type { Finding, Rule, Severity } from "../types.ts";

export interface Problem {
  severity: Severity;
  confidence: number;
  /** What is wrong, as a predicate of the object: `routes /api to Service web-v2, which does not exist`. */
  summary: string;
  evidence: string[];
  action: ActionType;
  /** The change that removes the problem, in a sentence. */
  fix: string;
  /** The object that change touches, when it is not the object judged. */
  target?: KubeObject;
}

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** One finding for all the problems of an object, or none when it has none. */
export function findingOfProblems(rule: Pick<Rule, "id" | "category">, object: KubeObject, ctx: RuleContext, problems: readonly Problem[]): Finding[] {
  const sorted = [...problems].sort((a, b) => RANK[a.severity] - RANK[b.severity] || b.confidence - a.confidence);
  const first = sorted[0];
  if (first === undefined) return [];
  const more = sorted.length > 1 ? ` (and ${sorted.length - 1} more problem${sorted.length > 2 ? "s" : ""})` : "";
  return [
    makeFinding(rule, {
      object,
      severity: first.severity,
      confidence: first.confidence,
      summary: `${object.kind ?? "Object"} ${object.metadata.name} ${first.summary}${more}.`,
      evidence: [...new Set(sorted.flatMap((p) => p.evidence))],
      remediation: remediate(ctx, first.action, [...new Set(sorted.map((p) => p.fix))].join(" "), first.target ?? object),
    }),
  ];
}
