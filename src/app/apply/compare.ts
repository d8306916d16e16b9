/**
 * Does a live object hold the values a patch body sets? Pure. Used three ways: the inverse
 * against the live object before apply (drift: the fields the patch touches still hold what the
 * proposal saw), the forward patch after an interrupted apply (was it sent?), and the inverse
 * after a rollback (is the old spec back?).
 *
 * Subset semantics: only what the body names is compared, so server defaults the body does not
 * mention never count as differences. Lists of objects with a `name` match by name (strategic
 * merge's key for containers); other lists compare item by item. `null` means "absent".
 */
import { sameQuantity } from "../../recommend/patch.ts";

export interface Difference {
  path: string;
  expected: unknown;
  actual: unknown;
}

export function compareToBody(live: unknown, body: unknown, patchType: string | undefined): Difference[] {
  if (patchType === "json") return compareJsonPatch(live, body);
  const out: Difference[] = [];
  const top = isObject(body) ? Object.fromEntries(Object.entries(body).filter(([k]) => k !== "apiVersion" && k !== "kind")) : body;
  subset(live, top, "", out);
  return out;
}

function compareJsonPatch(live: unknown, body: unknown): Difference[] {
  const out: Difference[] = [];
  for (const op of Array.isArray(body) ? body : []) {
    if (!isObject(op) || typeof op["path"] !== "string") continue;
    const path = op["path"];
    const actual = pointer(live, path);
    if (op["op"] === "remove") {
      if (actual !== undefined) out.push({ path: dotted(path), expected: null, actual });
    } else if (op["op"] === "add" || op["op"] === "replace") {
      subset(actual, op["value"], dotted(path), out);
    }
  }
  return out;
}

function subset(actual: unknown, expected: unknown, path: string, out: Difference[]): void {
  if (expected === null) {
    if (actual !== undefined && actual !== null) out.push({ path, expected: null, actual });
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      out.push({ path, expected, actual });
      return;
    }
    const byName = expected.every((e) => isObject(e) && typeof e["name"] === "string");
    if (byName) {
      for (const item of expected as Record<string, unknown>[]) {
        const match = actual.find((a) => isObject(a) && a["name"] === item["name"]);
        if (match === undefined) out.push({ path: `${path}[name=${String(item["name"])}]`, expected: item, actual: undefined });
        else subset(match, item, `${path}[name=${String(item["name"])}]`, out);
      }
      return;
    }
    if (actual.length !== expected.length) {
      out.push({ path, expected, actual });
      return;
    }
    expected.forEach((e, i) => subset(actual[i], e, `${path}[${i}]`, out));
    return;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) {
      out.push({ path, expected, actual });
      return;
    }
    for (const [key, value] of Object.entries(expected)) subset(actual[key], value, path === "" ? key : `${path}.${key}`, out);
    return;
  }
  if (actual === expected) return;
  if (typeof actual === "string" && typeof expected === "string" && sameQuantity(actual, expected)) return;
  out.push({ path, expected, actual });
}

/** RFC 6901 JSON pointer read. */
export function pointer(value: unknown, path: string): unknown {
  if (path === "") return value;
  let current = value;
  for (const raw of path.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}

function dotted(path: string): string {
  return path.split("/").slice(1).join(".");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One line per difference, values shortened for a terminal. */
export function describeDifferences(differences: readonly Difference[], max = 5): string {
  const shown = differences.slice(0, max).map((d) => `${d.path}: expected ${short(d.expected)}, found ${short(d.actual)}`);
  return `${shown.join("; ")}${differences.length > max ? `; and ${differences.length - max} more` : ""}`;
}

function short(value: unknown): string {
  if (value === undefined || value === null) return "(absent)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
