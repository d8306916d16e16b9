import { stringify } from "yaml";
import { RECORD_LIMITS, checkDepth, parseBoundedYaml } from "../util/bounded-parse.ts";

/**
 * The YAML engine for front matter. Records are written in a plain block style with every string
 * double-quoted and on one line, and read back by a small parser for exactly that style: the
 * `yaml` package takes ~0.3 ms per record, too slow for `list` over 10,000 records. Anything the
 * small parser does not fully understand (comments, block scalars, escapes JSON lacks, hand
 * edits) goes to the `yaml` package, so both paths give the same data; the tests hold that.
 * Both paths stay within RECORD_LIMITS (util/bounded-parse.ts): a LimitError beyond them.
 */

export function stringifyYaml(data: unknown): string {
  return stringify(data, {
    defaultStringType: "QUOTE_DOUBLE",
    defaultKeyType: "PLAIN",
    blockQuote: false,
    lineWidth: 0,
    minContentWidth: 0,
    aliasDuplicateObjects: false,
  });
}

/** `source` names the record in a LimitError; duplicate keys are refused on both paths. */
export function parseYaml(text: string, source: string): unknown {
  const simple = parseSimpleYaml(text);
  if (simple === undefined) return parseBoundedYaml(text, source, RECORD_LIMITS, { schema: "core" });
  checkDepth(simple, source, RECORD_LIMITS);
  return simple;
}

interface Line {
  indent: number;
  text: string;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_.\/-]*):(?: (.*))?$/;
const INTEGER = /^-?(?:0|[1-9][0-9]{0,14})$/;
const QUOTED = /^"(?:[^"\\]|\\.)*"$/;

/** Thrown inside the small parser to hand the text to the full one. */
class Unsupported extends Error {}

/** Returns undefined whenever the text is outside the subset, never a different reading. */
export function parseSimpleYaml(text: string): unknown {
  const lines: Line[] = [];
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue;
    const indent = raw.length - raw.trimStart().length;
    if (raw.includes("\t") || raw.endsWith(" ") || raw.includes("\r")) return undefined;
    lines.push({ indent, text: raw.slice(indent) });
  }
  if (lines.length === 0 || lines[0]?.indent !== 0) return undefined;
  try {
    const cursor = { at: 0, depth: 0 };
    const value = parseBlock(lines, cursor, 0);
    return cursor.at === lines.length ? value : undefined;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/** `depth` counts the blocks open; past RECORD_LIMITS.maxDepth the full parser takes over (and refuses). */
interface Cursor {
  at: number;
  depth: number;
}

function parseBlock(lines: Line[], cursor: Cursor, indent: number): unknown {
  const first = lines[cursor.at];
  if (first === undefined || first.indent !== indent || ++cursor.depth > RECORD_LIMITS.maxDepth) throw new Unsupported();
  const value = first.text.startsWith("- ") ? parseSequence(lines, cursor, indent) : parseMapping(lines, cursor, indent, {});
  cursor.depth--;
  return value;
}

function parseMapping(lines: Line[], cursor: Cursor, indent: number, into: Record<string, unknown>): Record<string, unknown> {
  for (;;) {
    const line = lines[cursor.at];
    if (line === undefined || line.indent < indent) return into;
    if (line.indent > indent) throw new Unsupported();
    const match = KEY.exec(line.text);
    if (match === null) throw new Unsupported();
    const key = match[1] as string;
    if (Object.hasOwn(into, key) || key === "__proto__") throw new Unsupported();
    cursor.at++;
    into[key] = match[2] === undefined ? parseNested(lines, cursor, indent) : parseScalar(match[2]);
  }
}

function parseSequence(lines: Line[], cursor: Cursor, indent: number): unknown[] {
  const items: unknown[] = [];
  for (;;) {
    const line = lines[cursor.at];
    if (line === undefined || line.indent < indent) return items;
    if (line.indent > indent || !line.text.startsWith("- ")) throw new Unsupported();
    const rest = line.text.slice(2);
    const match = KEY.exec(rest);
    if (match === null) {
      items.push(parseScalar(rest));
      cursor.at++;
      continue;
    }
    // "- key: value" opens a mapping whose keys sit two columns right of the dash.
    lines[cursor.at] = { indent: indent + 2, text: rest };
    items.push(parseMapping(lines, cursor, indent + 2, {}));
  }
}

function parseNested(lines: Line[], cursor: Cursor, parentIndent: number): unknown {
  const next = lines[cursor.at];
  // "key:" with nothing below is null in YAML; not a shape we write.
  if (next === undefined || next.indent <= parentIndent) throw new Unsupported();
  return parseBlock(lines, cursor, next.indent);
}

function parseScalar(text: string): unknown {
  if (QUOTED.test(text)) {
    try {
      return JSON.parse(text) as string;
    } catch {
      throw new Unsupported();
    }
  }
  if (INTEGER.test(text)) return Number(text);
  switch (text) {
    case "true":
      return true;
    case "false":
      return false;
    case "null":
      return null;
    case "[]":
      return [];
    case "{}":
      return {};
    default:
      throw new Unsupported();
  }
}
