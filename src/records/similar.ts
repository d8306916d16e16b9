import type { Category, Diagnosis, DiagnosisList, SimilarIncident } from "../diagnose/types.ts";
import { CATEGORIES } from "../diagnose/types.ts";
import { readSection, type RecordFile } from "./record-file.ts";

/**
 * Similar past incidents (docs/records.md, similar past incidents), pure: Jaccard similarity over tokens of the
 * category, the messages and the target (generated pod/ReplicaSet suffixes stripped), against
 * diagnosis and proposal records. A diagnosis's outcome comes from the proposals linked to it.
 */

export interface SimilarResult {
  similar: SimilarIncident[];
  summary: string;
}

const STOP_WORDS = new Set(["the", "a", "an", "and", "or", "of", "in", "on", "to", "is", "was", "for", "with", "by", "at", "its", "it", "be", "has", "not", "no", "from", "this", "that"]);
const HASH_SUFFIX = /-[bcdfghjklmnpqrstvwxz2456789]{3,10}$/;
const CATEGORY_SET = new Set<string>(CATEGORIES);
const MIN_SCORE = 0.15;

/** "api-7d9f8b6c5-x2k4q" -> "api", "db-0" -> "db": pods of one workload share one name. */
export function baseName(name: string): string {
  let out = name.replace(/-[0-9]+$/, "");
  for (let i = 0; i < 2; i++) {
    const match = HASH_SUFFIX.exec(out);
    if (match === null || !/[0-9]/.test(match[0])) break;
    out = out.slice(0, match.index);
  }
  return out === "" ? name : out;
}

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2 && !STOP_WORDS.has(w) && !/^[0-9]+$/.test(w));
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return shared / (a.size + b.size - shared);
}

function targetTokens(target: { kind?: string | undefined; namespace?: string | undefined; name?: string | undefined } | undefined): string[] {
  if (target === undefined) return [];
  return [target.kind === undefined ? "" : `kind:${target.kind.toLowerCase()}`, target.namespace === undefined ? "" : `ns:${target.namespace}`, target.name === undefined ? "" : `name:${baseName(target.name)}`].filter((t) => t !== "");
}

function diagnosisTokens(diagnosis: Diagnosis): { tokens: Set<string>; categories: Set<string> } {
  const categories = new Set(diagnosis.findings.map((f) => f.category as string));
  const tokens = new Set<string>([...[...categories].map((c) => `cat:${c}`), ...targetTokens(diagnosis.target)]);
  for (const f of diagnosis.findings) {
    for (const t of targetTokens(f.object)) tokens.add(t);
    for (const w of words(f.summary)) tokens.add(w);
  }
  return { tokens, categories };
}

/** The categories a record is about: its labels, else category names in its title. */
export function recordCategories(record: RecordFile): string[] {
  const labels = record.frontMatter.labels ?? {};
  const listed = [labels["category"], ...(labels["categories"] ?? "").split(",")].map((c) => c?.trim() ?? "").filter((c) => CATEGORY_SET.has(c));
  if (listed.length > 0) return [...new Set(listed)];
  return CATEGORIES.filter((c) => record.frontMatter.title.includes(c));
}

function recordTokens(record: RecordFile, categories: string[]): Set<string> {
  const fm = record.frontMatter;
  const snapshot = (readSection(record.body, "Response snapshot") ?? "").slice(0, 2000);
  return new Set([...categories.map((c) => `cat:${c}`), ...targetTokens(fm.target), ...words(fm.title), ...words(snapshot)]);
}

export function findSimilarIncidents(diagnosis: Diagnosis | DiagnosisList, history: readonly RecordFile[], limit = 5): SimilarResult {
  const items = diagnosis.kind === "DiagnosisList" ? diagnosis.items.filter((i) => i.findings.length > 0) : [diagnosis];
  const queries = items.map(diagnosisTokens);
  const proposalsByDiagnosis = new Map<string, RecordFile[]>();
  for (const r of history) {
    const link = r.frontMatter.links?.diagnosis;
    if (r.frontMatter.stage === "proposal" && link !== undefined) proposalsByDiagnosis.set(link, [...(proposalsByDiagnosis.get(link) ?? []), r]);
  }
  const found: SimilarIncident[] = [];
  for (const record of history) {
    const fm = record.frontMatter;
    const linkedToDiagnosis = fm.stage === "proposal" && fm.links?.diagnosis !== undefined && history.some((r) => r.frontMatter.id === fm.links?.diagnosis);
    if ((fm.stage !== "diagnosis" && fm.stage !== "proposal") || linkedToDiagnosis) continue;
    const categories = recordCategories(record);
    const tokens = recordTokens(record, categories);
    let best: { score: number; category: string } | undefined;
    for (const query of queries) {
      const shared = categories.find((c) => query.categories.has(c));
      if (shared === undefined) continue;
      const score = jaccard(query.tokens, tokens);
      if (score >= MIN_SCORE && (best === undefined || score > best.score)) best = { score, category: shared };
    }
    if (best === undefined) continue;
    const outcomeFrom = fm.stage === "proposal" ? record : newest(proposalsByDiagnosis.get(fm.id) ?? []);
    const incident: SimilarIncident = {
      record: fm.id,
      category: best.category as Category,
      outcome: outcomeFrom === undefined ? (fm.status === "resolved" ? "resolved" : "no action recorded") : outcomeFrom.frontMatter.status,
      score: Math.round(best.score * 100) / 100,
    };
    if (fm.target !== undefined) incident.target = `${fm.target.kind.toLowerCase()}/${fm.target.namespace === undefined ? "" : `${fm.target.namespace}/`}${fm.target.name}`;
    const action = outcomeFrom?.frontMatter.action?.type;
    if (action !== undefined) incident.action = action;
    found.push(incident);
  }
  const similar = found.sort((a, b) => b.score - a.score || (a.record < b.record ? 1 : -1)).slice(0, limit);
  return { similar, summary: summarizeSimilar(found) };
}

function newest(records: RecordFile[]): RecordFile | undefined {
  return [...records].sort((a, b) => (a.frontMatter.id < b.frontMatter.id ? 1 : -1))[0];
}

const ACTED = new Set(["approved", "applying", "verified", "rolled-back", "failed", "reverted"]);

/** "resolved 3 times by raising the memory limit (resources), 2 verified". */
export function summarizeSimilar(incidents: readonly SimilarIncident[]): string {
  if (incidents.length === 0) return "no similar incidents in the history";
  const acted = incidents.filter((i) => i.action !== undefined && ACTED.has(i.outcome));
  if (acted.length === 0) return `${incidents.length} similar incident(s), none acted on`;
  const counts = new Map<string, SimilarIncident[]>();
  for (const i of acted) counts.set(i.action ?? "", [...(counts.get(i.action ?? "") ?? []), i]);
  const [action, group] = [...counts].sort((a, b) => b[1].length - a[1].length)[0] ?? ["", []];
  const verified = group.filter((i) => i.outcome === "verified").length;
  const rolledBack = group.filter((i) => i.outcome === "rolled-back").length;
  const times = group.length === 1 ? "once" : `${group.length} times`;
  return `resolved ${times} by ${describeAction(action, group[0]?.category)} (${action}), ${verified} verified${rolledBack > 0 ? `, ${rolledBack} rolled back` : ""}`;
}

function describeAction(action: string, category: string | undefined): string {
  switch (action) {
    case "resources":
      return category === "OOMKilled" ? "raising the memory limit" : "adjusting resource requests and limits";
    case "restart":
      return "restarting the pod";
    case "scale":
      return "scaling the workload";
    case "hpa":
      return "adding or tuning an HPA";
    case "rollback":
      return "rolling back the rollout";
    default:
      return `a ${action} change`;
  }
}
