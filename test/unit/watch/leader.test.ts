import { describe, expect, it } from "vitest";
import { acquireLeadership, type ElectionDeps } from "../../../src/app/watch/leader.ts";
import type { LeaseTiming } from "../../../src/app/watch/lease-decision.ts";
import type { Lease, LeaseApi, LeaseSpec } from "../../../src/kube/lease.ts";
import { AiopsError, ForbiddenError } from "../../../src/errors.ts";

/** One Lease in memory with the API server's optimistic concurrency (409 on a stale resourceVersion). */
class MemoryLease {
  lease: Lease | undefined;
  private version = 0;

  api(options: { broken?: () => boolean } = {}): LeaseApi {
    const check = (): void => {
      if (options.broken?.() === true) throw new AiopsError("cannot reach the API server: connection refused");
    };
    return {
      name: "aiops-watch",
      namespace: "aiops-system",
      get: async () => {
        check();
        return this.lease === undefined ? undefined : structuredClone(this.lease);
      },
      create: async (spec: LeaseSpec) => {
        check();
        if (this.lease !== undefined) return undefined;
        this.lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "aiops-watch", namespace: "aiops-system", resourceVersion: String(++this.version) }, spec };
        return structuredClone(this.lease);
      },
      update: async (lease: Lease) => {
        check();
        if (this.lease === undefined || lease.metadata.resourceVersion !== this.lease.metadata.resourceVersion) return undefined;
        this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
        return structuredClone(this.lease);
      },
    };
  }
}

// Fast timing on the real clock, about the ratios of the defaults (15 s / 10 s / 5 s / 2 s); the
// Lease carries whole seconds.
const TIMING: LeaseTiming = { durationMs: 1000, renewDeadlineMs: 600, renewEveryMs: 250, retryEveryMs: 100 };

function deps(api: LeaseApi, identity: string, log: string[] = []): ElectionDeps {
  return {
    api,
    identity,
    now: Date.now,
    timing: TIMING,
    log: (m) => log.push(m),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => (clearTimeout(timer), resolve(undefined)), { once: true });
      }),
  };
}

describe("acquireLeadership", () => {
  it("one leader at a time; a holder that stops renewing steps down before the standby takes over", async () => {
    const memory = new MemoryLease();
    let aBroken = false;
    const a = await acquireLeadership(deps(memory.api({ broken: () => aBroken }), "a"), new AbortController().signal);
    expect(a).toBeDefined();
    expect(a?.previous).toBeUndefined();
    const standby = new AbortController();
    const bLog: string[] = [];
    let bLeadsAt = 0;
    const b = acquireLeadership(deps(memory.api(), "b", bLog), standby.signal).then((l) => ((bLeadsAt = Date.now()), l));
    // a keeps renewing: b stays a standby well past the lease duration
    await new Promise((r) => setTimeout(r, 3 * TIMING.durationMs));
    expect(bLeadsAt).toBe(0);
    expect(memory.lease?.spec.holderIdentity).toBe("a");
    expect(bLog.join("\n")).toContain("standing by: lease aiops-system/aiops-watch is held by a");

    // a loses the API server: it must stop acting before b may start
    aBroken = true;
    const brokenAt = Date.now();
    let aLostAt = 0;
    a?.lost.addEventListener("abort", () => (aLostAt = Date.now()));
    const leader = await b;
    expect(aLostAt).toBeGreaterThan(0);
    expect(aLostAt).toBeLessThan(bLeadsAt);
    expect(aLostAt - brokenAt).toBeLessThan(TIMING.durationMs);
    expect(String(a?.lost.reason)).toContain("could not renew lease aiops-system/aiops-watch");
    expect(leader?.previous?.holder).toBe("a");
    expect(memory.lease?.spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    await a?.release();
    await leader?.release();
  });

  it("a released lease is taken over at the standby's next try, not after the duration", async () => {
    const memory = new MemoryLease();
    const a = await acquireLeadership(deps(memory.api(), "a"), new AbortController().signal);
    const b = acquireLeadership(deps(memory.api(), "b"), new AbortController().signal);
    await new Promise((r) => setTimeout(r, 300));
    const releasedAt = Date.now();
    await a?.release();
    expect(memory.lease?.spec.holderIdentity).toBeNull();
    const leader = await b;
    expect(Date.now() - releasedAt).toBeLessThan(TIMING.durationMs);
    expect(leader?.previous?.holder).toBe("a holder that released it");
    expect(a?.lost.aborted).toBe(false);
    await leader?.release();
  });

  it("a holder that finds the lease taken stops at once", async () => {
    const memory = new MemoryLease();
    const a = await acquireLeadership(deps(memory.api(), "a"), new AbortController().signal);
    // someone overwrites the lease (an operator, a replica with a skewed view)
    const lease = memory.lease as Lease;
    await memory.api().update({ ...lease, spec: { ...lease.spec, holderIdentity: "intruder" } });
    await new Promise((r) => setTimeout(r, 2 * TIMING.renewEveryMs));
    expect(a?.lost.aborted).toBe(true);
    expect(String(a?.lost.reason)).toContain("is now held by intruder");
    await a?.release();
    expect(memory.lease?.spec.holderIdentity).toBe("intruder");
  });

  it("a standby stopped while waiting returns undefined; RBAC refusals are not retried", async () => {
    const memory = new MemoryLease();
    await acquireLeadership(deps(memory.api(), "a"), new AbortController().signal);
    const stop = new AbortController();
    const waiting = acquireLeadership(deps(memory.api(), "b"), stop.signal);
    stop.abort();
    expect(await waiting).toBeUndefined();

    const forbidden: LeaseApi = {
      ...memory.api(),
      get: () => Promise.reject(new ForbiddenError("get", "leases.coordination.k8s.io", "aiops-system", "system:serviceaccount:aiops-system:aiops-watch", undefined)),
    };
    await expect(acquireLeadership(deps(forbidden, "c"), new AbortController().signal)).rejects.toThrow(/cannot get leases.coordination.k8s.io in namespace "aiops-system"/);
  });
});
