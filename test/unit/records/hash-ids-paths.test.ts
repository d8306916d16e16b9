import { describe, expect, it } from "vitest";
import { canonicalJson, contentSha256, ZERO_SHA256 } from "../../../src/records/hash.ts";
import { createIdGenerator, encodeTime, idTime, incrementId, isRecordId, newRecordId } from "../../../src/records/ids.ts";
import { parseRecordPath, recordRelativePath, slugify } from "../../../src/records/paths.ts";
import { hashed, proposalFrontMatter, SAMPLE_BODY } from "./fixtures.ts";

describe("content_sha256", () => {
  const fm = hashed(proposalFrontMatter());

  it("is stable: a known value for a known record", () => {
    expect(contentSha256(fm, SAMPLE_BODY)).toBe(fm.content_sha256);
    expect(contentSha256(fm, SAMPLE_BODY)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("ignores key order", () => {
    const reversed = Object.fromEntries(Object.entries(fm).reverse()) as typeof fm;
    expect(contentSha256(reversed, SAMPLE_BODY)).toBe(fm.content_sha256);
  });

  it("ignores what later commits may change: status, approvals, events, metrics.post", () => {
    const later = { ...fm, status: "approved", approvals: [{ identity: "bob", role: "approver", decision: "approved" as const, at: "2026-11-21T10:05:00Z" }], events: [{ at: "2026-11-21T10:06:00Z", type: "applied" }], metrics: { ...fm.metrics, post: { memory_p95: "130Mi" } } };
    expect(contentSha256(later, SAMPLE_BODY)).toBe(fm.content_sha256);
    const { metrics: _m, ...withoutMetrics } = fm;
    expect(contentSha256({ ...withoutMetrics, metrics: { post: { x: 1 } } }, SAMPLE_BODY)).toBe(contentSha256(withoutMetrics, SAMPLE_BODY));
  });

  it.each([
    ["title", { title: "Raise memory of shop/web" }],
    ["tier", { tier: "low" as const }],
    ["target", { target: { kind: "Deployment", namespace: "shop", name: "web" } }],
    ["action", { action: { type: "scale" as const } }],
    ["metrics.pre", { metrics: { pre: { memory_p95: "1Gi" } } }],
    ["prev_record_sha256", { prev_record_sha256: "1".repeat(64) }],
  ])("changes with %s", (_name, change) => {
    expect(contentSha256({ ...fm, ...change }, SAMPLE_BODY)).not.toBe(fm.content_sha256);
  });

  it("changes with the body", () => {
    expect(contentSha256(fm, SAMPLE_BODY.replace("156Mi", "157Mi"))).not.toBe(fm.content_sha256);
  });

  it("canonical JSON sorts keys and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: "x" }] })).toBe('{"a":[{"c":"x"}],"b":1}');
    expect(ZERO_SHA256).toHaveLength(64);
  });
});

describe("record ids", () => {
  it("are 26 Crockford base32 characters that carry their time", () => {
    const id = newRecordId(Date.parse("2026-11-21T10:00:00Z"));
    expect(id).toHaveLength(26);
    expect(isRecordId(id)).toBe(true);
    expect(idTime(id)).toBe(Date.parse("2026-11-21T10:00:00Z"));
    expect(encodeTime(0)).toBe("0000000000");
  });

  it("are unique and sorted when 10,000 are made in a tight loop", () => {
    const next = createIdGenerator();
    const now = Date.now();
    const ids = Array.from({ length: 10_000 }, () => next(now));
    expect(new Set(ids).size).toBe(10_000);
    expect([...ids].sort()).toEqual(ids);
  });

  it("stay monotonic when the clock steps back or the history holds a newer id", () => {
    const next = createIdGenerator(() => new Uint8Array(10));
    const a = next(2_000);
    const b = next(1_000);
    expect(b > a).toBe(true);
    const future = `${encodeTime(9_000_000)}${"Z".repeat(16)}`;
    const c = next(3_000, future);
    expect(c > future).toBe(true);
    expect(incrementId("0000000000000000000000000Z")).toBe("00000000000000000000000010");
  });
});

describe("record paths", () => {
  it.each([
    ["OOMKilled in shop/api", "oomkilled-in-shop-api"],
    ["  Raise memory: 120Mi -> 156Mi!  ", "raise-memory-120mi-156mi"],
    ["Café über naïve", "cafe-uber-naive"],
    ["!!!", "record"],
    ["x".repeat(100), "x".repeat(60)],
    [`${"a".repeat(59)} b`, "a".repeat(59)],
  ])("slug of %j is %j", (title, slug) => {
    expect(slugify(title)).toBe(slug);
    expect(slugify(title).length).toBeLessThanOrEqual(60);
  });

  it("puts prompts under YYYY/MM and reports under their period", () => {
    const id = "01JD3X5Y6Z7A8B9C0D1E2F3G4H";
    expect(recordRelativePath({ id, stage: "proposal", date: "2026-11-21T10:00:00Z", title: "Raise memory" })).toBe(`prompts/2026/11/${id}-raise-memory.proposal.md`);
    expect(recordRelativePath({ id, stage: "report", date: "2026-11-21T10:00:00Z", title: "Week 47", labels: { period: "weekly" } })).toBe(`reports/weekly/${id}-week-47.report.md`);
    expect(() => recordRelativePath({ id, stage: "report", date: "2026-11-21T10:00:00Z", title: "Week 47" })).toThrow(/labels.period/);
    expect(parseRecordPath(`prompts/2026/11/${id}-raise-memory.proposal.md`)).toEqual({ id, slug: "raise-memory", stage: "proposal" });
    expect(parseRecordPath(`reports/daily/${id}-x.report.md`)?.stage).toBe("report");
    expect(parseRecordPath(`prompts/2026/11/${id}-x.report.md`)).toBeUndefined();
    expect(parseRecordPath("README.md")).toBeUndefined();
  });
});
