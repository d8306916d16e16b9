import { describe, expect, it } from "vitest";
import { frontMatterSchema } from "../../../src/records/schema.ts";
import { isLegalTransition, requiresApproval } from "../../../src/records/status.ts";
import { proposalFrontMatter } from "./fixtures.ts";

describe("front matter schema", () => {
  const base = proposalFrontMatter();

  it.each([
    { name: "a full proposal", value: base },
    { name: "a diagnosis without action, window or target", value: { ...base, stage: "diagnosis", status: "recorded", action: undefined, window: undefined, target: undefined, tier: undefined } },
    { name: "a report", value: { ...base, stage: "report", status: "recorded", labels: { period: "weekly" } } },
    { name: "a policy change", value: { ...base, stage: "policy", status: "applied", action: { type: "policy" } } },
    { name: "offline: unknown cluster user, no cluster", value: { ...base, user: { cluster: "unknown", git: "A <a@b>" }, cluster: undefined } },
    { name: "approvals and events", value: { ...base, approvals: [{ identity: "bob", role: "approver", decision: "approved", at: "2026-11-21T10:05:00Z", comment: "ok" }], events: [{ at: "2026-11-21T10:06:00Z", type: "applied" }] } },
    { name: "fractional seconds", value: { ...base, date: "2026-11-21T10:00:00.123Z" } },
  ])("accepts $name", ({ value }) => {
    const result = frontMatterSchema.safeParse(value);
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  });

  it.each([
    { name: "an unknown stage", value: { ...base, stage: "incident" }, path: "stage" },
    { name: "a status of another stage", value: { ...base, status: "recorded" }, path: "status" },
    { name: "a date with an offset (not UTC)", value: { ...base, date: "2026-11-21T10:00:00+02:00" }, path: "date" },
    { name: "a date that is not a time", value: { ...base, date: "yesterday" }, path: "date" },
    { name: "another surface", value: { ...base, surface: "web" }, path: "surface" },
    { name: "an unknown field", value: { ...base, rationale_override: "x" }, path: "" },
    { name: "an unknown target field", value: { ...base, target: { ...base.target, image: "x" } }, path: "target" },
    { name: "a short sha", value: { ...base, content_sha256: "abc" }, path: "content_sha256" },
    { name: "an id that is not a ULID", value: { ...base, id: "42" }, path: "id" },
    { name: "a two-line title", value: { ...base, title: "a\nb" }, path: "title" },
    { name: "an unknown tier", value: { ...base, tier: "urgent" }, path: "tier" },
    { name: "an approval without decision", value: { ...base, approvals: [{ identity: "bob", role: "approver", at: "2026-11-21T10:05:00Z" }] }, path: "approvals.0.decision" },
    { name: "a missing user", value: { ...base, user: undefined }, path: "user" },
    { name: "a negative generation", value: { ...base, target: { ...base.target, generation: -1 } }, path: "target.generation" },
  ])("rejects $name", ({ value, path }) => {
    const result = frontMatterSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });
});

describe("status transitions", () => {
  it.each([
    ["proposal", "proposed", "approved", true],
    ["proposal", "proposed", "rejected", true],
    ["proposal", "proposed", "expired", true],
    ["proposal", "approved", "applying", true],
    ["proposal", "approved", "expired", true],
    ["proposal", "applying", "verified", true],
    ["proposal", "applying", "rolled-back", true],
    ["proposal", "applying", "failed", true],
    ["proposal", "verified", "reverted", true],
    ["proposal", "proposed", "proposed", true],
    ["proposal", "proposed", "verified", false],
    ["proposal", "rejected", "approved", false],
    ["proposal", "expired", "applying", false],
    ["proposal", "verified", "proposed", false],
    ["diagnosis", "recorded", "resolved", true],
    ["diagnosis", "resolved", "recorded", false],
    ["report", "recorded", "resolved", false],
    ["policy", "proposed", "approved", true],
    ["policy", "approved", "applied", true],
    ["policy", "proposed", "applied", false],
  ] as const)("%s: %s -> %s is %s", (stage, from, to, legal) => {
    expect(isLegalTransition(stage, from, to)).toBe(legal);
  });

  it("knows which statuses need the tier's approvals", () => {
    expect(requiresApproval("proposal", "approved")).toBe(true);
    expect(requiresApproval("proposal", "rejected")).toBe(false);
    expect(requiresApproval("policy", "applied")).toBe(true);
    expect(requiresApproval("diagnosis", "resolved")).toBe(false);
  });
});
