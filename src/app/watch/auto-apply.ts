/**
 * `watch.autoApplyTrivial: true` in the policy lets watch apply trivial-tier fixes (restart one
 * pod of a controller with other ready replicas) without an approval. The apply machinery is
 * being built elsewhere; until it lands, watch only RECORDS what it would apply.
 *
 * TODO(apply): pass an applier built on the apply use-case (dry-run, drift check, field manager
 * kubectl-aiops, verification window) as `WatchDeps.applyTrivial`; `recordOnlyApplier` stays the
 * default when it is absent.
 */
import type { Finding } from "../../diagnose/types.ts";

export interface TrivialApplyResult {
  applied: boolean;
  detail: string;
}

export type TrivialApplier = (finding: Finding) => Promise<TrivialApplyResult>;

export const recordOnlyApplier: TrivialApplier = async (finding) => ({
  applied: false,
  detail: `would ${finding.remediation.action} (${finding.remediation.tier} tier, autoApplyTrivial): ${finding.remediation.summary}; not applied: automatic apply is not wired yet`,
});

/** Findings watch may act on alone: trivial tier and an action that changes something. */
export function trivialFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.remediation.tier === "trivial" && f.remediation.action !== "investigate");
}
