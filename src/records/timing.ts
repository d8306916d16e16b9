import { checkApprovals } from "../policy/approval-rule.ts";
import type { FrontMatter } from "./schema.ts";
import { effectiveTier } from "./versions.ts";

/** Times derived from records, shared by `audit stats` and the reports so both measure alike. */

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The time of the approval that first met the tier's rule; undefined when none did (or trivial). */
export function ruleMetAt(fm: FrontMatter): string | undefined {
  const tier = effectiveTier(fm.tier);
  if (tier === "trivial") return undefined;
  for (let i = 0; i < fm.approvals.length; i++) {
    if (checkApprovals(tier, fm.user.cluster, fm.approvals.slice(0, i + 1)).ok) return fm.approvals[i]?.at;
  }
  return undefined;
}
