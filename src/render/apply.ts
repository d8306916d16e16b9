/**
 * The output of `apply`, `apply --shadow` and `rollback` (pure): the result as data (json, yaml),
 * else a few lines for a human (table, wide and markdown alike), each a neutralized line
 * (util/terminal-safe.ts: step details and problems quote the cluster). The results are made by
 * app/apply.ts; the types below name only what is printed of them.
 */
import { neutralizeLine } from "../util/terminal-safe.ts";
import { renderMachine, type OutputFormat } from "./text.ts";

/** An apply's outcome (app/apply/report.ts ApplyOutcome). */
export interface ApplyOutcomeView {
  record: string;
  path: string;
  target: string;
  status: string;
  steps: readonly { step: string; detail: string }[];
  problems: readonly string[];
}

/** A shadow run's result (app/apply/shadow.ts ShadowResult). */
export interface ShadowResultView {
  record: string;
  outcome: string;
  detail: string;
}

/** A rollback's result (app/apply.ts RollbackResult). */
export interface RollbackResultView {
  message: string;
  applied?: ApplyOutcomeView | undefined;
}

export function renderApplyOutcome(outcome: ApplyOutcomeView, format: OutputFormat): string {
  if (format === "json" || format === "yaml") return renderMachine(outcome, format);
  const lines = [`${outcome.status === "verified" ? "applied and verified" : outcome.status}: ${outcome.record} (${outcome.target})`, ...outcome.steps.map((s) => `  ${s.step.padEnd(18)} ${s.detail}`)];
  if (outcome.problems.length > 0) lines.push("problems:", ...outcome.problems.map((p) => `  - ${p}`));
  lines.push(`record: ${outcome.path}`);
  return `${lines.map(neutralizeLine).join("\n")}\n`;
}

export function renderShadowResult(result: ShadowResultView, format: OutputFormat): string {
  if (format === "json" || format === "yaml") return renderMachine(result, format);
  return `${neutralizeLine(`shadow run of ${result.record}: ${result.outcome}: ${result.detail}`)}\n`;
}

export function renderRollbackResult(result: RollbackResultView, format: OutputFormat): string {
  if (format === "json" || format === "yaml") return renderMachine(result, format);
  return `${neutralizeLine(result.message)}\n${result.applied === undefined ? "" : renderApplyOutcome(result.applied, format)}`;
}
