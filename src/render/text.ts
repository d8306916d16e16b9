import { stringify } from "yaml";
import { neutralizeLine } from "../util/terminal-safe.ts";

export { OUTPUT_FORMATS, type OutputFormat } from "./formats.ts";

/** Machine output: stable JSON (2-space) or YAML, always ending in a newline. */
export function renderMachine(value: unknown, format: "json" | "yaml"): string {
  return format === "json" ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 });
}

/** "3m", "2h", "4d" like kubectl's AGE column. */
export function formatAge(fromIso: string | undefined, nowMs: number): string {
  if (fromIso === undefined) return "-";
  const from = Date.parse(fromIso);
  if (Number.isNaN(from)) return "-";
  const seconds = Math.max(0, Math.round((nowMs - from) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** Escapes a cell for a Markdown table (one line, no control, escape or bidi character). */
export function mdCell(text: string): string {
  return neutralizeLine(text.replace(/\r?\n/g, " ")).replace(/\|/g, "\\|");
}

/**
 * Human output (table, wide, markdown) shows cluster and LLM strings through this: every string
 * of the data, however deep, made one safe line (util/terminal-safe.ts). JSON and YAML print the
 * raw data instead: their own escaping makes it safe, and scripts need the exact strings.
 */
export function safeView<T>(value: T): T {
  if (typeof value === "string") return neutralizeLine(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => safeView(v)) as T;
  if (value !== null && typeof value === "object") {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, safeView(v)])) as T;
  }
  return value;
}

/** A Markdown code fence longer than any run of backticks in the lines it encloses. */
export function fenceFor(lines: readonly string[]): string {
  const longest = Math.max(0, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((run) => run.length))));
  return "`".repeat(Math.max(3, longest + 1));
}

/** Wraps text at `width` without breaking words, for narrow terminals and Markdown. */
export function wrap(text: string, width: number): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines.join("\n");
}
