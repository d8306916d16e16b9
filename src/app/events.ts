/**
 * The typed events of long-running use cases (apply, rollback, the shadow run, watch),
 * sent to the session's sink (`session.events.emit`) as they happen. They say what happened, not
 * how to show it: the command line prints some of them on stderr (src/cli/progress.ts), a test
 * or a web server may collect them all. A session without a sink hears nothing.
 */
import type { Stage } from "../records/schema.ts";
import type { ApplyOutcome } from "./apply/report.ts";

/** The steps of an apply that are not themselves a verdict, a rollback or a commit. */
export type ApplyStep =
  /** The server-side dry run of the change passed (detail: the server's answer). */
  | "dry-run"
  /** Every check before the patch passed: audit, drift, access, dry run (detail: all of them, and the health baseline). */
  | "checked"
  /** A trivial change approved by its own apply (logged, no approver needed). */
  | "approved"
  /** The record moved to `applying`: the patch is about to be sent. */
  | "applying"
  /** The API server stored the change. */
  | "patched"
  /** An interrupted apply continues (`apply --resume`, `rollback` of an interrupted apply). */
  | "resumed"
  | "rollout-complete"
  /** The verification window starts (detail: `health for <seconds>s`). */
  | "watching"
  /** The recorded inverse is being sent. */
  | "rollback-started"
  /** Refused after the record was read (the refusal is recorded, then thrown). */
  | "refused"
  /** The API server refused the patch: nothing changed, the record ends failed. */
  | "failed"
  /** `apply --shadow`: the workload is being cloned into a temporary namespace. */
  | "shadow";

export type AppEvent =
  /** A commit of the record store (one per step of an apply). */
  | { type: "record-committed"; stage: Stage; id: string; path: string; commit: string }
  | { type: "apply-step"; record: string; step: ApplyStep; detail: string }
  /**
   * The health verdict on an applied change. `phase`: the rollout (the new pods failed or did not
   * become ready in time), the verification window, or none (no pods to watch: verified on the
   * API server's acceptance).
   */
  | { type: "verification"; record: string; verdict: "verified" | "failed"; phase: "rollout" | "window" | "none"; problems: string[]; detail: string }
  /** The automatic rollback of a change that did not verify (or of an interrupted apply), and how it ended: the record's final status. */
  | { type: "rollback"; record: string; reason: string; outcome: "rolled-back" | "failed"; detail: string }
  /**
   * `watch` opened an incident and recorded it: its key ("Deployment/shop/api", "rule/NAME"), the
   * categories found (or "rule:NAME"), mttdSeconds from the first evidence to the record.
   */
  | { type: "incident-opened"; incident: string; categories: string; record: string; path: string; mttdSeconds: number }
  /** `watch` saw the incident healthy again and resolved its record (none when it was never recorded). */
  | { type: "incident-resolved"; incident: string; record: string | undefined }
  /** `approve --apply`: how the apply that followed the approval ended (apply's own result is its command's output). */
  | { type: "apply-outcome"; outcome: ApplyOutcome }
  /** A warning for a human (stderr on the command line). */
  | { type: "warning"; message: string };

export interface EventSink {
  emit(event: AppEvent): void;
}

/** The sink of a session nobody listens to. */
export const NO_EVENTS: EventSink = { emit: () => undefined };
