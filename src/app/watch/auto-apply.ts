/**
 * `watch.autoApplyTrivial: true` in the policy lets watch apply trivial-tier fixes (restart one
 * pod of a controller with other ready replicas) without an approval: `proposeAndApply` writes the
 * restart proposal (trivial: logged, no approval) and applies it through the apply use-case (dry
 * run, drift check, field manager kubectl-aiops, verification).
 */
import type { Session } from "../session.ts";
import type { Finding } from "../../diagnose/types.ts";

export interface TrivialApplyResult {
  applied: boolean;
  detail: string;
}

export type TrivialApplier = (finding: Finding) => Promise<TrivialApplyResult>;

/** Findings watch may act on alone: trivial tier and an action that changes something. */
export function trivialFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.remediation.tier === "trivial" && f.remediation.action !== "investigate");
}

/**
 * The real applier. The proposal is written before the incident's record names it; the apply,
 * whose verification window takes minutes, runs beside the watch loop and writes its outcome to
 * the proposal record, so detection never waits for it.
 */
export function proposeAndApply(session: Session, command: string, log: (message: string) => void): TrivialApplier {
  return async (finding) => {
    if (finding.remediation.action !== "restart" || finding.object.kind !== "Pod") {
      return { applied: false, detail: `${finding.remediation.action} is not applied automatically: only trivial pod restarts are` };
    }
    const scoped = finding.object.namespace === undefined ? session : session.inNamespace(finding.object.namespace);
    const { createProposeContext, propose } = await import("../propose.ts");
    const ctx = await createProposeContext(scoped, { windowSeconds: 7 * 86400, allowShortHistory: false, command });
    const outcome = await propose(ctx, { action: "restart", kind: "Pod", name: finding.object.name, category: finding.category });
    if ("noChange" in outcome) return { applied: false, detail: `restart of pod ${finding.object.name}: no change needed` };
    const id = outcome.record.frontMatter.id;
    if (outcome.tier !== "trivial") return { applied: false, detail: `restart of pod ${finding.object.name} proposed as ${id}, ${outcome.tier} tier: it waits for approval` };
    const { createApplyContext, applyRecord } = await import("../apply.ts");
    const applyCtx = await createApplyContext(scoped, { progressTimeoutSeconds: 180, command });
    void applyRecord(id, applyCtx).then(
      (result) => log(`auto-apply of ${id} (restart of pod ${finding.object.name}): ${result.status}`),
      (error: unknown) => log(`auto-apply of ${id} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    return { applied: true, detail: `restart of pod ${finding.object.name} proposed as ${id} (trivial) and being applied; its outcome is in that record` };
  };
}
