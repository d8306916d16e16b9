import type { Diagnosis, DiagnosisList, Explanation, Finding } from "../diagnose/types.ts";
import type { Io, Session } from "./session.ts";
import { TIERS, type Tier } from "../policy/tiers.ts";
import { renderMachine } from "../render/format.ts";
import { interruptedNotices } from "./apply/interrupted.ts";
import { redactText } from "../util/redact.ts";
import { auditLogEntries, renderAuditLog } from "../records/audit-log.ts";
import { renderSections } from "../records/format.ts";
import { walkHistory } from "../records/git-walk.ts";
import { evidenceSha256 } from "../records/hash.ts";
import { resolveHistory, type History, type HistoryLocation } from "../records/history.ts";
import { renderRecordMarkdown, renderRecordTable, renderVerify } from "../records/render.ts";
import { resolveRecord } from "../records/resolve-record.ts";
import { loadIncidentHistory } from "../records/incidents.ts";
import { findSimilarIncidents, type SimilarResult } from "../records/similar.ts";
import { listRecords, readLocation, writeRecord, type NewRecord, type StoreDeps } from "../records/store.ts";
import { verifyWalk, type VerifyResult } from "../records/verify.ts";

/** The record use-cases: `list`, `show`, `audit log`, `audit verify`, and `diagnose --record`. */

function historyOf(session: Session): History {
  return resolveHistory(session.historyLocation);
}

function storeDeps(io: Pick<Io, "now" | "stderr">): StoreDeps {
  return { now: () => io.now(), warn: (message) => void io.stderr.write(`${message}\n`) };
}

export interface ListFilters {
  stage?: string | undefined;
  status?: string | undefined;
}

export async function runList(session: Session, filters: ListFilters): Promise<string> {
  const { globals, io } = session;
  const history = historyOf(session);
  const listing = await listRecords(history, storeDeps(io));
  for (const bad of listing.invalid) io.stderr.write(`warning: ${bad.error}\n`);
  for (const notice of interruptedNotices(listing.records)) io.stderr.write(`warning: ${notice}\n`);
  const rows = listing.records
    .filter((r) => (filters.stage === undefined || r.frontMatter.stage === filters.stage) && (filters.status === undefined || r.frontMatter.status === filters.status))
    .map((r) => ({ path: `${history.dir}/${r.location.relative}`, frontMatter: r.frontMatter }));
  switch (globals.output) {
    case "json":
    case "yaml":
      return renderMachine({ apiVersion: "aiops.dev/v1", kind: "RecordList", items: rows.map((r) => ({ path: r.path, ...r.frontMatter })) }, globals.output);
    default:
      return renderRecordTable(rows, io.now().getTime(), globals.output === "wide");
  }
}

export async function runShow(session: Session, argument: string): Promise<string> {
  const { globals, io } = session;
  const history = historyOf(session);
  const location = await resolveRecord(history, argument, io.cwd);
  const record = await readLocation(location);
  switch (globals.output) {
    case "json":
    case "yaml":
      return renderMachine({ apiVersion: "aiops.dev/v1", kind: "Record", path: location.absolute, frontMatter: record.frontMatter, body: record.body }, globals.output);
    default:
      return renderRecordMarkdown(record, location.absolute);
  }
}

export async function runAuditLog(session: Session): Promise<string> {
  const { globals } = session;
  const entries = auditLogEntries(await walkHistory(historyOf(session)));
  return globals.output === "json" || globals.output === "yaml" ? renderMachine({ apiVersion: "aiops.dev/v1", kind: "AuditLog", items: entries }, globals.output) : renderAuditLog(entries);
}

export interface VerifyRequest {
  requireSigned: boolean;
  allowedSignersFile?: string | undefined;
}

export async function verifyHistory(location: HistoryLocation, request: VerifyRequest): Promise<VerifyResult> {
  const history = resolveHistory(location);
  const walk = await walkHistory(history, request.requireSigned ? { signatures: true, ...(request.allowedSignersFile === undefined ? {} : { allowedSignersFile: request.allowedSignersFile }) } : {});
  return verifyWalk(walk, { requireSigned: request.requireSigned });
}

export async function runAuditVerify(session: Session, request: VerifyRequest): Promise<{ text: string; result: VerifyResult }> {
  const { globals } = session;
  const result = await verifyHistory(session.historyLocation, request);
  const text = globals.output === "json" || globals.output === "yaml" ? renderMachine(result, globals.output) : renderVerify(result);
  return { text, result };
}

export interface RecordContext {
  command: string;
  cluster?: { context: string; server: string };
  /** The identity the API server authenticated; "unknown" offline. */
  user?: string;
  model?: string;
  now: Date;
  historyDir?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
}

/** Writes one diagnosis record for `diagnose --record` / `watch`; returns its id and file. */
export async function recordDiagnosis(diagnosis: Diagnosis | DiagnosisList, context: RecordContext): Promise<{ id: string; path: string; commit: string }> {
  const history = resolveHistory(context);
  const input = diagnosisRecord(diagnosis, context);
  const deps: StoreDeps = { now: () => context.now, ...(context.warn === undefined ? {} : { warn: context.warn }) };
  const written = await writeRecord(history, input, deps);
  return { id: written.frontMatter.id, path: written.location.absolute, commit: written.commit };
}

/** Builds the record of a diagnosis (pure): title, target, tier, labels, redacted evidence. */
export function diagnosisRecord(diagnosis: Diagnosis | DiagnosisList, context: Pick<RecordContext, "command" | "cluster" | "user" | "model">): NewRecord {
  const items = diagnosis.kind === "DiagnosisList" ? diagnosis.items : [diagnosis];
  const failing = items.filter((i) => i.findings.length > 0);
  const findings = failing.flatMap((i) => i.findings);
  const categories = [...new Set(findings.map((f) => f.category))];
  const focus = diagnosis.kind === "Diagnosis" ? diagnosis : failing.length === 1 ? failing[0] : undefined;
  const evidence = findings.map((f) => `### ${f.category}: ${objectText(f.object)}${f.container === undefined ? "" : ` [${f.container}]`}\n\n${f.evidence.map((e) => `- ${redactText(e)}`).join("\n")}`).join("\n\n");
  const body = renderSections({
    Prompt: `\`\`\`\n${redactText(context.command)}\n\`\`\``,
    "Response snapshot": responseSnapshot(items, findings, focus, diagnosis.explanation),
    Evidence: evidence === "" ? "No evidence: no problem found." : evidence,
  });
  const input: NewRecord = {
    title: titleOf(categories, focus, failing.length, items),
    stage: "diagnosis",
    command: redactText(context.command),
    model: context.model ?? diagnosis.explanation?.model ?? "rules",
    user: { cluster: context.user ?? "unknown" },
    labels: categories.length === 0 ? { categories: "" } : { category: categories[0] ?? "", categories: categories.join(",") },
    evidence_sha256: evidenceSha256(evidence),
    body,
  };
  if (context.cluster !== undefined) input.cluster = context.cluster;
  if (focus !== undefined) input.target = { kind: focus.target.kind, name: focus.target.name, ...(focus.target.namespace === undefined ? {} : { namespace: focus.target.namespace }) };
  const tier = highestTier(findings);
  if (tier !== undefined) input.tier = tier;
  const runbook = findings[0]?.runbook;
  if (runbook !== undefined) input.links = { runbook };
  return input;
}

function objectText(o: { kind: string; namespace?: string; name: string }): string {
  return `${o.kind.toLowerCase()}/${o.namespace === undefined ? "" : `${o.namespace}/`}${o.name}`;
}

function titleOf(categories: string[], focus: Diagnosis | undefined, failingCount: number, items: Diagnosis[]): string {
  const where = focus === undefined ? scopeOf(items) : `${focus.target.namespace === undefined ? "" : `${focus.target.namespace}/`}${focus.target.name}`;
  const title = categories.length === 0 ? `No problems in ${where}` : focus !== undefined ? `${categories.join(", ")} in ${where}` : `${failingCount} failing objects in ${where}: ${categories.join(", ")}`;
  return title.length > 200 ? `${title.slice(0, 197)}...` : title;
}

function scopeOf(items: Diagnosis[]): string {
  const namespaces = [...new Set(items.map((i) => i.target.namespace).filter((n) => n !== undefined))];
  return namespaces.length === 1 ? `namespace ${namespaces[0] ?? ""}` : "the cluster";
}

function responseSnapshot(items: Diagnosis[], findings: Finding[], focus: Diagnosis | undefined, explained: Explanation | undefined): string {
  if (findings.length === 0) return `No problems found in ${items.length} object(s).`;
  const lines = findings.map((f) => `- **${f.category}** (${f.severity}, confidence ${f.confidence.toFixed(2)}) ${objectText(f.object)}${f.container === undefined ? "" : ` [${f.container}]`}: ${redactText(f.summary)}\n  - fix: ${f.remediation.action} (${f.remediation.tier} tier): ${redactText(f.remediation.summary)}; runbook ${f.runbook}`);
  const similar = focus?.similar ?? [];
  const similarText = similar.length === 0 ? "" : `\n\nSimilar past incidents:\n\n${similar.map((s) => `- ${s.record} ${s.category} ${s.target ?? ""}: ${s.outcome}${s.action === undefined ? "" : ` (${s.action})`}, score ${s.score}`).join("\n")}`;
  const e = explained ?? focus?.explanation;
  const explanation = e === undefined ? "" : `\n\nExplanation (${e.model}): ${redactText(e.summary)}\n\nLikely cause: ${redactText(e.likelyCause)}\n\n${e.nextSteps.map((step) => `- ${redactText(step)}`).join("\n")}`;
  return `${lines.join("\n")}${similarText}${explanation}`;
}

function highestTier(findings: Finding[]): Tier | undefined {
  let index = -1;
  for (const f of findings) index = Math.max(index, TIERS.indexOf(f.remediation.tier));
  return TIERS[index];
}

/** Similar past incidents for a diagnosis, with the one-line summary. Reads no git history. */
export async function findSimilar(diagnosis: Diagnosis | DiagnosisList, location: HistoryLocation): Promise<SimilarResult> {
  return findSimilarIncidents(diagnosis, await loadIncidentHistory(resolveHistory(location)));
}
