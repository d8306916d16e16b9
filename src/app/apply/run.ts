/**
 * One apply of one proposal record, step by step. Every step that changes something appends to
 * the record and commits before the next begins, so a process killed at any point leaves a
 * record that says how far it got (status `applying` + the last event; see interrupted.ts).
 *
 *   checks -> [approved, trivial only] -> applying -> patch -> rollout -> verify window
 *     -> verified | (inverse -> old spec back -> rolled-back) | failed
 */
import path from "node:path";
import { AiopsError, PolicyError } from "../../errors.ts";
import { readOptional } from "../../kube/apply.ts";
import type { KubeObject } from "../../model/k8s.ts";
import { openGit } from "../../records/git.ts";
import type { FrontMatter, RecordAction, RecordEvent, RecordTarget } from "../../records/schema.ts";
import type { RecordLocation } from "../../records/scan.ts";
import { appendToRecord, utcSeconds, type RecordChange } from "../../records/store.ts";
import type { AppEvent, ApplyStep } from "../events.ts";
import { verifyHistory } from "../records.ts";
import { checkAccess, dryRunAction, judgeAudit } from "./checks.ts";
import { compareToBody, describeDifferences } from "./compare.ts";
import { committed, rolesOf, storeDepsOf, timed, type ApplyContext } from "./context.ts";
import { detectDrift, operationOf } from "./drift.ts";
import { hasInverse, sendForward, sendInverse } from "./execute.ts";
import { baselineOf, type HealthBaseline, type HealthVerdict } from "./health.ts";
import { APPLY_EVENTS } from "./interrupted.ts";
import { observe, podMetrics, subjectOf, waitForObserved, waitForRollout, watchHealth, type Subject } from "./observe.ts";
import { executionSection, validationSection, type ApplyOutcome, type Step } from "./report.ts";

/** The apply-step event of each record event type a step writes (the others are a verdict or a rollback). */
const STEP_OF: Record<string, ApplyStep> = {
  [APPLY_EVENTS.approved]: "approved",
  [APPLY_EVENTS.applying]: "applying",
  [APPLY_EVENTS.patched]: "patched",
  [APPLY_EVENTS.resumed]: "resumed",
  [APPLY_EVENTS.rolloutComplete]: "rollout-complete",
  [APPLY_EVENTS.rollbackStarted]: "rollback-started",
  [APPLY_EVENTS.refused]: "refused",
  [APPLY_EVENTS.failed]: "failed",
};

/** A step written to the record: its event type and detail, and the event it sends (by default the apply-step of STEP_OF). */
interface Announced {
  step: string;
  detail: string;
  event?: AppEvent;
}

export class ApplyRun {
  readonly steps: Step[] = [];
  readonly problems: string[] = [];
  private status: string;
  private user = "unknown";
  private readonly target: RecordTarget;
  private readonly action: RecordAction;
  private readonly ctx: ApplyContext;
  private readonly location: RecordLocation;
  private readonly fm: FrontMatter;

  constructor(ctx: ApplyContext, location: RecordLocation, fm: FrontMatter) {
    this.ctx = ctx;
    this.location = location;
    this.fm = fm;
    this.status = fm.status;
    // checkApplicable has made sure both are present.
    this.target = fm.target as RecordTarget;
    this.action = fm.action as RecordAction;
  }

  get id(): string {
    return this.fm.id;
  }

  private get what(): string {
    return `${this.target.kind.toLowerCase()} ${this.target.namespace ?? ""}/${this.target.name}`;
  }

  /** Appends to the record and commits (one commit per step); the step's event goes out before the commit. */
  async write(change: Omit<RecordChange, "roles">, step?: Announced): Promise<void> {
    const at = utcSeconds(this.ctx.now());
    const events: RecordEvent[] = [...(change.events ?? [])];
    if (step !== undefined) {
      events.push({ at, type: step.step, detail: step.detail });
      this.note(step.step, step.detail, step.event, at);
    }
    const roles = rolesOf(this.ctx.policy);
    const written = await timed(this.ctx, "records", () => appendToRecord(this.ctx.history, this.id, { ...change, events, ...(roles === undefined ? {} : { roles }) }, storeDepsOf(this.ctx)));
    committed(this.ctx, written);
    if (change.status !== undefined) this.status = change.status;
  }

  /** A step of the Execution section, and its event. */
  note(step: string, detail: string, event?: AppEvent, at = utcSeconds(this.ctx.now())): void {
    this.steps.push({ at, step, detail });
    const applyStep = STEP_OF[step];
    const sent = event ?? (applyStep === undefined ? undefined : this.stepEvent(applyStep, detail));
    if (sent !== undefined) this.ctx.emit(sent);
  }

  private stepEvent(step: ApplyStep, detail: string): AppEvent {
    return { type: "apply-step", record: this.id, step, detail };
  }

  /** A refusal after the record was read is itself recorded (who tried, and why it was refused). */
  async refuse(error: AiopsError): Promise<never> {
    await this.write({}, { step: APPLY_EVENTS.refused, detail: `by ${this.user}: ${error.message}` }).catch(() => undefined);
    throw error;
  }

  // ------------------------------------------------------------------ checks

  async identify(): Promise<void> {
    this.user = await this.ctx.identify();
  }

  /** The record's committed history must verify, and the file must equal its last commit. */
  async audit(): Promise<string> {
    return timed(this.ctx, "audit", async () => {
      const history = this.ctx.history;
      const repoPath = history.relDir === "" ? this.location.relative : `${history.relDir}/${this.location.relative}`;
      const dirty = (await openGit(history.repoRoot).raw(["status", "--porcelain", "--", repoPath])).trim();
      if (dirty !== "") {
        throw new PolicyError(`refused: record ${this.id} has uncommitted changes (${dirty.split("\n")[0] ?? ""}); only what was committed through kubectl aiops is applied`, {
          hint: `inspect with git diff -- ${path.join(history.repoRoot, repoPath)}; restore with git checkout HEAD -- ${path.join(history.repoRoot, repoPath)}`,
        });
      }
      const result = await verifyHistory(this.ctx.location, { requireSigned: this.ctx.requireSigned });
      judgeAudit(this.id, result, (m) => this.ctx.warn(m));
      return `audit verify: ${result.records} record(s), ${result.commits} commit(s), this record intact`;
    });
  }

  async readLive(): Promise<KubeObject | undefined> {
    return timed(this.ctx, "read", () => readOptional(this.ctx.api, { kind: this.target.kind, namespace: this.target.namespace ?? "", name: this.target.name }));
  }

  async checkDrift(live: KubeObject | undefined): Promise<string> {
    const drift = detectDrift(this.target, this.action, live);
    if (drift.drift) {
      await this.refuse(new PolicyError(`refused: ${this.what} drifted since proposal ${this.id}: ${drift.reasons.join("; ")}`, { hint: "the approved patch was judged against the object as it was; propose the change again against the current object" }));
    }
    return drift.notes.length === 0 ? "no drift since the proposal" : `no drift (${drift.notes.join("; ")})`;
  }

  async checkAccessAndDryRun(): Promise<string[]> {
    const access = await timed(this.ctx, "access", () => checkAccess(this.ctx.api, this.target, this.action, this.user)).catch((error: unknown) => (error instanceof AiopsError ? this.refuse(error) : Promise.reject(error)));
    const dryRun = await timed(this.ctx, "dryRun", () => dryRunAction(this.ctx.api, this.target, this.action));
    if (dryRun.result === "failed") await this.refuse(new PolicyError(`refused: ${dryRun.message}`, { hint: "the server no longer accepts this change; propose it again" }));
    this.ctx.emit(this.stepEvent("dry-run", dryRun.message));
    return [access, dryRun.message];
  }

  // ------------------------------------------------------------------ apply

  async run(options: { autoApprove: boolean }): Promise<ApplyOutcome> {
    // The audit walk is local git work and the rest is API round trips: run them side by side,
    // then judge in the order an SRE reads them (audit, drift, access, dry run), so the first
    // refusal named is the most fundamental one. Nothing here changes the cluster.
    const identified = this.identify();
    const audit = this.audit();
    const live = this.readLive();
    const access = identified.then(() => timed(this.ctx, "access", () => checkAccess(this.ctx.api, this.target, this.action, this.user)));
    const dryRun = timed(this.ctx, "dryRun", () => dryRunAction(this.ctx.api, this.target, this.action));
    const observed = live.then(async (object) => {
      const subject = await subjectOf(this.ctx.api, this.target, this.action, object);
      return { subject, baseline: subject === undefined ? undefined : await this.baseline(subject) };
    });
    const settled = await Promise.allSettled([identified, audit, live, access, dryRun, observed]);
    const checks = [await audit];
    checks.push(await this.checkDrift(await live));
    checks.push(await access.catch((error: unknown) => (error instanceof AiopsError ? this.refuse(error) : Promise.reject(error))));
    const dry = await dryRun;
    if (dry.result === "failed") await this.refuse(new PolicyError(`refused: ${dry.message}`, { hint: "the server no longer accepts this change; propose it again" }));
    checks.push(dry.message);
    this.ctx.emit(this.stepEvent("dry-run", dry.message));
    if (settled[5].status === "rejected") throw settled[5].reason;
    const { subject, baseline } = await observed;
    const baselineText = baseline === undefined ? "no pods to watch" : `baseline categories: ${baseline.categories.join(",") || "none"}`;
    this.ctx.emit(this.stepEvent("checked", `${checks.join("; ")}; ${baselineText}`));
    if (options.autoApprove) await this.write({ status: "approved" }, { step: APPLY_EVENTS.approved, detail: `trivial tier: no approval needed, logged; applied by ${this.user}` });
    await this.write({ status: "applying", events: [{ at: utcSeconds(this.ctx.now()), type: APPLY_EVENTS.checked, detail: `${checks.join("; ")}; ${baselineText}` }] }, { step: APPLY_EVENTS.applying, detail: `${this.verbText()} by ${this.user} with fieldManager kubectl-aiops` });
    this.steps.unshift(...checks.map((c) => ({ at: utcSeconds(this.ctx.now()), step: "check", detail: c })));
    await this.patch(await live);
    return this.afterPatch(subject, baseline);
  }

  /** Continues an interrupted apply from what the cluster shows (see interrupted.ts). */
  async resume(options: { rollingBack: boolean; baselineCategories: string[] }): Promise<ApplyOutcome> {
    await this.identify();
    await this.audit();
    const live = await this.readLive();
    const subject = await subjectOf(this.ctx.api, this.target, this.action, live);
    const baseline = subject === undefined ? undefined : { ...(await this.baseline(subject)), categories: options.baselineCategories };
    if (options.rollingBack) {
      await this.write({}, { step: APPLY_EVENTS.resumed, detail: `by ${this.user}: finishing the interrupted automatic rollback` });
      return this.rollback(subject, "the interrupted apply had started its automatic rollback", undefined);
    }
    if (this.forwardInPlace(live)) {
      await this.write({}, { step: APPLY_EVENTS.resumed, detail: `by ${this.user}: the patch is in place on ${this.what}; continuing with the rollout wait and verification` });
    } else {
      const drift = detectDrift(this.target, this.action, live);
      if (drift.drift) {
        throw new PolicyError(`cannot resume ${this.id}: ${this.what} holds neither the proposal's old values nor its new ones: ${drift.reasons.join("; ")}`, { hint: `run kubectl aiops rollback ${this.id} to restore the recorded old values, or inspect the object by hand` });
      }
      await this.checkAccessAndDryRun();
      await this.write({}, { step: APPLY_EVENTS.resumed, detail: `by ${this.user}: the patch had not reached ${this.what}; sending it now` });
      await this.patch(live);
    }
    return this.afterPatch(subject, baseline);
  }

  /** `rollback` of a record left in `applying`: send the inverse and record rolled-back. */
  async rollbackInterrupted(): Promise<ApplyOutcome> {
    await this.identify();
    await this.audit();
    const live = await this.readLive();
    const subject = await subjectOf(this.ctx.api, this.target, this.action, live);
    await this.write({}, { step: APPLY_EVENTS.resumed, detail: `by ${this.user}: rollback requested after an interrupted apply` });
    return this.rollback(subject, `rollback requested by ${this.user} after an interrupted apply`, undefined);
  }

  private forwardInPlace(live: KubeObject | undefined): boolean {
    switch (operationOf(this.action)) {
      case "create":
        return live !== undefined;
      case "delete":
        return live === undefined || live.metadata.uid !== (this.action.patch as { delete?: { preconditions?: { uid?: string } } }).delete?.preconditions?.uid;
      case "patch":
        return live !== undefined && compareToBody(live, this.action.patch, this.action.patchType).length === 0;
    }
  }

  private async baseline(subject: Subject): Promise<HealthBaseline> {
    const before = await timed(this.ctx, "read", () => observe(this.ctx, subject));
    return baselineOf(before.pods, before.findings);
  }

  private verbText(): string {
    const op = operationOf(this.action);
    return op === "delete" ? `delete ${this.what}` : op === "create" ? `create ${this.what} (server-side apply)` : `patch ${this.what} (${this.action.patchType ?? "strategic"})`;
  }

  private async patch(live: KubeObject | undefined): Promise<void> {
    let stored: KubeObject | undefined;
    try {
      stored = await timed(this.ctx, "patch", () => sendForward(this.ctx.api, this.target, this.action));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.write({ status: "failed", bodyAppend: executionSection([...this.steps, { at: utcSeconds(this.ctx.now()), step: "failed", detail: message }]) }, { step: APPLY_EVENTS.failed, detail: `the API server refused the patch: ${message}` });
      throw new PolicyError(`apply of ${this.id} failed: the API server refused the patch: ${message}`, { hint: "nothing was changed; see the record for details and propose again", cause: error });
    }
    const meta = stored?.metadata;
    const detail = stored === undefined ? `${this.what} deleted (uid ${live?.metadata.uid ?? "-"})` : `${this.what} now at resourceVersion ${meta?.resourceVersion ?? "-"}, generation ${meta?.generation ?? "-"}`;
    await this.write({}, { step: APPLY_EVENTS.patched, detail });
  }

  private async afterPatch(subject: Subject | undefined, baseline: HealthBaseline | undefined): Promise<ApplyOutcome> {
    if (subject === undefined || baseline === undefined) {
      return this.finishVerified(undefined, { windowSeconds: 0, polls: 0, seconds: 0, note: "No workload pods to watch for this change: verified on the API server's acceptance." });
    }
    const goneUid = operationOf(this.action) === "delete" ? (this.action.patch as { delete?: { preconditions?: { uid?: string } } }).delete?.preconditions?.uid : undefined;
    const rollout = await timed(this.ctx, "rollout", () => waitForRollout(this.ctx, subject, baseline, this.ctx.progressTimeoutSeconds, goneUid === undefined ? {} : { goneUid }));
    if (rollout.outcome !== "complete") {
      const detail = `${rollout.outcome === "timeout" ? "timed out" : "failed"} after ${rollout.seconds}s: ${rollout.message}`;
      const problems = rollout.verdict?.problems ?? [rollout.message];
      await this.write({}, { step: APPLY_EVENTS.rolloutFailed, detail, event: { type: "verification", record: this.id, verdict: "failed", phase: "rollout", problems, detail } });
      return this.rollback(subject, rollout.message, rollout.verdict, rollout.seconds, baseline);
    }
    await this.write({}, { step: APPLY_EVENTS.rolloutComplete, detail: `${rollout.message} after ${rollout.seconds}s` });
    this.ctx.emit(this.stepEvent("watching", `health for ${this.ctx.verifyWindowSeconds}s`));
    const verify = await timed(this.ctx, "verify", () => watchHealth(this.ctx, subject, baseline, this.ctx.verifyWindowSeconds));
    if (!verify.healthy) {
      const reason = verify.verdict.problems.join("; ");
      const detail = `after ${verify.seconds}s (${verify.polls} check(s)): ${reason}`;
      await this.write({}, { step: APPLY_EVENTS.verifyFailed, detail, event: { type: "verification", record: this.id, verdict: "failed", phase: "window", problems: verify.verdict.problems, detail } });
      return this.rollback(subject, reason, verify.verdict, verify.seconds, baseline);
    }
    const metrics = await podMetrics(this.ctx.api, subject, verify.last.workload);
    return this.finishVerified(verify.verdict, { windowSeconds: this.ctx.verifyWindowSeconds, polls: verify.polls, seconds: verify.seconds }, metrics);
  }

  private async finishVerified(verdict: HealthVerdict | undefined, facts: { windowSeconds: number; polls: number; seconds: number; note?: string }, metrics?: Record<string, unknown>): Promise<ApplyOutcome> {
    const detail = verdict === undefined ? "accepted by the API server" : `healthy for ${facts.windowSeconds}s: ${verdict.ready}/${verdict.total} pods ready, ${verdict.restarts} restart(s), no new findings`;
    this.note(APPLY_EVENTS.verified, detail, { type: "verification", record: this.id, verdict: "verified", phase: verdict === undefined ? "none" : "window", problems: [], detail });
    const post: Record<string, unknown> = { verifiedAt: utcSeconds(this.ctx.now()), verifyWindowSeconds: facts.windowSeconds, ...(verdict === undefined ? {} : { podsReady: verdict.ready, pods: verdict.total, restarts: verdict.restarts }), ...(metrics === undefined ? {} : { usage: metrics }) };
    await this.write({
      status: "verified",
      events: [{ at: utcSeconds(this.ctx.now()), type: APPLY_EVENTS.verified, detail }],
      metricsPost: post,
      bodyAppend: `${executionSection(this.steps)}\n${validationSection("verified", verdict, facts)}`,
    });
    return this.outcome();
  }

  /**
   * The automatic rollback: bounded by ctx.rollbackBoundSeconds from its start. When the workload
   * was already failing before the change (the change was a fix that did not work), the spec it
   * restores cannot complete a rollout either: the rollback then waits only for the controller to
   * take the old spec back, not for a rollout that was not complete before the change.
   */
  private async rollback(subject: Subject | undefined, reason: string, verdict: HealthVerdict | undefined, seconds = 0, baseline?: HealthBaseline): Promise<ApplyOutcome> {
    this.problems.push(reason);
    const started = this.ctx.now().getTime();
    const validation = validationSection("failed", verdict, { windowSeconds: this.ctx.verifyWindowSeconds, polls: 0, seconds, reason });
    if (!hasInverse(this.action)) {
      const detail = `not verified and nothing to roll back (${String((this.action.rollback as { none?: string } | undefined)?.none ?? "no inverse")})`;
      await this.write({ status: "failed", bodyAppend: `${executionSection(this.steps)}\n${validation}` }, { step: APPLY_EVENTS.failed, detail, event: { type: "rollback", record: this.id, reason, outcome: "failed", detail } });
      return this.outcome();
    }
    await this.write({}, { step: APPLY_EVENTS.rollbackStarted, detail: `sending the recorded inverse to ${this.what}` });
    try {
      await timed(this.ctx, "rollbackPatch", () => sendInverse(this.ctx.api, this.target, this.action));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const detail = `the automatic rollback failed: ${message}; undo by hand with the commands under "Rollback procedure"`;
      await this.write({ status: "failed", bodyAppend: `${executionSection(this.steps)}\n${validation}` }, { step: APPLY_EVENTS.failed, detail, event: { type: "rollback", record: this.id, reason, outcome: "failed", detail } });
      throw new PolicyError(`apply of ${this.id} did not verify and its automatic rollback failed: ${message}`, { hint: `undo by hand: kubectl aiops show ${this.id} lists the exact commands under "Rollback procedure"`, cause: error });
    }
    const remaining = Math.max(5, this.ctx.rollbackBoundSeconds - Math.round((this.ctx.now().getTime() - started) / 1000));
    let restored = "the inverse was applied";
    const failingBefore = baseline?.categories ?? [];
    if (subject !== undefined && failingBefore.length > 0) {
      const back = await timed(this.ctx, "rollbackWait", () => waitForObserved(this.ctx, subject, remaining));
      restored = back.outcome === "complete"
        ? `old spec back (${back.message}); it was failing before the change too (${failingBefore.join(", ")}), so its rollout is not waited for`
        : `inverse applied, but the controller has not taken the old spec back yet (${back.message})`;
    } else if (subject !== undefined) {
      const back = await timed(this.ctx, "rollbackWait", () => waitForRollout(this.ctx, subject, undefined, remaining));
      restored = back.outcome === "complete" ? `old spec back and rolled out: ${back.message}` : `inverse applied, but the old spec's rollout is not complete (${back.message})`;
    }
    const live = await this.readLive();
    if (operationOf(this.action) === "patch" && live !== undefined) {
      const left = compareToBody(live, this.action.rollback, this.action.patchType);
      if (left.length > 0) restored += `; WARNING: not every field is back: ${describeDifferences(left)}`;
    }
    const took = Math.round((this.ctx.now().getTime() - started) / 1000);
    const detail = `${restored} (rollback took ${took}s)`;
    this.note(APPLY_EVENTS.rolledBack, detail, { type: "rollback", record: this.id, reason, outcome: "rolled-back", detail });
    await this.write({
      status: "rolled-back",
      events: [{ at: utcSeconds(this.ctx.now()), type: APPLY_EVENTS.rolledBack, detail: `${restored}; cause: ${reason}` }],
      bodyAppend: `${executionSection(this.steps)}\n${validation}`,
    });
    return this.outcome();
  }

  outcome(): ApplyOutcome {
    return { apiVersion: "aiops.dev/v1", kind: "ApplyResult", record: this.id, path: this.location.absolute, target: this.what, status: this.status, steps: this.steps, problems: this.problems, timings: this.ctx.timings };
  }
}

/** The baseline categories written in the apply-checked event, for --resume. */
export function baselineCategoriesOf(fm: FrontMatter): string[] {
  const detail = [...fm.events].reverse().find((e) => e.type === APPLY_EVENTS.checked)?.detail ?? "";
  const match = /baseline categories: ([^;]*)$/.exec(detail);
  const text = match?.[1]?.trim() ?? "none";
  return text === "none" || text === "" ? [] : text.split(",");
}
