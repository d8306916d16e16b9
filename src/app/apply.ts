/**
 * The apply use-cases: `apply RECORD` (and `applyRecord` for `approve --apply`), `apply
 * --resume`, `apply --shadow` and `rollback RECORD`. See apply/run.ts for the steps, undo.ts for
 * what `rollback` of a verified change means, shadow.ts for the rehearsal.
 */
import type { Session } from "./session.ts";
import { PolicyError } from "../errors.ts";
import { tierPolicyOf } from "../policy/policy-file.ts";
import { resolveHistory } from "../records/history.ts";
import { sleep } from "../records/lock.ts";
import { resolveRecord } from "../records/resolve-record.ts";
import { appendToRecord, readLocation, utcSeconds } from "../records/store.ts";
import { checkApplicable } from "./apply/checks.ts";
import { committed, rolesOf, storeDepsOf, type ApplyContext } from "./apply/context.ts";
import { APPLY_EVENTS, interruptedApply } from "./apply/interrupted.ts";
import { withApplyLock } from "./apply/lock.ts";
import type { ApplyOutcome } from "./apply/report.ts";
import { ApplyRun, baselineCategoriesOf } from "./apply/run.ts";
import { runShadowFor, type ShadowResult } from "./apply/shadow.ts";
import { proposeUndo } from "./apply/undo.ts";

export type { ApplyContext } from "./apply/context.ts";
export type { ApplyOutcome } from "./apply/report.ts";
export type { ShadowResult } from "./apply/shadow.ts";
export { interruptedApply, interruptedNotices } from "./apply/interrupted.ts";

export interface ApplyOptions {
  resume?: boolean;
}

/**
 * Applies one approved proposal (id, id prefix or path): checks, patch, rollout, verification,
 * automatic rollback. Resolves with the outcome whether it verified or rolled back; throws a
 * typed error when it refused before changing anything.
 */
export async function applyRecord(recordArg: string, ctx: ApplyContext, options: ApplyOptions = {}): Promise<ApplyOutcome> {
  // Who we are does not depend on the record: ask while the record is found and locked.
  ctx.identify().catch(() => undefined);
  const location = await resolveRecord(ctx.history, recordArg, ctx.location.cwd);
  const outcome = await withApplyLock(ctx.history, location.id, async () => {
    const fm = (await readLocation(location)).frontMatter;
    const applicable = checkApplicable(fm, ctx.now(), rolesOf(ctx.policy), { resume: options.resume === true, tierPolicy: tierPolicyOf(ctx.policy) });
    const run = new ApplyRun(ctx, location, fm);
    switch (applicable.kind) {
      case "expired": {
        committed(ctx, await appendToRecord(ctx.history, fm.id, { status: "expired", events: [{ at: utcSeconds(ctx.now()), type: APPLY_EVENTS.expired, detail: `apply attempted after the window closed at ${fm.window?.expires ?? "?"}` }], ...rolesArg(ctx) }, storeDepsOf(ctx)));
        throw new PolicyError(`refused: ${applicable.message}; recorded as expired`, { hint: "propose the change again to get a fresh window" });
      }
      case "resume": {
        const interrupted = interruptedApply(fm);
        return run.resume({ rollingBack: interrupted?.rollingBack ?? false, baselineCategories: baselineCategoriesOf(fm) });
      }
      case "apply":
        return run.run({ autoApprove: applicable.autoApprove });
    }
  });
  if (outcome.status === "verified") await markSupersededReverted(ctx, outcome.record);
  return outcome;
}

/** When an undo record verifies, its original moves verified -> reverted. */
async function markSupersededReverted(ctx: ApplyContext, id: string): Promise<void> {
  const location = await resolveRecord(ctx.history, id, ctx.location.cwd);
  const original = (await readLocation(location)).frontMatter.links?.supersedes;
  if (original === undefined) return;
  const originalLocation = await resolveRecord(ctx.history, original, ctx.location.cwd);
  const fm = (await readLocation(originalLocation)).frontMatter;
  if (fm.status !== "verified") return;
  committed(ctx, await appendToRecord(ctx.history, fm.id, { status: "reverted", events: [{ at: utcSeconds(ctx.now()), type: APPLY_EVENTS.reverted, detail: `rolled back by ${id}, which verified` }], ...rolesArg(ctx) }, storeDepsOf(ctx)));
}

export interface RollbackResult {
  apiVersion: "aiops.dev/v1";
  kind: "RollbackResult";
  original: string;
  rollbackRecord?: string;
  message: string;
  applied?: ApplyOutcome;
}

/**
 * `rollback RECORD`: a verified change gets an undo record (undo.ts); an apply that was
 * interrupted (status applying) gets its inverse sent at once and ends rolled-back.
 */
export async function rollbackRecord(recordArg: string, ctx: ApplyContext): Promise<RollbackResult> {
  const location = await resolveRecord(ctx.history, recordArg, ctx.location.cwd);
  const fm = (await readLocation(location)).frontMatter;
  if (fm.stage !== "proposal") throw new PolicyError(`record ${fm.id} is a ${fm.stage}: only applied proposals are rolled back`);
  if (fm.status === "applying") {
    const applied = await withApplyLock(ctx.history, fm.id, async () => {
      const current = (await readLocation(location)).frontMatter;
      if (current.status !== "applying") throw new PolicyError(`proposal ${fm.id} is ${current.status} now; run the command again`);
      return new ApplyRun(ctx, location, current).rollbackInterrupted();
    });
    return { apiVersion: "aiops.dev/v1", kind: "RollbackResult", original: fm.id, message: `interrupted apply of ${fm.id} rolled back: ${applied.status}`, applied };
  }
  if (fm.status !== "verified") {
    const why: Record<string, string> = {
      proposed: "it was never applied: reject it instead (kubectl aiops reject " + fm.id + " --reason ...)",
      approved: "it was never applied",
      "rolled-back": "its automatic rollback already restored the old spec",
      failed: "it failed; see kubectl aiops show " + fm.id + " for the manual rollback procedure",
      reverted: "it was already rolled back",
    };
    throw new PolicyError(`proposal ${fm.id} is ${fm.status}: ${why[fm.status] ?? "nothing to roll back"}`);
  }
  const undo = await proposeUndo(ctx, fm);
  const undoId = undo.record.frontMatter.id;
  if (!undo.approvedNow) return { apiVersion: "aiops.dev/v1", kind: "RollbackResult", original: fm.id, rollbackRecord: undoId, message: undo.next };
  const applied = await applyRecord(undoId, ctx);
  return { apiVersion: "aiops.dev/v1", kind: "RollbackResult", original: fm.id, rollbackRecord: undoId, message: applied.status === "verified" ? `${fm.id} rolled back by ${undoId} (verified); ${fm.id} is now reverted` : `rollback ${undoId} ended ${applied.status}`, applied };
}

export async function shadowRecord(recordArg: string, ctx: ApplyContext, timeoutSeconds: number): Promise<ShadowResult> {
  const location = await resolveRecord(ctx.history, recordArg, ctx.location.cwd);
  return runShadowFor(ctx, (await readLocation(location)).frontMatter, timeoutSeconds);
}

function rolesArg(ctx: ApplyContext): { roles?: NonNullable<ReturnType<typeof rolesOf>> } {
  const roles = rolesOf(ctx.policy);
  return roles === undefined ? {} : { roles };
}

// ---------------------------------------------------------------- command side

export interface ApplyFlags {
  verifyWindowSeconds?: number | undefined;
  progressTimeoutSeconds: number;
  command: string;
  requireSigned?: boolean;
}

/** Builds the context from the global flags; the Kubernetes client loads only here. Events and warnings go to the session's sink. */
export async function createApplyContext(session: Session, flags: ApplyFlags): Promise<ApplyContext> {
  const { io, events } = session;
  const location = session.historyLocation;
  const history = resolveHistory(location);
  const { policy } = await session.policy();
  const client = await session.kube();
  return {
    api: client,
    history,
    location,
    cluster: { context: client.context.context, server: client.context.server },
    policy,
    command: flags.command,
    identify: async () => (await session.identity()).username,
    now: () => io.now(),
    sleep,
    warn: (message) => events.emit({ type: "warning", message }),
    emit: (event) => events.emit(event),
    verifyWindowSeconds: flags.verifyWindowSeconds ?? policy.verifyWindow,
    progressTimeoutSeconds: flags.progressTimeoutSeconds,
    rollbackBoundSeconds: 300,
    pollMs: 2000,
    requireSigned: flags.requireSigned ?? false,
    timings: {},
  };
}

/**
 * `apply RECORD [--resume]`: the outcome, verified or rolled back (or failed); a refusal before
 * any change is thrown. Progress goes to the session's events as it happens.
 */
export async function runApply(session: Session, recordArg: string, flags: ApplyFlags & ApplyOptions): Promise<ApplyOutcome> {
  const ctx = await createApplyContext(session, flags);
  return applyRecord(recordArg, ctx, flags.resume === true ? { resume: true } : {});
}

/** `apply RECORD --shadow`: the rehearsal's result (bounded by timeoutSeconds, else the progress timeout). */
export async function runShadow(session: Session, recordArg: string, flags: ApplyFlags & { timeoutSeconds?: number }): Promise<ShadowResult> {
  const ctx = await createApplyContext(session, flags);
  return shadowRecord(recordArg, ctx, flags.timeoutSeconds ?? flags.progressTimeoutSeconds);
}

/** `rollback RECORD`: what was done (an undo record, applied or waiting for approval; or an interrupted apply rolled back). */
export async function runRollback(session: Session, recordArg: string, flags: ApplyFlags): Promise<RollbackResult> {
  const ctx = await createApplyContext(session, flags);
  return rollbackRecord(recordArg, ctx);
}

/** Whether `rollback` did what was asked: an interrupted apply rolled back is; an undo record must itself verify. */
export function rollbackSucceeded(result: RollbackResult): boolean {
  return result.applied === undefined || (result.rollbackRecord === undefined ? result.applied.status === "rolled-back" : result.applied.status === "verified");
}

/**
 * The hook `approve --apply` runs once the approval meets the tier's rule (src/app/approve.ts
 * ApplyHook): the same apply, with the policy's verify window. The outcome goes to stderr (the
 * approve command owns stdout); a change that does not verify is an error, so the exit code says so.
 */
export async function loadApplyHook(session: Session): Promise<(recordId: string) => Promise<void>> {
  const ctx = await createApplyContext(session, { progressTimeoutSeconds: 180, command: session.command });
  return async (recordId) => {
    const outcome = await applyRecord(recordId, ctx);
    session.events.emit({ type: "apply-outcome", outcome });
    if (outcome.status !== "verified") {
      throw new PolicyError(`${recordId} was approved, but its apply ended ${outcome.status}: ${outcome.problems.join("; ") || "see the record"}`, { hint: `kubectl aiops show ${recordId} shows what failed` });
    }
  };
}
