/**
 * `watch --leader-elect`: one active watch among replicas through a coordination.k8s.io Lease
 * (the protocol of client-go's leaderelection; decisions in lease-decision.ts, HTTP in
 * src/kube/lease.ts). `acquireLeadership` waits until this process holds the lease, then renews
 * it in the background; when renewals fail for `renewDeadlineMs` (or someone else holds it) the
 * `lost` signal fires and the caller must stop at once. `release` clears the holder so a standby
 * takes over at its next try instead of waiting out the lease.
 */
import { ForbiddenError, UnauthorizedError } from "../../errors.ts";
import { microTime, type Lease, type LeaseApi } from "../../kube/lease.ts";
import { DEFAULT_LEASE_TIMING, decide, mustStepDown, nextSpec, observe, releasedSpec, type LeaseTiming, type Observation } from "./lease-decision.ts";

export interface ElectionDeps {
  api: LeaseApi;
  identity: string;
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  log(message: string): void;
  timing?: LeaseTiming;
}

export interface Leadership {
  /** The holder before us and its last renewal (its clock), when the lease existed already. */
  previous?: { holder: string; renewMs: number | undefined };
  /** Fires when this process may no longer act as the leader; its reason says why. */
  lost: AbortSignal;
  /** Stops renewing and clears the holder (unless the lease was lost). */
  release(): Promise<void>;
}

/** Resolves once this process leads, or undefined when `signal` aborts first. */
export async function acquireLeadership(deps: ElectionDeps, signal: AbortSignal): Promise<Leadership | undefined> {
  const timing = deps.timing ?? DEFAULT_LEASE_TIMING;
  const where = `lease ${deps.api.namespace}/${deps.api.name}`;
  let observed: Observation | undefined;
  let waitingFor = "";
  let failing = false;
  while (!signal.aborted) {
    try {
      const lease = await deps.api.get();
      const nowMs = deps.now();
      observed = observe(observed, lease?.spec, nowMs);
      const decision = decide(lease?.spec, observed, deps.identity, nowMs, timing);
      failing = false;
      if (decision.action === "wait") {
        if (waitingFor !== decision.holder) deps.log(`standing by: ${where} is held by ${decision.holder}; taking over if it is not renewed for ${timing.durationMs / 1000}s`);
        waitingFor = decision.holder;
      } else {
        const spec = nextSpec(lease?.spec, deps.identity, microTime(new Date(nowMs)), timing);
        const written = lease === undefined ? await deps.api.create(spec) : await deps.api.update({ ...lease, spec });
        if (written !== undefined) {
          const before = lease?.spec.holderIdentity ?? "";
          deps.log(`leading: acquired ${where} as ${deps.identity}${decision.action === "acquire" ? ` (${decision.why === "expired" ? `${before} stopped renewing` : "released by its holder"})` : ""}`);
          // A released lease keeps its last renewTime: what began after it, nobody watched.
          const previous = lease !== undefined && before !== deps.identity ? { holder: before === "" ? "a holder that released it" : before, renewMs: parseTime(lease.spec.renewTime) } : undefined;
          return hold(deps, timing, written, previous);
        }
        // 409: another replica wrote first; read again
      }
    } catch (error) {
      if (error instanceof ForbiddenError || error instanceof UnauthorizedError) throw error;
      if (!failing) deps.log(`warning: ${where}: ${error instanceof Error ? error.message : String(error)}; retrying every ${timing.retryEveryMs / 1000}s`);
      failing = true;
    }
    await deps.sleep(timing.retryEveryMs, signal);
  }
  return undefined;
}

function hold(deps: ElectionDeps, timing: LeaseTiming, acquired: Lease, previous: Leadership["previous"]): Leadership {
  const where = `lease ${deps.api.namespace}/${deps.api.name}`;
  const lostController = new AbortController();
  const stopped = new AbortController();
  let current = acquired;
  let lastRenewMs = deps.now();
  const lose = (reason: string): void => {
    if (lostController.signal.aborted) return;
    deps.log(`error: ${reason}; stopping`);
    lostController.abort(reason);
  };
  // A renewal that hangs must not keep us acting past the deadline: checked on its own clock.
  const watchdog = setInterval(() => {
    if (mustStepDown(lastRenewMs, deps.now(), timing)) lose(`could not renew ${where} for ${timing.renewDeadlineMs / 1000}s`);
  }, Math.min(1000, timing.retryEveryMs));
  const renewing = (async () => {
    let failed = false;
    while (!stopped.signal.aborted && !lostController.signal.aborted) {
      await deps.sleep(failed ? timing.retryEveryMs : timing.renewEveryMs, stopped.signal);
      if (stopped.signal.aborted || lostController.signal.aborted) break;
      try {
        const nowMs = deps.now();
        const written = await deps.api.update({ ...current, spec: nextSpec(current.spec, deps.identity, microTime(new Date(nowMs)), timing) });
        if (written === undefined) {
          // 409: the lease changed under us. Still ours (an earlier write of ours) or taken?
          const fresh = await deps.api.get();
          if (fresh === undefined || fresh.spec.holderIdentity !== deps.identity) {
            lose(`${where} is now held by ${fresh?.spec.holderIdentity ?? "nobody (deleted)"}`);
            break;
          }
          current = fresh;
          failed = true;
          continue;
        }
        if (mustStepDown(lastRenewMs, deps.now(), timing)) break; // too late: the watchdog has spoken
        current = written;
        lastRenewMs = nowMs;
        failed = false;
      } catch (error) {
        failed = true;
        deps.log(`warning: renewing ${where}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return {
    ...(previous === undefined ? {} : { previous }),
    lost: lostController.signal,
    async release() {
      stopped.abort();
      clearInterval(watchdog);
      await renewing;
      if (lostController.signal.aborted) return;
      try {
        await deps.api.update({ ...current, spec: releasedSpec(current.spec, microTime(new Date(deps.now()))) });
        deps.log(`released ${where}`);
      } catch (error) {
        deps.log(`warning: could not release ${where} (${error instanceof Error ? error.message : String(error)}); a standby takes over when it expires`);
      }
    },
  };
}

function parseTime(value: string | null | undefined): number | undefined {
  const ms = value === undefined || value === null ? NaN : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
