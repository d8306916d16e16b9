/**
 * Incident de-duplication for `watch`, as a pure state machine: many events about a failing
 * workload make ONE incident; it ends when the workload has been healthy (or gone) for
 * `resolveAfterMs`, so a crash loop that looks fine between two restarts does not open a second
 * one. Signals are judged per scope (a namespace, or "rules" for PromQL rules): an open incident
 * of the observed scope that is not failing any more starts its healthy clock.
 *
 * A tentative signal (a container that failed once and already runs again) opens an incident only
 * once it has stayed failing for `settleMs`: on a real kubelet the first exit of what becomes a
 * crash loop is restarted at once and looks like a one-off, and the back-off (the crash loop, the
 * cause worth recording) shows only ~10 s later. A definite signal for the same key opens at once;
 * either way the incident keeps the first evidence, so MTTD is not flattered by the wait.
 */

export interface Signal<P = unknown> {
  /** "Deployment/shop/api" or "rule/high-5xx". */
  key: string;
  /** Epoch ms of the failure's first evidence (termination or event time). */
  firstEvidenceMs: number;
  payload: P;
  /** Not yet a failure worth an incident unless it lasts `settleMs` (see the file comment). */
  tentative?: boolean;
}

export interface Incident {
  key: string;
  scope: string;
  firstEvidenceMs: number;
  openedMs: number;
  /** Set once the record is written. */
  recordId?: string;
  /** When it was first seen healthy again; cleared if it fails again before resolving. */
  healthySinceMs?: number;
  /** Known at start (failing before watch began, or adopted from an open record). */
  baseline: boolean;
}

export type IncidentAction<P> = { type: "open"; incident: Incident; signal: Signal<P> } | { type: "resolve"; incident: Incident; atMs: number };

export interface IncidentOptions {
  resolveAfterMs: number;
  /** How long a tentative signal must last before it opens an incident (default 15 s). */
  settleMs?: number;
}

export const DEFAULT_RESOLVE_AFTER_MS = 60_000;
/** Longer than the kubelet's first crash back-off (10 s) plus a restart. */
export const DEFAULT_SETTLE_MS = 15_000;

interface Pending {
  scope: string;
  sinceMs: number;
  firstEvidenceMs: number;
}

export class IncidentBook {
  private readonly open = new Map<string, Incident>();
  /** Tentative signals waiting out `settleMs`, by key. */
  private readonly pending = new Map<string, Pending>();
  private readonly options: IncidentOptions;

  constructor(options: IncidentOptions = { resolveAfterMs: DEFAULT_RESOLVE_AFTER_MS }) {
    this.options = options;
  }

  /**
   * One evaluation of a scope at `nowMs`: `failing` is everything failing in it now. New
   * failures `baselineOf` accepts (all, with `true`) are remembered without an "open" action: they
   * predate the watch.
   */
  observe<P>(scope: string, nowMs: number, failing: readonly Signal<P>[], baselineOf: boolean | ((signal: Signal<P>) => boolean) = false): IncidentAction<P>[] {
    const actions: IncidentAction<P>[] = [];
    const failingKeys = new Set(failing.map((s) => s.key));
    const settleMs = this.options.settleMs ?? DEFAULT_SETTLE_MS;
    for (const signal of failing) {
      const baseline = typeof baselineOf === "function" ? baselineOf(signal) : baselineOf;
      const known = this.open.get(signal.key);
      if (known !== undefined) {
        delete known.healthySinceMs;
        continue;
      }
      let firstEvidenceMs = Math.min(signal.firstEvidenceMs, nowMs);
      const pending = this.pending.get(signal.key);
      if (pending !== undefined) firstEvidenceMs = Math.min(firstEvidenceMs, pending.firstEvidenceMs);
      if (signal.tentative === true && !baseline) {
        if (pending === undefined) {
          this.pending.set(signal.key, { scope, sinceMs: nowMs, firstEvidenceMs });
          continue;
        }
        if (nowMs - pending.sinceMs < settleMs) continue;
      }
      this.pending.delete(signal.key);
      const incident: Incident = { key: signal.key, scope, firstEvidenceMs, openedMs: nowMs, baseline };
      this.open.set(signal.key, incident);
      if (!baseline) actions.push({ type: "open", incident, signal });
    }
    // a tentative failure that is gone before it settled was a one-off: nothing to record
    for (const [key, pending] of this.pending) if (pending.scope === scope && !failingKeys.has(key)) this.pending.delete(key);
    for (const incident of [...this.open.values()]) {
      if (incident.scope !== scope || failingKeys.has(incident.key)) continue;
      if (incident.healthySinceMs === undefined) incident.healthySinceMs = nowMs;
      if (nowMs - incident.healthySinceMs >= this.options.resolveAfterMs) {
        this.open.delete(incident.key);
        actions.push({ type: "resolve", incident, atMs: nowMs });
      }
    }
    return actions;
  }

  /** An incident recorded by an earlier run (an open record in the history). */
  adopt(incident: Omit<Incident, "baseline">): void {
    this.open.set(incident.key, { ...incident, baseline: true });
  }

  /** Drops an incident whose record could not be written: the next evaluation opens it again. */
  forget(key: string): void {
    this.open.delete(key);
  }

  setRecord(key: string, recordId: string): void {
    const incident = this.open.get(key);
    if (incident !== undefined) incident.recordId = recordId;
  }

  /**
   * Scopes with an incident waiting to resolve or a tentative failure waiting to settle:
   * re-evaluated on every tick, events or not.
   */
  scopesAwaitingResolution(): Set<string> {
    const scopes = new Set([...this.open.values()].filter((i) => i.healthySinceMs !== undefined).map((i) => i.scope));
    for (const pending of this.pending.values()) scopes.add(pending.scope);
    return scopes;
  }

  list(): Incident[] {
    return [...this.open.values()];
  }
}
