/**
 * What to say about a proposal left in status `applying` (pure): a process killed between
 * "applying" and the final status. The last event says how far it got; the advice names both
 * ways out. `list` and `show` can call `interruptedNotice` on any record's front matter.
 */
import type { FrontMatter } from "../../records/schema.ts";

/** Event types apply writes, in order; the step after the last one written is where it stopped. */
export const APPLY_EVENTS = {
  checked: "apply-checked",
  applying: "applying",
  patched: "patched",
  resumed: "apply-resumed",
  rolloutComplete: "rollout-complete",
  rolloutFailed: "rollout-failed",
  verifyFailed: "verify-failed",
  verified: "verified",
  rollbackStarted: "rollback-started",
  rolledBack: "rolled-back",
  failed: "apply-failed",
  refused: "apply-refused",
  shadow: "shadow",
  reverted: "reverted",
  approved: "approved",
  expired: "expired",
} as const;

const STEP_AFTER: Record<string, string> = {
  [APPLY_EVENTS.checked]: "the patch (it may or may not have reached the API server)",
  [APPLY_EVENTS.applying]: "the patch (it may or may not have reached the API server)",
  [APPLY_EVENTS.resumed]: "the resumed apply",
  [APPLY_EVENTS.patched]: "the rollout wait (the patch was applied)",
  [APPLY_EVENTS.rolloutComplete]: "the verification window (the patch was applied and rolled out)",
  [APPLY_EVENTS.rolloutFailed]: "the automatic rollback (the patch was applied; its rollout failed)",
  [APPLY_EVENTS.verifyFailed]: "the automatic rollback (the patch was applied; it did not verify)",
  [APPLY_EVENTS.rollbackStarted]: "the automatic rollback (the inverse may or may not have been applied)",
};

export interface InterruptedApply {
  id: string;
  step: string;
  at: string | undefined;
  /** The last event was a rollback in progress: resume finishes the rollback, not the apply. */
  rollingBack: boolean;
  message: string;
}

export function interruptedApply(fm: Pick<FrontMatter, "id" | "stage" | "status" | "events">): InterruptedApply | undefined {
  if (fm.stage !== "proposal" || fm.status !== "applying") return undefined;
  const last = [...fm.events].reverse().find((e) => STEP_AFTER[e.type] !== undefined);
  const step = last === undefined ? "the patch (it may or may not have reached the API server)" : (STEP_AFTER[last.type] ?? "an unknown step");
  const rollingBack = last !== undefined && [APPLY_EVENTS.rolloutFailed, APPLY_EVENTS.verifyFailed, APPLY_EVENTS.rollbackStarted].includes(last.type as never);
  const message = `apply of ${fm.id} was interrupted at ${step}${last === undefined ? "" : ` (last step recorded at ${last.at})`}; run kubectl aiops rollback ${fm.id} to undo, or kubectl aiops apply ${fm.id} --resume to ${rollingBack ? "finish the rollback" : "re-check and finish the apply"}`;
  return { id: fm.id, step, at: last?.at, rollingBack, message };
}

/** Notices for every interrupted apply among listed records (for `list`). */
export function interruptedNotices(records: readonly { frontMatter: Pick<FrontMatter, "id" | "stage" | "status" | "events"> }[]): string[] {
  return records.flatMap((r) => {
    const found = interruptedApply(r.frontMatter);
    return found === undefined ? [] : [found.message];
  });
}
