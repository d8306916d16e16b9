import Table from "cli-table3";
import type { Diagnosis, DiagnosisList, Explanation, Finding } from "../diagnose/types.ts";
import { fenceFor, formatAge, mdCell, renderMachine, safeView, wrap, type OutputFormat } from "./text.ts";

/**
 * `diagnose`'s stdout: the named object's Diagnosis (else the list) as data, the list as Markdown,
 * or a table (human output shows every cluster and LLM string through safeView; data stays raw), with every finding's details when one object was named or only one has findings.
 * `now`: the time the snapshot was judged at.
 */
export function renderDiagnoseResult(result: { list: DiagnosisList; single?: Diagnosis | undefined; now: string }, format: OutputFormat, options: { color: boolean }): string {
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
        details: single !== undefined || list.items.filter((i) => i.findings.length > 0).length === 1,
      });
  }
}

export interface HumanRenderOptions {
  nowMs: number;
  color: boolean;
  /** Print evidence and the fix for every finding (one object diagnosed). */
  details: boolean;
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

/** `table` and `wide`: one row per finding, then the details when one object was diagnosed. */
export function renderDiagnosisTable(unsafe: DiagnosisList, wide: boolean, options: HumanRenderOptions): string {
  const list = safeView(unsafe);
  const findings = allFindings(list);
  const checked = list.items.length;
  if (findings.length === 0) return `No problems found in ${checked} object(s).\n`;
  const head = wide
    ? ["NAMESPACE", "OBJECT", "CONTAINER", "CATEGORY", "SEVERITY", "CONF", "SINCE", "ACTION", "TIER", "SUMMARY", "RUNBOOK"]
    : ["NAMESPACE", "OBJECT", "CATEGORY", "SEVERITY", "SINCE", "SUMMARY"];
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true, "padding-left": 0, "padding-right": 2 },
    chars: borderless,
    wordWrap: true,
    colWidths: wide ? [] : [null, null, null, null, null, 70] as unknown as number[],
  });
  for (const f of findings) {
    const since = formatAge(f.since, options.nowMs);
    const common = [f.object.namespace ?? "", wide ? `${f.object.kind.toLowerCase()}/${f.object.name}` : objectName(f)];
    table.push(
      wide
        ? [...common, f.container ?? "", f.category, paint(f.severity, f.severity, options.color), f.confidence.toFixed(2), since, f.remediation.action, f.remediation.tier, f.summary, f.runbook]
        : [...common, f.category, paint(f.severity, f.severity, options.color), since, f.summary],
    );
  }
  const problems = list.items.filter((i) => i.status === "ProblemDetected").length;
  let out = `${table.toString()}\n\n${findings.length} finding(s) in ${problems} of ${checked} object(s).\n`;
  if (options.details) out += `\n${findings.map((f) => renderDetails(f, options)).join("\n")}`;
  for (const item of list.items.filter((i) => i.similar.length > 0)) {
    out += `\nSimilar past incidents for ${item.target.kind.toLowerCase()}/${item.target.name}: ${item.similarSummary ?? ""}\n${item.similar.map((s) => `  - ${s.record} ${s.category}${s.target === undefined ? "" : ` ${s.target}`}: ${s.outcome}${s.action === undefined ? "" : ` (${s.action})`}`).join("\n")}\n`;
  }
  const explanation = list.explanation ?? list.items.find((i) => i.explanation !== undefined)?.explanation;
  if (explanation !== undefined) out += `\n${renderExplanation(explanation)}`;
  return out;
}

const borderless = {
  top: "", "top-mid": "", "top-left": "", "top-right": "",
  bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
  left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "",
};

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
    out.push(`## Explanation (${explanation.model})`, "", "_Added by an LLM; not used for any decision._", "", wrap(explanation.summary, 100), "", `Likely cause: ${explanation.likelyCause}`, "");
    explanation.nextSteps.forEach((s, i) => out.push(`${i + 1}. ${s}`));
    out.push("");
  }
  return `${out.join("\n")}\n`;
}

function markdownItem(item: Diagnosis): string[] {
  const target = `${item.target.kind} ${item.target.namespace === undefined ? "" : `${item.target.namespace}/`}${item.target.name}`;
  const out = [`## ${target}`, ""];
  for (const f of item.findings) {
    out.push(`### ${f.category}: ${objectName(f)}`, "", wrap(f.summary, 100), "");
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
