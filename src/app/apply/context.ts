import type { KubeApi } from "../../kube/workloads.ts";
import type { Policy } from "../../policy/policy-file.ts";
import type { PolicyRoles } from "../../policy/approval-rule.ts";
import type { History, HistoryLocation } from "../../records/history.ts";
import type { StoreDeps, WrittenRecord } from "../../records/store.ts";
import type { AppEvent } from "../events.ts";

/**
 * Everything `apply`, `rollback` and `--shadow` read from the world, passed in so the use-case
 * runs against the test bed, a recorded API or a fixed clock alike.
 */
export interface ApplyContext {
  api: KubeApi;
  history: History;
  /** For the audit walk (verifyHistory resolves the history itself). */
  location: HistoryLocation;
  cluster: { context: string; server: string };
  policy: Policy;
  command: string;
  /** The identity the API server authenticates (SelfSubjectReview). */
  identify(): Promise<string>;
  now(): Date;
  sleep(ms: number): Promise<void>;
  warn(message: string): void;
  /** The typed events of the apply (each step, commit, verdict, rollback): the session's sink. */
  emit(event: AppEvent): void;
  /** Seconds of health watching after the rollout (policy verifyWindow, or --verify-window). */
  verifyWindowSeconds: number;
  /** Bound on the rollout wait after the patch. */
  progressTimeoutSeconds: number;
  /** docs/policy.md (apply and rollback): an automatic rollback finishes within 5 minutes. */
  rollbackBoundSeconds: number;
  pollMs: number;
  /** Ask the audit walk to check commit signatures too. */
  requireSigned: boolean;
  /** Milliseconds spent per step, for `-o json` and the benchmark. */
  timings: Record<string, number>;
}

export function rolesOf(policy: Policy): PolicyRoles | undefined {
  // An empty list in the policy means "not configured", not "nobody": the recorded roles decide.
  const roles: PolicyRoles = {};
  if (policy.approvers.length > 0) roles.approvers = policy.approvers;
  if (policy.securityReviewers.length > 0) roles.securityReviewers = policy.securityReviewers;
  return roles.approvers === undefined && roles.securityReviewers === undefined ? undefined : roles;
}

export function storeDepsOf(ctx: Pick<ApplyContext, "now" | "warn">): StoreDeps {
  return { now: () => ctx.now(), warn: (message) => ctx.warn(message) };
}

/** Says that a record was committed (every step of an apply commits). */
export function committed(ctx: Pick<ApplyContext, "emit">, written: WrittenRecord): WrittenRecord {
  ctx.emit({ type: "record-committed", stage: written.frontMatter.stage, id: written.frontMatter.id, path: written.location.absolute, commit: written.commit });
  return written;
}

/** Runs `fn` and adds its wall time to `ctx.timings[key]`. */
export async function timed<T>(ctx: Pick<ApplyContext, "timings">, key: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    ctx.timings[key] = Math.round(((ctx.timings[key] ?? 0) + performance.now() - start) * 10) / 10;
  }
}
