import { describe, expect, it } from "vitest";
import { decide, mustStepDown, nextSpec, observe, releasedSpec, type Decision, type Observation } from "../../../src/app/watch/lease-decision.ts";
import type { LeaseSpec } from "../../../src/kube/lease.ts";

const T0 = 1_000_000;
const held = (holder: string, renewTime = "2026-12-07T10:00:00.000000Z", transitions = 0): LeaseSpec => ({ holderIdentity: holder, leaseDurationSeconds: 15, renewTime, acquireTime: renewTime, leaseTransitions: transitions });

describe("decide", () => {
  const cases: { name: string; spec: LeaseSpec | undefined; observedAtMs: number; nowMs: number; want: Decision }[] = [
    { name: "no lease: create it", spec: undefined, observedAtMs: T0, nowMs: T0, want: { action: "create" } },
    { name: "released (no holder): acquire at once", spec: { ...held("a"), holderIdentity: null }, observedAtMs: T0, nowMs: T0, want: { action: "acquire", why: "released" } },
    { name: "empty holder counts as released", spec: held(""), observedAtMs: T0, nowMs: T0, want: { action: "acquire", why: "released" } },
    { name: "ours: renew", spec: held("me"), observedAtMs: T0, nowMs: T0 + 60_000, want: { action: "renew" } },
    { name: "another's, seen changing just now: wait the duration", spec: held("a"), observedAtMs: T0, nowMs: T0 + 1000, want: { action: "wait", holder: "a", expiresMs: T0 + 15_000 } },
    { name: "another's, unchanged for less than the duration: wait", spec: held("a"), observedAtMs: T0, nowMs: T0 + 14_999, want: { action: "wait", holder: "a", expiresMs: T0 + 15_000 } },
    { name: "another's, unchanged for the duration: take over", spec: held("a"), observedAtMs: T0, nowMs: T0 + 15_000, want: { action: "acquire", why: "expired" } },
    { name: "the lease's own duration rules", spec: { ...held("a"), leaseDurationSeconds: 60 }, observedAtMs: T0, nowMs: T0 + 30_000, want: { action: "wait", holder: "a", expiresMs: T0 + 60_000 } },
  ];
  it.each(cases)("$name", ({ spec, observedAtMs, nowMs, want }) => {
    const observed: Observation = { record: "x", atMs: observedAtMs };
    expect(decide(spec, observed, "me", nowMs)).toEqual(want);
  });
});

describe("observe", () => {
  it("keeps the first time a record was seen while it does not change", () => {
    const first = observe(undefined, held("a"), T0);
    expect(observe(first, held("a"), T0 + 9000)).toBe(first);
  });

  it("restarts the clock when the holder renews, whatever the renewTime says (remote clocks are not trusted)", () => {
    const first = observe(undefined, held("a", "2026-12-07T10:00:00.000000Z"), T0);
    // a renewTime in the past (a skewed clock) is still a renewal
    const renewed = observe(first, held("a", "2026-12-07T09:00:00.000000Z"), T0 + 9000);
    expect(renewed.atMs).toBe(T0 + 9000);
    expect(decide(held("a"), renewed, "me", T0 + 20_000).action).toBe("wait");
  });

  it("a holder that stops renewing expires one duration after its last renewal was seen", () => {
    let observed = observe(undefined, held("a"), T0);
    for (let t = T0; t < T0 + 14_000; t += 2000) observed = observe(observed, held("a"), t);
    expect(decide(held("a"), observed, "me", T0 + 14_999).action).toBe("wait");
    expect(decide(held("a"), observed, "me", T0 + 15_000).action).toBe("acquire");
  });
});

describe("mustStepDown", () => {
  it.each([
    { sinceRenewMs: 0, want: false },
    { sinceRenewMs: 9_999, want: false },
    { sinceRenewMs: 10_000, want: true },
  ])("$sinceRenewMs ms after the last renewal: $want", ({ sinceRenewMs, want }) => {
    expect(mustStepDown(T0, T0 + sinceRenewMs)).toBe(want);
  });

  it("steps down before any standby may take over", () => {
    // the leader's last renewal is seen by a standby no earlier than it was made
    expect(mustStepDown(T0, T0 + 14_999)).toBe(true);
    expect(decide(held("a"), { record: "x", atMs: T0 }, "me", T0 + 14_999).action).toBe("wait");
  });
});

describe("nextSpec and releasedSpec", () => {
  const now = "2026-12-07T10:00:05.000000Z";
  it.each([
    { name: "create", spec: undefined, want: { holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 } },
    { name: "take over: one more transition, a new acquireTime", spec: held("a", "2026-12-07T09:59:00.000000Z", 3), want: { holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 4 } },
    { name: "renew: only renewTime moves", spec: held("me", "2026-12-07T09:59:00.000000Z", 3), want: { holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: "2026-12-07T09:59:00.000000Z", renewTime: now, leaseTransitions: 3 } },
  ])("$name", ({ spec, want }) => {
    expect(nextSpec(spec, "me", now)).toEqual(want);
  });

  it("a release clears the holder and keeps the rest", () => {
    expect(releasedSpec(held("me", "2026-12-07T09:59:00.000000Z", 2), now)).toEqual({ holderIdentity: null, leaseDurationSeconds: 1, acquireTime: "2026-12-07T09:59:00.000000Z", renewTime: now, leaseTransitions: 2 });
  });
});
