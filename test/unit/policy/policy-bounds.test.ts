import { describe, expect, it } from "vitest";
import { PolicyError } from "../../../src/errors.ts";
import { parsePolicy } from "../../../src/policy/policy-file.ts";
import { POLICY_LIMITS } from "../../../src/util/bounded-parse.ts";

function refusal(text: string): PolicyError {
  try {
    parsePolicy(text, ".aiops.yaml");
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error("expected a PolicyError");
}

describe("parsePolicy within POLICY_LIMITS: a PolicyError with exit 2 naming the limit", () => {
  it.each([
    { name: "a file over 1 MiB", text: `approvers: [${"a, ".repeat(POLICY_LIMITS.maxBytes / 3)}b]`, want: /^\.aiops\.yaml: 1\.0 MiB, over the size limit for the policy file \(1 MiB\)$/ },
    { name: "nesting deeper than 64 levels", text: `approvers: ${"[".repeat(100)}${"]".repeat(100)}`, want: /^\.aiops\.yaml: nested deeper than the depth limit for the policy file \(64 levels\)$/ },
    {
      name: "a billion laughs",
      text: `a: &a [x,x,x,x,x,x,x,x,x]\n${"bcdefgh".split("").map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdefg"[i]}`).join(",")}]`).join("\n")}\napprovers: *h\n`,
      want: /alias limit for the policy file \(100\)/,
    },
    { name: "100,000 tokens", text: Array.from({ length: 30_000 }, (_, i) => `k${i}: v`).join("\n"), want: /more than 100,000 YAML tokens, the token limit for the policy file/ },
  ])("$name", ({ text, want }) => {
    const started = Date.now();
    const error = refusal(text);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(want);
    expect(error.hint).toMatch(/docs\/policy\.md/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("keeps exit 1 for invalid YAML and invalid fields", () => {
    expect(refusal("approvers: [a").exitCode).toBe(1);
    expect(refusal("approvers: [a").message).toMatch(/^\.aiops\.yaml: invalid YAML: /);
    expect(refusal("approvers: 5").exitCode).toBe(1);
  });

  it("refuses a repeated key without the yaml package's quadratic check", () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}: v`).join("\n");
    const started = Date.now();
    expect(refusal(`${keys}\nk1: again\n`).message).toMatch(/invalid YAML: Map keys must be unique at line 10001/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
