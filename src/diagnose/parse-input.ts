import { parseAllDocuments } from "yaml";
import { InputError } from "../errors.ts";
import type { KubeObject } from "../model/k8s.ts";
import { DIAGNOSED_KINDS, EVIDENCE_KINDS } from "../model/k8s.ts";

export interface ParsedInput {
  objects: KubeObject[];
  /** Notes for stderr: skipped kinds, empty documents. */
  notes: string[];
}

const KNOWN_KINDS = new Set<string>([...DIAGNOSED_KINDS, ...EVIDENCE_KINDS]);

/**
 * Parses `kubectl get ... -o json|yaml` output: one object, a List (or a typed list such as a
 * PodList, whose items carry no kind), or multi-document YAML. Pure: `source` only names the
 * input in errors and notes.
 */
export function parseInput(text: string, source: string): ParsedInput {
  const documents = looksLikeJson(text) ? [parseJson(text, source)] : parseYaml(text, source);
  const objects: KubeObject[] = [];
  const skipped = new Map<string, number>();
  const notes: string[] = [];
  for (const document of documents) flatten(document, undefined, objects, skipped, source);
  for (const [kind, count] of skipped) notes.push(`${source}: skipped ${count} object(s) of kind ${kind}: not diagnosed`);
  if (objects.length === 0 && skipped.size === 0) notes.push(`${source}: no Kubernetes objects found`);
  return { objects, notes };
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === "{" || first === "[";
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
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
  const documents = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const result: unknown[] = [];
  for (const document of list) {
    const error = document.errors[0];
    if (error !== undefined) {
      const pos = error.linePos?.[0];
      const where = pos === undefined ? "" : ` at line ${pos.line} column ${pos.col}`;
      throw new InputError(`${source}: invalid YAML${where}: ${error.message.split("\n")[0] ?? error.code}`, {
        hint: "fix the file; objects as printed by kubectl get -o yaml or -o json are accepted",
      });
    }
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) result.push(value);
  }
  return result;
}

function flatten(value: unknown, impliedKind: string | undefined, out: KubeObject[], skipped: Map<string, number>, source: string): void {
  if (Array.isArray(value)) {
    for (const item of value) flatten(item, impliedKind, out, skipped, source);
    return;
  }
  if (typeof value !== "object" || value === null) {
    throw new InputError(`${source}: expected Kubernetes objects, found ${value === null ? "null" : typeof value}`, {
      hint: "pass the output of kubectl get ... -o json or -o yaml",
    });
  }
  const record = value as Record<string, unknown>;
  const kind = typeof record["kind"] === "string" ? (record["kind"] as string) : impliedKind;
  if (Array.isArray(record["items"]) && (kind === undefined || kind.endsWith("List"))) {
    const itemKind = kind === undefined || kind === "List" ? undefined : kind.slice(0, -"List".length);
    flatten(record["items"], itemKind, out, skipped, source);
    return;
  }
  if (kind === undefined) {
    skipped.set("<no kind>", (skipped.get("<no kind>") ?? 0) + 1);
    return;
  }
  const metadata = record["metadata"];
  if (typeof metadata !== "object" || metadata === null || typeof (metadata as Record<string, unknown>)["name"] !== "string") {
    throw new InputError(`${source}: a ${kind} object has no metadata.name`, { hint: "pass complete objects as kubectl get -o json prints them" });
  }
  if (!KNOWN_KINDS.has(kind)) {
    skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
    return;
  }
  out.push((record["kind"] === kind ? record : { ...record, kind }) as KubeObject);
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
