/**
 * The output of `propose` (pure): `-o json|yaml` prints the record as `show` does, `-o markdown`
 * the record, table/wide a summary; and the stderr lines of `diagnose --propose`. Human lines are
 * neutralized (util/terminal-safe.ts); json/yaml keep the data. The results are
 * made by app/propose.ts; the types below name only what is printed of them.
 */
import type { RecordFile } from "../records/record-file.ts";
import { neutralizeLine } from "../util/terminal-safe.ts";
import { renderColumns, renderMachine, type OutputFormat } from "./text.ts";
import { recordDocument, renderRecordMarkdown } from "./records.ts";

/** A recorded proposal (app/propose/record.ts ProposalOutcome). */
export interface ProposalView {
  record: RecordFile & { location: { absolute: string } };
  draft: {
    action: string;
    notes: readonly string[];
    delta?: { cpu: string; memory: string; replicas: number; text?: string } | undefined;
    rows?: readonly (readonly string[])[] | undefined;
  };
  tier: string;
  /** Why this tier, in words. */
  tierReason: string;
  dryRun: { result: string; message: string };
  cost: string | undefined;
}

/** `propose`'s stdout: the proposal, or why no change is needed (nothing was recorded). */
export function renderProposeResult(result: ProposalView | { noChange: string }, format: OutputFormat): string {
  if ("noChange" in result) {
    return format === "json" || format === "yaml" ? renderMachine({ apiVersion: "aiops.dev/v1", kind: "NoChange", message: result.noChange }, format) : `${neutralizeLine(`no change proposed: ${result.noChange}`)}\n`;
  }
  const { record } = result;
  switch (format) {
    case "json":
    case "yaml":
      return renderMachine(recordDocument(record, record.location.absolute), format);
    case "markdown":
      return renderRecordMarkdown(record, record.location.absolute);
    case "table":
    case "wide":
      return renderSummary(result, format === "wide");
  }
}

function renderSummary(o: ProposalView, wide: boolean): string {
  const fm = o.record.frontMatter;
  const d = o.draft;
  const lines = [
    `proposal ${fm.id}: ${fm.title}`,
    `  tier:     ${o.tierReason}${fm.window === undefined ? "" : `, window until ${fm.window.expires}`}`,
    `  dry run:  ${o.dryRun.result}${o.dryRun.result === "passed" && !wide ? "" : ` (${o.dryRun.message})`}`,
  ];
  if (d.delta !== undefined) lines.push(`  requests: cpu ${signed(d.delta.cpu)}, memory ${signed(d.delta.memory)} across ${d.delta.replicas} replica(s)${d.delta.text === undefined ? "" : ` ${d.delta.text}`}${o.cost === undefined ? "" : ` (${o.cost})`}`);
  lines.push(`  record:   ${o.record.location.absolute}`);
  const rows = (d.rows ?? []).map((r) => r.map(neutralizeLine));
  const table = rows.length === 0 ? "" : `\n${renderColumns(d.action === "resources" ? ["CONTAINER", "RESOURCE", "CURRENT", "P95", "PEAK", "PROPOSED"] : ["FIELD", "CURRENT", "PROPOSED"], rows)}`;
  const notes = d.notes.length === 0 ? "" : `\n${d.notes.map((n) => neutralizeLine(`note: ${n}`)).join("\n")}\n`;
  const next = o.tier === "trivial" ? `next: kubectl aiops apply ${fm.id}` : `next: kubectl aiops approve ${fm.id}   (or reject ${fm.id} --reason ...)`;
  return `${lines.map(neutralizeLine).join("\n")}\n${table}${notes}\n${next}\n`;
}

function signed(q: string): string {
  return q.startsWith("-") || q === "0" ? q : `+${q}`;
}

/** One result of `diagnose --propose` (app/propose.ts FindingProposal). */
export interface FindingProposalView {
  category: string;
  object: string;
  result: { recorded: string; tier: string; title: string } | { noChange: string } | { skipped: string };
}

/** One stderr line per result, for `diagnose --propose`. */
export function describeFindingProposals(results: readonly FindingProposalView[]): string[] {
  return results.map((r) => neutralizeLine(describeFindingProposal(r)));
}

function describeFindingProposal(r: FindingProposalView): string {
  const what = `${r.category} ${r.object}`;
  if ("recorded" in r.result) return `proposed ${r.result.recorded} (${r.result.tier} tier) for ${what}: ${r.result.title}`;
  if ("noChange" in r.result) return `no proposal for ${what}: ${r.result.noChange}`;
  return `no proposal for ${what}: ${r.result.skipped}`;
}
