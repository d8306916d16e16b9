import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../src/kube/backoff.ts";
import { RuleClock } from "../../../src/app/watch/alert-rules.ts";
import { classifyWatchEnd, type WatchEnd } from "../../../src/kube/watch.ts";

describe("how a watch ended decides what comes next", () => {
  it.each<[string, WatchEnd, string]>([
    ["410 Gone as an HTTP status", { kind: "status", code: 410, message: "too old resource version" }, "relist"],
    ["410 Gone as an in-stream ERROR event", { kind: "status", code: 410 }, "relist"],
    ["server closed the stream (timeoutSeconds)", { kind: "closed" }, "resume"],
    ["API server restarting: connection refused", { kind: "network", error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) }, "resume"],
    ["503 while the server starts", { kind: "status", code: 503 }, "resume"],
    ["429 throttled", { kind: "status", code: 429 }, "resume"],
    ["403: RBAC will not heal by retrying", { kind: "status", code: 403 }, "fatal"],
    ["401: credentials", { kind: "status", code: 401 }, "fatal"],
  ])("%s -> %s", (_name, end, decision) => {
    expect(classifyWatchEnd(end)).toBe(decision);
  });
});

describe("reconnect backoff", () => {
  it("grows exponentially between half and the full bound, capped", () => {
    const low = (n: number) => backoffDelay(n, { baseMs: 500, maxMs: 30_000 }, () => 0);
    const high = (n: number) => backoffDelay(n, { baseMs: 500, maxMs: 30_000 }, () => 1);
    expect([0, 1, 2, 3, 4].map(low)).toEqual([250, 500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3, 4].map(high)).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(high(20)).toBe(30_000);
    expect(low(20)).toBe(15_000);
  });
});

describe("PromQL rule clock", () => {
  const rule = { name: "http-5xx", expr: 'sum(rate(http_requests_total{code=~"5.."}[5m])) > 0', for: 60 };
  it("fires only after `for`, and forgets when the answer is empty", () => {
    const clock = new RuleClock();
    const at = (s: number) => 1_000_000 + s * 1000;
    expect(clock.evaluate([rule], new Map([["http-5xx", [0.5]]]), at(0))).toEqual([]);
    expect(clock.evaluate([rule], new Map([["http-5xx", [0.7]]]), at(30))).toEqual([]);
    expect(clock.evaluate([rule], new Map([["http-5xx", [0.9]]]), at(60))).toMatchObject([{ key: "rule/http-5xx", firstEvidenceMs: at(0), payload: { values: [0.9] } }]);
    // A failed query keeps the clock running; an empty answer stops it.
    expect(clock.evaluate([rule], new Map([["http-5xx", undefined]]), at(90))).toHaveLength(1);
    expect(clock.evaluate([rule], new Map([["http-5xx", []]]), at(120))).toEqual([]);
    expect(clock.evaluate([rule], new Map([["http-5xx", [1]]]), at(150))).toEqual([]);
  });
});
