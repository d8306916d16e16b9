import { InputError } from "../errors.ts";
import type { KubeObject } from "../model/k8s.ts";
import { DIAGNOSED_KINDS, EVIDENCE_KINDS } from "../model/k8s.ts";
import { DIAGNOSE_INPUT_LIMITS, LimitError, parseBoundedJson, parseBoundedYamlDocuments } from "../util/bounded-parse.ts";
import { neutralizeLine } from "../util/terminal-safe.ts";
import { readObject } from "./object-schema.ts";

export interface ParsedInput {
  objects: KubeObject[];
  /** Notes for stderr: skipped kinds, objects the rules cannot read, empty documents. */
  notes: string[];
}

const KNOWN_KINDS = new Set<string>([...DIAGNOSED_KINDS, ...EVIDENCE_KINDS]);

/** What flatten leaves out, counted for one note per reason. */
interface Skipped {
  /** Unknown kinds, by kind. */
  kinds: Map<string, number>;
  /** Known kinds with a missing or wrongly typed field, by kind: how many, and the first problem. */
  invalid: Map<string, { count: number; first: string }>;
  /** List items that are not objects at all. */
  notObjects: number;
}

/**
 * Parses `kubectl get ... -o json|yaml` output: one object, a List (or a typed list such as a
 * PodList, whose items carry no kind), or multi-document YAML. Pure: `source` only names the
 * input in errors and notes. Within DIAGNOSE_INPUT_LIMITS (a LimitError, exit 2, beyond them);
 * an object of a known kind with a field the rules cannot read is skipped with a note.
 */
export function parseInput(text: string, source: string): ParsedInput {
  const documents = looksLikeJson(text) ? [parseJson(text, source)] : parseYaml(text, source);
  const objects: KubeObject[] = [];
  const skipped: Skipped = { kinds: new Map(), invalid: new Map(), notObjects: 0 };
  for (const document of documents) {
    if (typeof document !== "object" || document === null) {
      throw new InputError(`${source}: expected Kubernetes objects, found ${document === null ? "null" : typeof document}`, {
        hint: "pass the output of kubectl get ... -o json or -o yaml",
      });
    }
    flatten(document, undefined, objects, skipped);
  }
  const notes: string[] = [];
  for (const [kind, count] of skipped.kinds) notes.push(`${source}: skipped ${count} object(s) of kind ${shown(kind)}: not diagnosed`);
  for (const [kind, { count, first }] of skipped.invalid) notes.push(`${source}: skipped ${count} ${kind} object(s) with missing or wrongly typed fields; the first: ${first}`);
  if (skipped.notObjects > 0) notes.push(`${source}: skipped ${skipped.notObjects} list item(s) that are not objects`);
  if (objects.length === 0 && notes.length === 0) notes.push(`${source}: no Kubernetes objects found`);
  return { objects, notes };
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === "{" || first === "[";
}

/** A text that starts like JSON is JSON (never flow YAML), so a broken one gets JSON's error, with its line. */
function parseJson(text: string, source: string): unknown {
  try {
    return parseBoundedJson(text, source, DIAGNOSE_INPUT_LIMITS);
  } catch (error) {
    if (error instanceof LimitError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position?.[1] === undefined ? "" : ` at ${lineColumn(text, Number(position[1]))}`;
    throw new InputError(`${source}: invalid JSON${where}: ${message.replace(/ in JSON at position.*$/, "")}`, {
      hint: `fix the file, or regenerate it with: kubectl get pods,events,svc,endpoints,deploy,rs,nodes,pvc,jobs,hpa -n <ns> -o json > ${source}`,
    });
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  const excerpt = text.slice(offset, offset + 40).split("\n")[0] ?? "";
  return `line ${line} column ${column} (near ${JSON.stringify(excerpt)})`;
}

function parseYaml(text: string, source: string): unknown[] {
  try {
    return parseBoundedYamlDocuments(text, source, DIAGNOSE_INPUT_LIMITS);
  } catch (error) {
    if (error instanceof LimitError) throw error;
    const pos = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const where = pos === undefined ? "" : ` at line ${pos.line} column ${pos.col}`;
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? "";
    throw new InputError(`${source}: invalid YAML${where}: ${message}`, {
      hint: "fix the file; objects as printed by kubectl get -o yaml or -o json are accepted",
    });
  }
}

function flatten(value: unknown, impliedKind: string | undefined, out: KubeObject[], skipped: Skipped): void {
  if (Array.isArray(value)) {
    for (const item of value) flatten(item, impliedKind, out, skipped);
    return;
  }
  if (typeof value !== "object" || value === null) {
    skipped.notObjects++;
    return;
  }
  const record = value as Record<string, unknown>;
  const kind = typeof record["kind"] === "string" ? record["kind"] : impliedKind;
  if (Array.isArray(record["items"]) && (kind === undefined || kind.endsWith("List"))) {
    const itemKind = kind === undefined || kind === "List" ? undefined : kind.slice(0, -"List".length);
    flatten(record["items"], itemKind, out, skipped);
    return;
  }
  if (kind === undefined || !KNOWN_KINDS.has(kind)) {
    const name = kind ?? "<no kind>";
    skipped.kinds.set(name, (skipped.kinds.get(name) ?? 0) + 1);
    return;
  }
  const read = readObject(kind, record["kind"] === kind ? record : { ...record, kind });
  if ("object" in read) {
    out.push(read.object);
    return;
  }
  const invalid = skipped.invalid.get(kind);
  if (invalid === undefined) skipped.invalid.set(kind, { count: 1, first: `${kind} ${nameOf(record)}: ${read.problem}` });
  else invalid.count++;
}

/** The object's namespace/name for a note, when it has them as strings. */
function nameOf(record: Record<string, unknown>): string {
  const metadata = record["metadata"];
  const field = (key: string): string | undefined => {
    const v = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>)[key] : undefined;
    return typeof v === "string" ? v : undefined;
  };
  const name = field("name");
  const namespace = field("namespace");
  return name === undefined ? "(no name)" : shown(namespace === undefined ? name : `${namespace}/${name}`);
}

/** Text from the file, as a note shows it: one line, no control character, 100 characters at most. */
function shown(text: string): string {
  return neutralizeLine(text.length > 100 ? `${text.slice(0, 100)}...` : text);
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const TIME_KEY = /(Time|Timestamp|At)$/;

/**
 * The time a file is judged at: its newest timestamp, so a dump diagnosed next month gives the
 * same answer. Only time-like fields count, never annotations or messages.
 */
export function newestTimestamp(objects: readonly KubeObject[]): string | undefined {
  let newest = -Infinity;
  const visit = (value: unknown, key: string, depth: number): void => {
    if (typeof value === "string") {
      if (TIME_KEY.test(key) && TIMESTAMP.test(value)) {
        const t = Date.parse(value);
        if (t > newest) newest = t;
      }
      return;
    }
    if (depth > 8 || typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key, depth + 1);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (k === "annotations" || k === "labels" || k === "managedFields" || k === "spec") continue;
      visit(v, k, depth + 1);
    }
  };
  for (const object of objects) visit(object, "", 0);
  return Number.isFinite(newest) ? new Date(newest).toISOString() : undefined;
}
