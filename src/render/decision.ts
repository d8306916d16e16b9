import type { DecisionOutcome, PolicyOutcome } from "../gate/outcome.ts";
import { POLICY_FILE } from "../policy/policy-file.ts";
import { renderMachine, type OutputFormat } from "./text.ts";

/** `approve`/`reject`: the outcome as data (json, yaml) or one sentence saying what happened and what comes next. */
export function renderDecision(outcome: DecisionOutcome, output: OutputFormat): string {
  if (output === "json" || output === "yaml") return renderMachine(outcome, output);
  if (outcome.note !== undefined) return `${outcome.note}${outcome.applied ? "; applied" : ""}\n`;
  const a = outcome.recorded;
  const who = a === undefined ? "" : `${a.decision} by ${a.identity} (${outcome.role === "both" ? "approver, security reviewer" : outcome.role === "none" ? "proposer" : (outcome.role ?? a.role).replace("-", " ")})`;
  const after =
    outcome.status === "approved"
      ? `${outcome.record} is approved${outcome.applied ? " and applied" : `: apply it with kubectl aiops ${outcome.stage === "policy" ? "policy apply" : "apply"} ${outcome.record}`}`
      : outcome.status === "rejected"
        ? `${outcome.record} is rejected (final)${a?.comment === undefined ? "" : `: ${a.comment}`}`
        : (outcome.missing ?? `${outcome.record} is ${outcome.status}`);
  return `${who}; ${after}\n`;
}

/** `policy propose|apply`: the outcome as data (json, yaml) or one sentence. */
export function renderPolicyOutcome(outcome: PolicyOutcome, output: OutputFormat): string {
  if (output === "json" || output === "yaml") return renderMachine(outcome, output);
  const fields = outcome.fields.length === 0 ? "formatting only" : outcome.fields.join(", ");
  return outcome.status === "applied"
    ? `${POLICY_FILE} applied from ${outcome.record} (${fields}), commit ${outcome.commit.slice(0, 12)}\n`
    : `proposed policy change ${outcome.record} (${fields}); critical tier: 2 approvers, neither you, one a security reviewer: kubectl aiops approve ${outcome.record}\n`;
}
