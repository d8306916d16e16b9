import path from "node:path";
import type { Diagnosis, DiagnosisList, Explanation, Finding } from "../diagnose/types.ts";
import type { Session } from "./session.ts";
import { TIERS, type Tier } from "../policy/tiers.ts";
import { parsePolicy, POLICY_FILE } from "../policy/policy-file.ts";
import { loadPolicy } from "./load-policy.ts";
import { interruptedNotices } from "./apply/interrupted.ts";
import { redactText } from "../util/redact.ts";
import { neutralizeLine } from "../util/terminal-safe.ts";
import { quoteAsData } from "../util/record-text.ts";
import { auditLogEntries, type AuditLogEntry } from "../records/audit-log.ts";
import { renderSections, type RecordFile } from "../records/record-file.ts";
import { walkHistory, type HistoryWalk } from "../records/git-walk.ts";
import { readSignatures } from "../records/signatures.ts";
import { uncommittedRecords, uncommittedWarning } from "../records/worktree.ts";
import { evidenceSha256 } from "../records/hash.ts";
import { resolveHistory, type History, type HistoryLocation } from "../records/history.ts";
import { resolveRecord } from "../records/resolve-record.ts";
import { loadIncidentHistory } from "../records/incidents.ts";
import { findSimilarIncidents, type SimilarResult } from "../records/similar.ts";
import { listRecords, readLocation, writeRecord, type NewRecord, type StoreDeps } from "../records/store.ts";
import { recordVersions, verifyWalk, type VerifyResult } from "../records/verify.ts";
import type { ListRow } from "../render/records.ts";

/**
 * The record use-cases: `list`, `show`, `audit log`, `audit verify`, and `diagnose --record`.
 * They return data; the shell renders it (render/records.ts).
 */

function historyOf(session: Session): History {
  return resolveHistory(session.historyLocation);
}

function storeDeps(session: Session): StoreDeps {
  return { now: () => session.io.now(), warn: (message) => session.warn(message) };
}

export interface ListFilters {
  stage?: string | undefined;
  status?: string | undefined;
}

/** The records of the history that pass the filters, oldest first, and what is wrong with the rest. */
export interface HistoryListing {
  /** The history directory. */
  dir: string;
  rows: ListRow[];
  /** Unreadable records and interrupted applies, one sentence each (the shell prints "warning: " before them). */
  warnings: string[];
}

export async function listHistory(session: Session, filters: ListFilters): Promise<HistoryListing> {
  const history = historyOf(session);
  const [listing, uncommitted] = await Promise.all([listRecords(history, storeDeps(session)), uncommittedRecords(history)]);
  const dirty = uncommittedWarning(history, uncommitted);
  const warnings = [...listing.invalid.map((bad) => bad.error), ...interruptedNotices(listing.records), ...(dirty === undefined ? [] : [dirty])];
  const rows = listing.records
    .filter((r) => (filters.stage === undefined || r.frontMatter.stage === filters.stage) && (filters.status === undefined || r.frontMatter.status === filters.status))
    .map((r) => ({ path: `${history.dir}/${r.location.relative}`, frontMatter: r.frontMatter }));
  return { dir: history.dir, rows, warnings };
}

/** One record as read, with its absolute path. */
export interface ShownRecord {
  path: string;
  record: RecordFile;
}

/** RECORD: an id, a unique id prefix, or a path inside the history directory. */
export async function showRecord(session: Session, argument: string): Promise<ShownRecord> {
  const history = historyOf(session);
  const location = await resolveRecord(history, argument, session.io.cwd);
  const [record, uncommitted] = await Promise.all([readLocation(location), uncommittedRecords(history)]);
  const mine = uncommitted.find((f) => f.relative === location.relative);
  if (mine !== undefined) session.warn(`warning: ${location.relative} differs from what git holds (${mine.state.trim() === "??" ? "never committed" : "uncommitted changes"}): this is not the audited record; git diff -- ${location.absolute} shows the change`);
  return { path: location.absolute, record };
}

/** One entry per record commit, oldest first, from git itself. */
export async function auditLog(session: Session): Promise<AuditLogEntry[]> {
  return auditLogEntries(await walkHistory(historyOf(session)));
}

export interface VerifyRequest {
  /** --require-signed: every commit signed, whatever the policy of the time says. */
  requireSigned: boolean;
  /** --allowed-signers FILE: the auditor's own trusted signers, instead of the versions in the repository. */
  allowedSignersFile?: string | undefined;
}

/**
 * Walks the history with the policy file and the allowed signers it names, reads the commit
 * signatures when any policy of the history (or the request) requires them, and judges (verify.ts).
 */
export async function verifyHistory(location: HistoryLocation, request: VerifyRequest): Promise<VerifyResult> {
  return (await auditHistory(location, request)).result;
}

/** The verdict, and the content hash of every record in chain (id) order, for checkpoints. */
export async function auditHistory(location: HistoryLocation, request: VerifyRequest): Promise<{ result: VerifyResult; hashes: Map<string, string>; order: string[] }> {
  const history = resolveHistory(location);
  const { policy } = loadPolicy(location);
  const signersPath = policy.allowedSigners;
  const extraPaths = [POLICY_FILE, ...(signersPath === undefined ? [] : [signersPath])];
  const walk = await walkHistory(history, { extraPaths });
  const everRequired = request.requireSigned || policy.requireSigned || policyVersionsRequireSigning(walk);
  const signatures = everRequired
    ? await readSignatures(history, walk, { extraPaths, ...(signersPath === undefined ? {} : { signersPath }), ...(request.allowedSignersFile === undefined ? {} : { trustedFile: path.resolve(location.cwd, request.allowedSignersFile) }) })
    : undefined;
  const result = verifyWalk(walk, { requireSigned: request.requireSigned, policyPath: POLICY_FILE, ...(signersPath === undefined ? {} : { signersPath }), ...(signatures === undefined ? {} : { signatures }) });
  const hashes = new Map<string, string>();
  for (const version of recordVersions(walk)) {
    const fm = version.record?.frontMatter;
    if (fm !== undefined && !hashes.has(fm.id)) hashes.set(fm.id, fm.content_sha256);
  }
  return { result, hashes, order: [...hashes.keys()].sort() };
}

function policyVersionsRequireSigning(walk: HistoryWalk): boolean {
  for (const commit of walk.commits) {
    for (const change of commit.changes) {
      if (change.extra !== true || change.relative !== POLICY_FILE) continue;
      try {
        if (parsePolicy(walk.blobs.get(change.blob) ?? "", POLICY_FILE).requireSigned) return true;
      } catch {
        // An invalid version is reported by verifyWalk; it requires nothing.
      }
    }
  }
  return false;
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
  // Each name and evidence line stays one line (a name with "\n## Decision" must not open a section).
  // Evidence lines are the cluster's text (logs, events): each one a code span, inert.
  const evidence = findings.map((f) => `### ${neutralizeLine(`${f.category}: ${objectText(f.object)}${f.container === undefined ? "" : ` [${f.container}]`}`)}\n\n${f.evidence.map((e) => `- ${quoteAsData(e)}`).join("\n")}`).join("\n\n");
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
  const lines = findings.map((f) => `- ${neutralizeLine(`**${f.category}** (${f.severity}, confidence ${f.confidence.toFixed(2)}) ${objectText(f.object)}${f.container === undefined ? "" : ` [${f.container}]`}: ${redactText(f.summary)}`)}\n  - ${neutralizeLine(`fix: ${f.remediation.action} (${f.remediation.tier} tier): ${redactText(f.remediation.summary)}; runbook ${f.runbook}`)}`);
  const similar = focus?.similar ?? [];
  const similarText = similar.length === 0 ? "" : `\n\nSimilar past incidents:\n\n${similar.map((s) => `- ${neutralizeLine(`${s.record} ${s.category} ${s.target ?? ""}: ${s.outcome}${s.action === undefined ? "" : ` (${s.action})`}, score ${s.score}`)}`).join("\n")}`;
  const e = explained ?? focus?.explanation;
  // The LLM's answer is data: each field one code span, so it cannot open a section, a fence or a link.
  const explanation = e === undefined ? "" : `\n\n${neutralizeLine(`Explanation (${e.model}):`)} ${quoteAsData(e.summary)}\n\nLikely cause: ${quoteAsData(e.likelyCause)}\n\n${e.nextSteps.map((step) => `- ${quoteAsData(step)}`).join("\n")}`;
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
