/**
 * PromQL rules of the policy (`watch.rules: [{name, expr, for}]`): an expression whose answer
 * holds any series fires; once it has fired for `for`, it is an incident like a failing workload
 * (scope "rules"). The firing clock is pure; the query goes through src/metrics/prometheus.ts.
 */
import type { Signal } from "./incidents.ts";
import type { WatchRule } from "./settings.ts";

export interface RuleFiring {
  rule: WatchRule;
  /** Values of the answer's series, for the evidence. */
  values: number[];
  firingSinceMs: number;
}

export class RuleClock {
  private readonly since = new Map<string, number>();

  /** One evaluation: the rules due as incidents now. `answers` maps a rule to its values, undefined on a failed query. */
  evaluate(rules: readonly WatchRule[], answers: ReadonlyMap<string, number[] | undefined>, nowMs: number): Signal<RuleFiring>[] {
    const signals: Signal<RuleFiring>[] = [];
    for (const rule of rules) {
      const values = answers.get(rule.name);
      // A failed query says nothing: keep the clock as it was.
      if (values === undefined) {
        const since = this.since.get(rule.name);
        if (since !== undefined && nowMs - since >= rule.for * 1000) signals.push({ key: `rule/${rule.name}`, firstEvidenceMs: since, payload: { rule, values: [], firingSinceMs: since } });
        continue;
      }
      if (values.length === 0) {
        this.since.delete(rule.name);
        continue;
      }
      const since = this.since.get(rule.name) ?? nowMs;
      this.since.set(rule.name, since);
      if (nowMs - since >= rule.for * 1000) signals.push({ key: `rule/${rule.name}`, firstEvidenceMs: since, payload: { rule, values, firingSinceMs: since } });
    }
    return signals;
  }
}
