/**
 * The policy file `.aiops.yaml` at the root of the history's git repository (docs/policy.md).
 * It lives beside the records so that changing it is itself a commit the audit sees. Absent
 * file = defaults; a present but invalid file is an error naming the file and the field, never a
 * silent fallback (a typo in protectedNamespaces must not lower a tier).
 */
// Layering: parsing and validation only (pure); reading the file is I/O that needs records/
// history.ts to find the repository, so loadPolicy lives above records, in app/load-policy.ts.
import { LimitError, POLICY_LIMITS, parseBoundedYaml } from "../util/bounded-parse.ts";
import { z } from "zod";
import { PolicyError } from "../errors.ts";
import { parseDurationSeconds } from "../util/duration.ts";
import type { Tier, TierPolicy } from "./tiers.ts";

export { parseDurationSeconds } from "../util/duration.ts";

export const POLICY_FILE = ".aiops.yaml";



const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const seconds = typeof value === "number" ? undefined : parseDurationSeconds(value);
    if (seconds === undefined || seconds <= 0) {
      ctx.addIssue({ code: "custom", message: `must be a positive duration such as 90s, 5m, 2h or 1d (got ${JSON.stringify(value)})` });
      return z.NEVER;
    }
    return seconds;
  });

const name = z.string().min(1);
const positiveNumber = z.number().nonnegative().finite();

const watchRuleSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/, "must be 1-63 letters, digits, '_', '.' or '-'"),
  /** PromQL; any series in the answer means the rule fires. */
  expr: z.string().min(1),
  /** How long it must keep firing before an incident is recorded (seconds). */
  for: duration.default(0),
});

/** `watch:` (docs/policy.md, `.aiops.yaml`): PromQL alert rules, and whether trivial fixes apply themselves. */
const watchPolicySchema = z.strictObject({
  rules: z.array(watchRuleSchema).default([]),
  /** Evaluate the rules this often (seconds). */
  ruleInterval: duration.default(30),
  autoApplyTrivial: z.boolean().default(false),
});

export type WatchRule = z.output<typeof watchRuleSchema>;
export type WatchPolicy = z.output<typeof watchPolicySchema>;

const policySchema = z.strictObject({
  approvers: z.array(name).default([]),
  securityReviewers: z.array(name).default([]),
  protectedNamespaces: z.array(name).default(["kube-system", "kube-public", "kube-node-lease"]),
  windows: z
    .strictObject({ low: duration.default(5 * 60), medium: duration.default(30 * 60), critical: duration.default(120 * 60) })
    .default({ low: 5 * 60, medium: 30 * 60, critical: 120 * 60 }),
  verifyWindow: duration.default(120),
  prometheus: z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as http://prometheus.monitoring:9090" }).optional(),
  prices: z.strictObject({ cpuPerCoreHour: positiveNumber, memoryPerGiBHour: positiveNumber, currency: z.string().min(1).default("USD") }).optional(),
  watch: watchPolicySchema.default({ rules: [], ruleInterval: 30, autoApplyTrivial: false }),
  /** Every record commit must carry a good SSH signature by a key of `allowedSigners` (docs/trust.md). */
  requireSigned: z.boolean().default(false),
  /** git's allowed_signers file (principal = cluster user name or git email, then the public key), relative to the repository root. */
  allowedSigners: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith("/") && !p.split(/[\\/]/).includes(".."), "must be a path inside the repository, relative to its root (e.g. .aiops/allowed_signers)")
    .optional(),
}).superRefine((policy, ctx) => {
  if (policy.requireSigned && policy.allowedSigners === undefined) {
    ctx.addIssue({ code: "custom", path: ["allowedSigners"], message: "requireSigned: true needs allowedSigners: PATH (git's allowed_signers file naming each signer's key)" });
  }
});

/** The policy with durations in seconds. */
export type Policy = z.output<typeof policySchema>;

/** Parses the text of a policy file (pure); `file` names it in errors. Empty text = defaults. */
export function parsePolicy(text: string, file: string): Policy {
  let data: unknown;
  try {
    data = parseBoundedYaml(text, file, POLICY_LIMITS);
  } catch (error) {
    if (error instanceof LimitError) throw new PolicyError(error.message, { exitCode: 2, hint: error.hint, cause: error });
    throw new PolicyError(`${file}: invalid YAML: ${error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error)}`, { hint: `fix the YAML syntax of ${file}`, cause: error });
  }
  const result = policySchema.safeParse(data ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? "(top level)" : issue.path.join(".");
  throw new PolicyError(`${file}: invalid policy field ${field}: ${issue?.message ?? "invalid"}`, {
    hint: "known fields: approvers, securityReviewers, protectedNamespaces, windows {low, medium, critical}, verifyWindow, prometheus, prices {cpuPerCoreHour, memoryPerGiBHour, currency}, watch {rules: [{name, expr, for}], ruleInterval, autoApplyTrivial}, requireSigned, allowedSigners (docs/policy.md)",
  });
}

export function defaultPolicy(): Policy {
  return parsePolicy("", POLICY_FILE);
}

/** What classifyAction needs from the policy. */
export function tierPolicyOf(policy: Policy): TierPolicy {
  return { protectedNamespaces: policy.protectedNamespaces };
}

/** The decision window of a tier in seconds; trivial actions have none (they are only logged). */
export function windowSecondsOf(policy: Policy, tier: Tier): number | undefined {
  return tier === "trivial" ? undefined : policy.windows[tier];
}
