import type { Diagnosis, DiagnosisList, Explanation, Finding } from "../diagnose/types.ts";
import { fenceFor, fitLines, formatAge, mdCell, renderColumns, renderMachine, safeView, wrap, type OutputFormat } from "./text.ts";
import { escapeBlockStart, quoteAsData } from "../util/record-text.ts";

/**
 * `diagnose`'s stdout: the named object's Diagnosis (else the list) as data, the list as Markdown,
 * or a table (human output shows every cluster and LLM string through safeView; data stays raw), with every finding's details when one object was named or only one has findings.
 * `now`: the time the snapshot was judged at. `width`: the columns `table` fits (render/text.ts tableWidth).
 */
export function renderDiagnoseResult(result: { list: DiagnosisList; single?: Diagnosis | undefined; now: string }, format: OutputFormat, options: { color: boolean; width?: number | undefined }): string {
  const { list, single } = result;
  const nowMs = Date.parse(result.now);
  switch (format) {
    case "json":
    case "yaml":
      return renderMachine(single ?? list, format);
    case "markdown":
      return renderDiagnosisMarkdown(list, nowMs);
    case "table":
    case "wide":
      return renderDiagnosisTable(list, format === "wide", {
        nowMs,
        color: options.color,
        width: options.width,
        details: single !== undefined || list.items.filter((i) => i.findings.length > 0).length === 1,
      });
  }
}

export interface HumanRenderOptions {
  nowMs: number;
  color: boolean;
  /** Print evidence and the fix for every finding (one object diagnosed). */
  details: boolean;
  /** `table` fits every line within this many columns; `wide` never wraps, like kubectl's. */
  width?: number | undefined;
}

const SEVERITY_COLOR: Record<string, string> = { critical: "\u001b[31m", high: "\u001b[33m", medium: "\u001b[36m", low: "\u001b[37m" };
const RESET = "\u001b[0m";

function objectName(f: Finding): string {
  return `${f.object.kind.toLowerCase()}/${f.object.name}${f.container === undefined ? "" : ` [${f.container}]`}`;
}

function allFindings(list: DiagnosisList): Finding[] {
  return list.items.flatMap((item) => item.findings);
}

function paint(text: string, severity: string, color: boolean): string {
  return color ? `${SEVERITY_COLOR[severity] ?? ""}${text}${RESET}` : text;
}

/**
 * `table` and `wide`: a row per finding (in `table`, the pods of one workload failing alike share
 * a row), then the details when one object was diagnosed.
 */
export function renderDiagnosisTable(unsafe: DiagnosisList, wide: boolean, options: HumanRenderOptions): string {
  // Redacted before the layout wraps: a secret cut across two lines would escape stdout's redaction.
  const list = safeView(unsafe);
  const findings = allFindings(list);
  const checked = list.items.length;
  if (findings.length === 0) return `No problems found in ${checked} object(s).\n`;
  const width = wide ? undefined : options.width;
  const rows = wide ? findings.map((f) => ({ finding: f, object: `${f.object.kind.toLowerCase()}/${f.object.name}`, since: f.since })) : tableRows(list);
  const severity = wide ? 4 : 3;
  const decorate = (text: string, row: number, column: number): string => (column === severity ? paint(text, rows[row]?.finding.severity ?? "", options.color) : text);
  const table = wide
    ? renderColumns(
        ["NAMESPACE", "OBJECT", "CONTAINER", "CATEGORY", "SEVERITY", "CONF", "SINCE", "ACTION", "TIER", "SUMMARY", "RUNBOOK"],
        rows.map(({ finding: f, object }) => [f.object.namespace ?? "", object, f.container ?? "", f.category, f.severity, f.confidence.toFixed(2), formatAge(f.since, options.nowMs), f.remediation.action, f.remediation.tier, f.summary, f.runbook]),
        { decorate },
      )
    : renderColumns(
        ["NAMESPACE", "OBJECT", "CATEGORY", "SEVERITY", "SINCE", "SUMMARY"],
        rows.map(({ finding: f, object, since }) => [f.object.namespace ?? "", object, f.category, f.severity, formatAge(since, options.nowMs), f.summary]),
        { width, flexColumn: 5, decorate },
      );
  const problems = list.items.filter((i) => i.status === "ProblemDetected").length;
  let out = `${table}\n${findings.length} finding(s) in ${problems} of ${checked} object(s).\n`;
  if (options.details) out += `\n${findings.map((f) => renderDetails(f, options)).join("\n")}`;
  for (const item of list.items.filter((i) => i.similar.length > 0)) {
    out += `\nSimilar past incidents for ${item.target.kind.toLowerCase()}/${item.target.name}: ${item.similarSummary ?? ""}\n${item.similar.map((s) => `  - ${s.record} ${s.category}${s.target === undefined ? "" : ` ${s.target}`}: ${s.outcome}${s.action === undefined ? "" : ` (${s.action})`}`).join("\n")}\n`;
  }
  const explanation = list.explanation ?? list.items.find((i) => i.explanation !== undefined)?.explanation;
  if (explanation !== undefined) out += `\n${renderExplanation(explanation)}`;
  return fitLines(out, width);
}

/** Kinds whose pods a `table` row may stand for. */
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

interface TableRow {
  finding: Finding;
  object: string;
  since: string | undefined;
}

/**
 * `table`'s rows: the findings of one category on two or more pods of a workload become one row,
 * "deployment/web (12 pods)", with the earliest `since` and the summary of the first (findings
 * come most severe first, diagnose/engine.ts); `wide`, json and yaml keep every finding.
 */
function tableRows(list: DiagnosisList): TableRow[] {
  const rows: TableRow[] = [];
  for (const item of list.items) {
    // category -> the item's pod findings of it and how many pods they are on
    const groups = new Map<string, { findings: Finding[]; pods: Set<string> }>();
    if (WORKLOAD_KINDS.has(item.target.kind)) {
      for (const f of item.findings) {
        if (f.object.kind !== "Pod") continue;
        const group = groups.get(f.category) ?? { findings: [], pods: new Set<string>() };
        group.findings.push(f);
        group.pods.add(f.object.name);
        groups.set(f.category, group);
      }
    }
    const done = new Set<string>();
    for (const f of item.findings) {
      const group = f.object.kind === "Pod" ? groups.get(f.category) : undefined;
      if (group === undefined || group.pods.size < 2) {
        rows.push({ finding: f, object: objectName(f), since: f.since });
      } else if (!done.has(f.category)) {
        done.add(f.category);
        rows.push({ finding: f, object: `${item.target.kind.toLowerCase()}/${item.target.name} (${group.pods.size} pods)`, since: earliest(group.findings) });
      }
    }
  }
  return rows;
}

function earliest(findings: readonly Finding[]): string | undefined {
  let first: string | undefined;
  for (const f of findings) if (f.since !== undefined && (first === undefined || Date.parse(f.since) < Date.parse(first))) first = f.since;
  return first;
}

function renderExplanation(e: Explanation): string {
  return [`Explanation (${e.model}, not used for any decision):`, `  ${e.summary}`, `  Likely cause: ${e.likelyCause}`, ...e.nextSteps.map((s, i) => `  ${i + 1}. ${s}`)].join("\n") + "\n";
}

function renderDetails(f: Finding, options: HumanRenderOptions): string {
  const lines = [
    `${paint(f.category, f.severity, options.color)} ${objectName(f)} (${f.object.namespace ?? "cluster"}) severity=${f.severity} confidence=${f.confidence.toFixed(2)}${f.since === undefined ? "" : ` since=${f.since}`}`,
    `  ${f.summary}`,
    "  Evidence:",
    ...f.evidence.map((e) => `    - ${e}`),
    `  Fix (${f.remediation.action}, tier ${f.remediation.tier}): ${f.remediation.summary}`,
    `  Runbook: ${f.runbook}  (kubectl aiops runbook ${f.category})`,
  ];
  return `${lines.join("\n")}\n`;
}

/** `markdown`: a report that renders on GitHub and GitLab. */
export function renderDiagnosisMarkdown(unsafe: DiagnosisList, nowMs: number): string {
  // Redacted before the layout wraps: a secret cut across two lines would escape stdout's redaction.
  const list = safeView(unsafe);
  const findings = allFindings(list);
  const out: string[] = ["# Diagnosis", ""];
  if (list.judgedAt !== undefined) out.push(`Judged at ${list.judgedAt}; ${list.items.length} object(s) checked, ${findings.length} finding(s).`, "");
  if (findings.length === 0) {
    out.push("No problems found.", "");
    return out.join("\n");
  }
  out.push("| Namespace | Object | Category | Severity | Since | Fix (tier) |", "| --- | --- | --- | --- | --- | --- |");
  for (const f of findings) {
    out.push(`| ${mdCell(f.object.namespace ?? "")} | ${mdCell(objectName(f))} | ${f.category} | ${f.severity} | ${formatAge(f.since, nowMs)} | ${f.remediation.action} (${f.remediation.tier}) |`);
  }
  out.push("");
  for (const item of list.items.filter((i) => i.findings.length > 0)) out.push(...markdownItem(item));
  const explanation = list.explanation ?? list.items.find((i) => i.explanation !== undefined)?.explanation;
  if (explanation !== undefined) {
    // The answer is data: each field one code span, which no heading, fence or link can leave.
    out.push(`## Explanation (${explanation.model})`, "", "_Added by an LLM; not used for any decision._", "", quoteAsData(explanation.summary), "", `Likely cause: ${quoteAsData(explanation.likelyCause)}`, "");
    explanation.nextSteps.forEach((s, i) => out.push(`${i + 1}. ${quoteAsData(s)}`));
    out.push("");
  }
  return `${out.join("\n")}\n`;
}

/** A summary (it quotes cluster text) wrapped for Markdown, no line of it opening a block. */
function paragraph(text: string): string {
  return wrap(text, 100).split("\n").map(escapeBlockStart).join("\n");
}

function markdownItem(item: Diagnosis): string[] {
  const target = `${item.target.kind} ${item.target.namespace === undefined ? "" : `${item.target.namespace}/`}${item.target.name}`;
  const out = [`## ${target}`, ""];
  for (const f of item.findings) {
    out.push(`### ${f.category}: ${objectName(f)}`, "", paragraph(f.summary), "");
    out.push(`- Severity: ${f.severity}, confidence ${f.confidence.toFixed(2)}${f.since === undefined ? "" : `, since ${f.since}`}`);
    out.push(`- Fix (${f.remediation.action}, tier ${f.remediation.tier}): ${f.remediation.summary}`);
    out.push(`- Runbook: [${f.runbook}](${f.runbook})`, "", "Evidence:", "", `${fenceFor(f.evidence)}text`, ...f.evidence, fenceFor(f.evidence), "");
  }
  if (item.similar.length > 0) {
    out.push(`Similar past incidents: ${item.similarSummary ?? ""}`, "");
    for (const s of item.similar) out.push(`- ${s.record}: ${s.category}${s.action === undefined ? "" : `, ${s.action}`}, ${s.outcome}`);
    out.push("");
  }
  return out;
}
