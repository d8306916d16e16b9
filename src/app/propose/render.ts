import type { OutputFormat } from "../../render/format.ts";
import { renderMachine } from "../../render/format.ts";
import { renderRecordMarkdown } from "../../records/render.ts";
import { tierReason, type ProposalOutcome } from "./record.ts";
import type { Policy } from "../../policy/policy-file.ts";

/** `-o json|yaml` prints the record as `show` does; table/wide a summary; markdown the record. */
export function renderOutcome(outcome: ProposalOutcome, format: OutputFormat, policy: Policy): string {
  const { record } = outcome;
  switch (format) {
    case "json":
    case "yaml":
      return renderMachine({ apiVersion: "aiops.dev/v1", kind: "Record", path: record.location.absolute, frontMatter: record.frontMatter, body: record.body }, format);
    case "markdown":
      return renderRecordMarkdown(record, record.location.absolute);
    case "table":
    case "wide":
      return renderSummary(outcome, policy, format === "wide");
  }
}

function renderSummary(o: ProposalOutcome, policy: Policy, wide: boolean): string {
  const fm = o.record.frontMatter;
  const d = o.draft;
  const lines = [
    `proposal ${fm.id}: ${fm.title}`,
    `  tier:     ${tierReason(d, o.tier, policy)}${fm.window === undefined ? "" : `, window until ${fm.window.expires}`}`,
    `  dry run:  ${o.dryRun.result}${o.dryRun.result === "passed" && !wide ? "" : ` (${o.dryRun.message})`}`,
  ];
  if (d.delta !== undefined) lines.push(`  requests: cpu ${signed(d.delta.cpu)}, memory ${signed(d.delta.memory)} across ${d.delta.replicas} replica(s)${d.delta.text === undefined ? "" : ` ${d.delta.text}`}${o.cost === undefined ? "" : ` (${o.cost})`}`);
  lines.push(`  record:   ${o.record.location.absolute}`);
  const rows = d.rows ?? [];
  const table = rows.length === 0 ? "" : `\n${columns(d.action === "resources" ? ["CONTAINER", "RESOURCE", "CURRENT", "P95", "PEAK", "PROPOSED"] : ["FIELD", "CURRENT", "PROPOSED"], rows)}`;
  const notes = d.notes.length === 0 ? "" : `\n${d.notes.map((n) => `note: ${n}`).join("\n")}\n`;
  const next = o.tier === "trivial" ? `next: kubectl aiops apply ${fm.id}` : `next: kubectl aiops approve ${fm.id}   (or reject ${fm.id} --reason ...)`;
  return `${lines.join("\n")}\n${table}${notes}\n${next}\n`;
}

function columns(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return `${[line(head), ...rows.map(line)].join("\n")}\n`;
}

function signed(q: string): string {
  return q.startsWith("-") || q === "0" ? q : `+${q}`;
}
