import { z } from "zod";
import { ACTION_TYPES, TIERS } from "../policy/tiers.ts";
import { STAGES, isKnownStatus, statusesOf } from "./status.ts";

/**
 * The one schema of a record's front matter, for every stage (docs/records.md). Field names
 * are a contract with outside scripts: keep them exactly. Objects are strict so a typo or an
 * injected field is an error, not silently kept.
 */

/** RFC 3339 in UTC ("Z"), seconds or fractions; dates stay strings end to end. */
const utcTime = z.iso.datetime({ message: "must be an RFC 3339 UTC time such as 2026-11-21T10:00:00Z" });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be a sha256: 64 lowercase hex digits");
export const ID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const recordId = z.string().regex(ID_PATTERN, "must be a 26-character ULID-style id (Crockford base32)");
const oneLine = z.string().min(1).regex(/^[^\r\n]*$/, "must be one line");
const jsonValue = z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]);

export const APPROVAL_DECISIONS = ["approved", "rejected"] as const;

export const approvalSchema = z.strictObject({
  identity: z.string().min(1),
  role: z.string().min(1),
  decision: z.enum(APPROVAL_DECISIONS),
  at: utcTime,
  comment: z.string().optional(),
  /** The groups, as the API server reported them at approval time, through which the policy's `group:` entries named this approver. */
  groups: z.array(z.string().min(1)).optional(),
});

export const eventSchema = z.strictObject({
  at: utcTime,
  type: z.string().min(1),
  detail: z.string().optional(),
});

export const targetSchema = z.strictObject({
  apiVersion: z.string().min(1).optional(),
  kind: z.string().min(1),
  namespace: z.string().min(1).optional(),
  name: z.string().min(1),
  uid: z.string().min(1).optional(),
  resourceVersion: z.string().min(1).optional(),
  generation: z.number().int().nonnegative().optional(),
});

export const actionSchema = z.strictObject({
  type: z.enum([...ACTION_TYPES, "policy"]),
  patchType: z.enum(["strategic", "merge", "json", "apply"]).optional(),
  patch: jsonValue.optional(),
  rollback: jsonValue.optional(),
  dryRun: z.strictObject({ result: z.enum(["passed", "failed", "skipped"]), message: z.string().optional() }).optional(),
});

export const frontMatterSchema = z
  .strictObject({
    id: recordId,
    title: oneLine.max(200),
    stage: z.enum(STAGES, { message: `must be one of ${STAGES.join(", ")}` }),
    date: utcTime,
    surface: z.literal("kubectl-aiops"),
    tool_version: z.string().min(1),
    model: z.string().min(1),
    command: z.string(),
    user: z.strictObject({ cluster: z.string().min(1), git: z.string().min(1) }),
    cluster: z.strictObject({ context: z.string(), server: z.string() }).optional(),
    target: targetSchema.optional(),
    labels: z.record(z.string(), z.string()).optional(),
    links: z.strictObject({ diagnosis: z.string().optional(), runbook: z.string().optional(), supersedes: z.string().optional() }).optional(),
    tier: z.enum(TIERS).optional(),
    status: z.string().min(1),
    action: actionSchema.optional(),
    evidence_sha256: sha256.optional(),
    content_sha256: sha256,
    prev_record_sha256: sha256,
    window: z.strictObject({ opened: utcTime, expires: utcTime }).optional(),
    approvals: z.array(approvalSchema).default([]),
    events: z.array(eventSchema).default([]),
    metrics: z.strictObject({ pre: z.record(z.string(), z.unknown()).optional(), post: z.record(z.string(), z.unknown()).optional() }).optional(),
  })
  .superRefine((fm, ctx) => {
    if (!isKnownStatus(fm.stage, fm.status)) {
      ctx.addIssue({ code: "custom", path: ["status"], message: `"${fm.status}" is not a status of a ${fm.stage} (one of ${statusesOf(fm.stage).join(", ")})` });
    }
  });

export type FrontMatter = z.output<typeof frontMatterSchema>;
export type FrontMatterInput = z.input<typeof frontMatterSchema>;
export type Approval = z.output<typeof approvalSchema>;
export type RecordEvent = z.output<typeof eventSchema>;
export type RecordTarget = z.output<typeof targetSchema>;
export type RecordAction = z.output<typeof actionSchema>;

/** Field order of a written file: the order of the schema, so records read alike. */
export const FIELD_ORDER: readonly string[] = Object.keys(frontMatterSchema.shape);

export type { Stage } from "./status.ts";
