import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { PolicyError } from "../../src/errors.ts";
import { defaultPolicy, parsePolicy, type Policy } from "../../src/policy/policy-file.ts";
import { anyText } from "./arbitraries.ts";
import { settings } from "./config.ts";

/** parsePolicy's whole contract on hostile text: a Policy, or a PolicyError (exit 1, or 2 for a limit). */
function policyOrError(text: string): Policy | PolicyError {
  try {
    return parsePolicy(text, ".aiops.yaml");
  } catch (error) {
    if (error instanceof PolicyError && (error.exitCode === 1 || error.exitCode === 2)) return error;
    throw error;
  }
}

const name = fc.oneof(fc.constantFrom("alice", "bob", "group:sre", "sec"), anyText.filter((s) => s.length > 0));
const duration = fc.oneof(fc.constantFrom("90s", "5m", "2h", "1d", "0s", "-5m", "1x"), fc.integer(), anyText);
const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), name, duration);

/** Objects with the policy's own keys, and values of any shape. */
const policyLike = fc.record(
  {
    approvers: fc.oneof(fc.array(name, { maxLength: 3 }), value),
    securityReviewers: fc.oneof(fc.array(name, { maxLength: 3 }), value),
    protectedNamespaces: fc.oneof(fc.array(name, { maxLength: 3 }), value),
    windows: fc.oneof(fc.record({ low: duration, medium: duration, critical: duration }, { requiredKeys: [] }), value),
    verifyWindow: duration,
    prometheus: fc.oneof(fc.constantFrom("http://prometheus:9090", "https://p.example", "ftp://x", "not a url"), anyText),
    prices: fc.oneof(fc.record({ cpuPerCoreHour: fc.double(), memoryPerGiBHour: fc.double(), currency: anyText }, { requiredKeys: [] }), value),
    watch: fc.oneof(fc.record({ rules: fc.array(fc.record({ name: anyText, expr: anyText, for: duration }, { requiredKeys: [] }), { maxLength: 2 }), ruleInterval: duration, autoApplyTrivial: fc.oneof(fc.boolean(), value) }, { requiredKeys: [] }), value),
    requireSigned: fc.oneof(fc.boolean(), value),
    allowedSigners: fc.oneof(fc.constantFrom(".aiops/allowed_signers", "../x", "/etc/x"), anyText),
    extra: value,
  },
  { requiredKeys: [], noNullPrototype: true },
);

describe("parsePolicy: a Policy or a PolicyError, never anything else", () => {
  it("any text", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        policyOrError(text);
      }),
      settings(500),
    );
  });

  it("any JSON value as YAML", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (json, flow) => {
        policyOrError(stringify(json, flow ? { collectionStyle: "flow" } : {}));
      }),
      settings(300),
    );
  });

  it("the policy's own fields with values of any shape", () => {
    fc.assert(
      fc.property(policyLike, (object) => {
        const result = policyOrError(stringify(object));
        // A policy that parses has its fields in shape: lists of names, positive windows in seconds.
        if (result instanceof PolicyError) return;
        for (const list of [result.approvers, result.securityReviewers, result.protectedNamespaces]) expect(list.every((n) => typeof n === "string" && n.length > 0)).toBe(true);
        for (const seconds of [result.windows.low, result.windows.medium, result.windows.critical, result.verifyWindow]) expect(seconds).toBeGreaterThan(0);
      }),
      settings(500),
    );
  });
});

describe("parsePolicy reads what is written", () => {
  it("lists of names read back as written, the rest defaulted", () => {
    const names = fc.array(name, { maxLength: 4 });
    fc.assert(
      fc.property(names, names, names, (approvers, securityReviewers, protectedNamespaces) => {
        const policy = parsePolicy(stringify({ approvers, securityReviewers, protectedNamespaces }), ".aiops.yaml");
        expect(policy).toEqual({ ...defaultPolicy(), approvers, securityReviewers, protectedNamespaces });
      }),
      settings(200),
    );
  });
});
