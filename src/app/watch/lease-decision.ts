/**
 * Leader election's decisions, pure (the protocol of client-go's leaderelection, on a
 * coordination.k8s.io Lease): who may write, when a holder counts as gone, what to write.
 *
 * Expiry is judged on the observer's own clock, never on the renewTime a remote clock wrote: a
 * standby notes when it first saw the lease's current record (holder, renewTime, transitions) and
 * takes over once that record has not changed for leaseDurationSeconds. A leader that has not
 * renewed for `renewDeadlineMs` (shorter than the duration) stops acting before any standby can
 * take over, so there are never two writers.
 */
import type { LeaseSpec } from "../../kube/lease.ts";

export interface LeaseTiming {
  /** How long a record unchanged means its holder is gone (15 s). */
  durationMs: number;
  /** A leader that could not renew for this long steps down (10 s; less than durationMs). */
  renewDeadlineMs: number;
  /** How often the leader renews (5 s). */
  renewEveryMs: number;
  /** How often a standby or a failed renewal tries again (2 s). */
  retryEveryMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { durationMs: 15_000, renewDeadlineMs: 10_000, renewEveryMs: 5_000, retryEveryMs: 2_000 };

/** The lease's record as last seen, and when (local clock) it was first seen so. */
export interface Observation {
  record: string;
  atMs: number;
}

export type Decision =
  | { action: "create" }
  | { action: "acquire"; why: "released" | "expired" }
  | { action: "renew" }
  | { action: "wait"; holder: string; expiresMs: number };

function recordOf(spec: LeaseSpec | undefined): string {
  return spec === undefined ? "" : JSON.stringify([spec.holderIdentity ?? "", spec.renewTime ?? "", spec.leaseTransitions ?? 0]);
}

/** The new observation: the previous one while the record is unchanged, else the record seen now. */
export function observe(previous: Observation | undefined, spec: LeaseSpec | undefined, nowMs: number): Observation {
  const record = recordOf(spec);
  return previous !== undefined && previous.record === record ? previous : { record, atMs: nowMs };
}

export function decide(spec: LeaseSpec | undefined, observed: Observation, me: string, nowMs: number, timing: LeaseTiming = DEFAULT_LEASE_TIMING): Decision {
  if (spec === undefined) return { action: "create" };
  const holder = spec.holderIdentity ?? "";
  if (holder === "") return { action: "acquire", why: "released" };
  if (holder === me) return { action: "renew" };
  // The holder's word on its duration, as client-go reads it.
  const durationMs = spec.leaseDurationSeconds === undefined || spec.leaseDurationSeconds <= 0 ? timing.durationMs : spec.leaseDurationSeconds * 1000;
  const expiresMs = observed.atMs + durationMs;
  return nowMs >= expiresMs ? { action: "acquire", why: "expired" } : { action: "wait", holder, expiresMs };
}

/** A leader whose last successful renewal is this old must stop acting. */
export function mustStepDown(lastRenewMs: number, nowMs: number, timing: LeaseTiming = DEFAULT_LEASE_TIMING): boolean {
  return nowMs - lastRenewMs >= timing.renewDeadlineMs;
}

/** The spec to write for a decision: a new holder counts a transition and a new acquireTime. */
export function nextSpec(spec: LeaseSpec | undefined, me: string, now: string, timing: LeaseTiming = DEFAULT_LEASE_TIMING): LeaseSpec {
  const durationSeconds = Math.max(1, Math.ceil(timing.durationMs / 1000));
  if (spec !== undefined && spec.holderIdentity === me) return { ...spec, leaseDurationSeconds: durationSeconds, renewTime: now };
  const transitions = spec === undefined ? 0 : (spec.leaseTransitions ?? 0) + 1;
  return { holderIdentity: me, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: transitions };
}

/** Given up on purpose (SIGTERM): no holder, so a standby takes over at its next try. */
export function releasedSpec(spec: LeaseSpec, now: string): LeaseSpec {
  return { ...spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: now };
}
