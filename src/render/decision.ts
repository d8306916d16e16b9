import type { DecisionOutcome, PolicyOutcome } from "../gate/outcome.ts";
import { POLICY_FILE } from "../policy/policy-file.ts";
import { neutralizeLine } from "../util/terminal-safe.ts";
import { renderMachine, type OutputFormat } from "./text.ts";

/**
 * `approve`/`reject`: the outcome as data (json, yaml) or one sentence saying what happened and
 * what comes next; the sentence (identities, comments) is one neutralized line.
 */
export function renderDecision(outcome: DecisionOutcome, output: OutputFormat): string {
  if (output === "json" || output === "yaml") return renderMachine(outcome, output);
  return `${neutralizeLine(decisionSentence(outcome))}\n`;
}

function decisionSentence(outcome: DecisionOutcome): string {
  if (outcome.note !== undefined) return `${outcome.note}${outcome.applied ? "; applied" : ""}`;
  const a = outcome.recorded;
  const who = a === undefined ? "" : `${a.decision} by ${a.identity} (${outcome.role === "both" ? "approver, security reviewer" : outcome.role === "none" ? "proposer" : (outcome.role ?? a.role).replace("-", " ")})`;
  const after =
    outcome.status === "approved"
      ? `${outcome.record} is approved${outcome.applied ? " and applied" : `: apply it with kubectl aiops ${outcome.stage === "policy" ? "policy apply" : "apply"} ${outcome.record}`}`
      : outcome.status === "rejected"
        ? `${outcome.record} is rejected (final)${a?.comment === undefined ? "" : `: ${a.comment}`}`
        : (outcome.missing ?? `${outcome.record} is ${outcome.status}`);
  return `${who}; ${after}`;
}

/** `policy propose|apply`: the outcome as data (json, yaml) or one sentence. */
export function renderPolicyOutcome(outcome: PolicyOutcome, output: OutputFormat): string {
  if (output === "json" || output === "yaml") return renderMachine(outcome, output);
  const fields = outcome.fields.length === 0 ? "formatting only" : outcome.fields.join(", ");
  const sentence = outcome.status === "applied"
    ? `${POLICY_FILE} applied from ${outcome.record} (${fields}), commit ${outcome.commit.slice(0, 12)}`
    : `proposed policy change ${outcome.record} (${fields}); critical tier: 2 approvers, neither you, one a security reviewer: kubectl aiops approve ${outcome.record}`;
  return `${neutralizeLine(sentence)}\n`;
}
