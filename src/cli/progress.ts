/**
 * What the command line shows of the use cases' events (app/events.ts): apply progress and
 * warnings, one line each on stderr, as `<record event type>: <detail>`; watch's incidents, one
 * line each on stdout (render/incident.ts). Commits and the checks before the patch are not
 * printed (the record and the command's output say them).
 */
import type { AppEvent, ApplyStep, EventSink } from "../app/events.ts";
import type { Io } from "./io.ts";
import type { OutputFormat } from "../render/formats.ts";
import { renderIncidentLine } from "../render/incident.ts";
import { renderApplyOutcome } from "../render/apply.ts";

/** The step as the record's event type names it (docs/records.md), the prefix of its line. */
const STEP_PREFIX: Record<Exclude<ApplyStep, "dry-run" | "checked" | "watching" | "shadow">, string> = {
  approved: "approved",
  applying: "applying",
  patched: "patched",
  resumed: "apply-resumed",
  "rollout-complete": "rollout-complete",
  "rollback-started": "rollback-started",
  refused: "apply-refused",
  failed: "apply-failed",
};

/** The stderr line of one event, or undefined when the command line does not show it. */
export function progressLine(event: AppEvent): string | undefined {
  switch (event.type) {
    case "apply-step":
      switch (event.step) {
        case "dry-run":
        case "checked":
          return undefined;
        case "watching":
          return `watching ${event.detail}`;
        case "shadow":
          return `shadow: ${event.detail}`;
        default:
          return `${STEP_PREFIX[event.step]}: ${event.detail}`;
      }
    case "verification":
      if (event.verdict === "verified") return `verified: ${event.detail}`;
      return `${event.phase === "rollout" ? "rollout-failed" : "verify-failed"}: ${event.detail}`;
    case "rollback":
      return `${event.outcome === "rolled-back" ? "rolled-back" : "apply-failed"}: ${event.detail}`;
    case "warning":
      return event.message;
    case "record-committed":
    case "incident-opened":
    case "incident-resolved":
    case "apply-outcome":
      return undefined;
  }
}

/** The command line's sink: the lines of progressLine on stderr; watch's incidents on stdout. */
export function stderrEvents(io: Pick<Io, "stderr" | "stdout">, output: OutputFormat = "table"): EventSink {
  return {
    emit: (event) => {
      if (event.type === "incident-opened") {
        io.stdout.write(renderIncidentLine({ event: "opened", incident: event.incident, categories: event.categories, mttd_seconds: event.mttdSeconds, record: event.record, path: event.path }, output === "json"));
        return;
      }
      if (event.type === "incident-resolved") {
        io.stdout.write(renderIncidentLine({ event: "resolved", incident: event.incident, record: event.record }, output === "json"));
        return;
      }
      if (event.type === "apply-outcome") {
        // approve --apply: the approval is the command's output, the apply's outcome goes beside it
        io.stderr.write(renderApplyOutcome(event.outcome, "table"));
        return;
      }
      const line = progressLine(event);
      if (line !== undefined) io.stderr.write(`${line}\n`);
    },
  };
}
