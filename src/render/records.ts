import type { AuditLogEntry } from "../records/audit-log.ts";
import type { RecordFile } from "../records/record-file.ts";
import type { FrontMatter } from "../records/schema.ts";
import { isWindowOpen } from "../records/status.ts";
import type { VerifyResult } from "../records/verify.ts";
import { neutralizeLine, neutralizeText } from "../util/terminal-safe.ts";
import { formatAge, mdCell, renderColumns } from "./text.ts";

/**
 * Human output of the record commands (`list`, `show`, `audit log`, `audit verify`); pure, given
 * the clock as `nowMs`. A record's strings came from the cluster or from a git history anyone may
 * have edited: every cell and line is neutralized (util/terminal-safe.ts); the documents of
 * `-o json|yaml` keep the data as it is.
 */

export interface ListRow {
  path: string;
  frontMatter: FrontMatter;
}

export function targetText(fm: FrontMatter): string {
  const t = fm.target;
  if (t === undefined) return "-";
  return `${t.kind.toLowerCase()}/${t.namespace === undefined ? "" : `${t.namespace}/`}${t.name}`;
}

export function windowLeft(fm: FrontMatter, nowMs: number): string {
  if (fm.window === undefined || !isWindowOpen(fm.stage, fm.status)) return "-";
  const expires = Date.parse(fm.window.expires);
  if (Number.isNaN(expires)) return "-";
  return expires <= nowMs ? "expired" : formatAge(new Date(nowMs).toISOString(), expires);
}

export function renderRecordTable(rows: readonly ListRow[], nowMs: number, wide: boolean): string {
  if (rows.length === 0) return "No records.\n";
  const head = ["ID", "STAGE", "TIER", "STATUS", "TARGET", "AGE", "WINDOW LEFT", ...(wide ? ["TITLE"] : [])];
  const cells = rows.map(({ frontMatter: fm }) => [fm.id, fm.stage, fm.tier ?? "-", fm.status, targetText(fm), formatAge(fm.date, nowMs), windowLeft(fm, nowMs), ...(wide ? [fm.title] : [])].map(neutralizeLine));
  return renderColumns(head, cells);
}

export function renderRecordMarkdown(record: RecordFile, path: string): string {
  const fm = record.frontMatter;
  const rows: [string, string][] = [
    ["id", fm.id],
    ["stage", fm.stage],
    ["status", fm.status],
    ["tier", fm.tier ?? "-"],
    ["target", targetText(fm)],
    ["date", fm.date],
    ["user", `${fm.user.cluster} (git: ${fm.user.git})`],
    ["cluster", fm.cluster === undefined ? "-" : `${fm.cluster.context} ${fm.cluster.server}`],
    ["model", fm.model],
    ["command", fm.command === "" ? "-" : `\`${fm.command}\``],
    ["window", fm.window === undefined ? "-" : `${fm.window.opened} - ${fm.window.expires}`],
    ["action", fm.action === undefined ? "-" : `${fm.action.type}${fm.action.patchType === undefined ? "" : ` (${fm.action.patchType} patch)`}${fm.action.dryRun === undefined ? "" : `, dry run ${fm.action.dryRun.result}`}`],
    ["approvals", fm.approvals.length === 0 ? "-" : fm.approvals.map((a) => `${a.identity} (${a.role}) ${a.decision} at ${a.at}`).join("; ")],
    ["links", fm.links === undefined ? "-" : Object.entries(fm.links).map(([k, v]) => `${k}: ${v}`).join(", ")],
    ["file", path],
    ["content_sha256", fm.content_sha256],
  ];
  const table = ["| field | value |", "| --- | --- |", ...rows.map(([k, v]) => `| ${k} | ${mdCell(v)} |`)].join("\n");
  const events = fm.events.length === 0 ? "" : `\n## Events\n\n${fm.events.map((e) => `- ${neutralizeLine(`${e.at} ${e.type}${e.detail === undefined ? "" : `: ${e.detail}`}`)}`).join("\n")}\n`;
  return `# ${neutralizeLine(fm.title)}\n\n${table}\n\n${neutralizeText(record.body)}${events}`;
}

export function renderVerify(result: VerifyResult): string {
  const lines = result.problems.map((p) => `${p.kind.toUpperCase()}  record ${p.record}  commit ${p.commit.slice(0, 12)}  ${p.path}: ${p.message}`);
  return `${[...lines, result.summary].map(neutralizeLine).join("\n")}\n`;
}

export function renderAuditLog(entries: readonly AuditLogEntry[]): string {
  if (entries.length === 0) return "No record commits in the history.\n";
  const lines = entries.map((e) => {
    const status = e.change === "deleted" ? "DELETED" : e.from === undefined ? `new ${e.to ?? "?"}` : e.from === e.to ? `${e.to ?? "?"}` : `${e.from} -> ${e.to ?? "?"}`;
    const approvals = e.approvals.length === 0 ? "" : ` [${e.approvals.join(", ")}]`;
    return neutralizeLine(`${e.date}  ${e.author}  ${e.record}  ${e.stage}  ${status}${approvals}  ${e.title}`);
  });
  return `${lines.join("\n")}\n`;
}

/** The documents of `-o json|yaml`: the data under an apiVersion and a kind. */
export function recordListDocument(rows: readonly ListRow[]): { apiVersion: "aiops.dev/v1"; kind: "RecordList"; items: unknown[] } {
  return { apiVersion: "aiops.dev/v1", kind: "RecordList", items: rows.map((r) => ({ path: r.path, ...r.frontMatter })) };
}

export function recordDocument(record: RecordFile, path: string): { apiVersion: "aiops.dev/v1"; kind: "Record"; path: string; frontMatter: FrontMatter; body: string } {
  return { apiVersion: "aiops.dev/v1", kind: "Record", path, frontMatter: record.frontMatter, body: record.body };
}

export function auditLogDocument(entries: readonly AuditLogEntry[]): { apiVersion: "aiops.dev/v1"; kind: "AuditLog"; items: readonly AuditLogEntry[] } {
  return { apiVersion: "aiops.dev/v1", kind: "AuditLog", items: entries };
}
