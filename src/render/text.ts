import { stringify } from "yaml";
import { redactText } from "../util/redact.ts";
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
 * of the data, however deep, redacted (util/redact.ts) and made one safe line
 * (util/terminal-safe.ts). JSON and YAML print the data as it is: their own escaping makes it
 * safe, and the stdout step (cli/io.ts) redacts them.
 */
export function safeView<T>(value: T): T {
  // Redacted before any reflow: a wrapped cell could split a token the stdout step would miss.
  if (typeof value === "string") return neutralizeLine(redactText(value)) as T;
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

/**
 * Wraps text at `width` columns (display width), for narrow terminals and Markdown. Words are not
 * broken unless `breakWords` (terminal tables: a 100-character pod name must still fit).
 */
export function wrap(text: string, width: number, options: { breakWords?: boolean } = {}): string {
  const lines: string[] = [];
  let line = "";
  let used = 0;
  for (const word of text.split(/\s+/)) {
    if (word === "") continue;
    const pieces = options.breakWords === true ? breakWord(word, Math.max(1, width)) : [word];
    for (const piece of pieces) {
      const size = displayWidth(piece);
      if (line !== "" && used + 1 + size > width) {
        lines.push(line);
        line = "";
        used = 0;
      }
      line = line === "" ? piece : `${line} ${piece}`;
      used += (used === 0 ? 0 : 1) + size;
    }
  }
  if (line !== "") lines.push(line);
  return lines.join("\n");
}

function breakWord(word: string, width: number): string[] {
  if (displayWidth(word) <= width) return [word];
  const pieces: string[] = [];
  let piece = "";
  let used = 0;
  // A color code is one unit of no width: never cut in two.
  for (const ch of word.match(/\u001b\[[0-9;]*m|[\s\S]/gu) ?? []) {
    const size = displayWidth(ch);
    if (piece !== "" && used + size > width) {
      pieces.push(piece);
      piece = "";
      used = 0;
    }
    piece += ch;
    used += size;
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200d\ufeff]/u;
const DOUBLE_WIDTH = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

/**
 * The columns a string takes on a terminal: East Asian wide characters and emoji take 2,
 * combining marks and our own color codes none. Human output is neutralized before it gets here,
 * so the only escape sequences left are the colors this program adds.
 */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const ch of text.replace(SGR, "")) width += ZERO_WIDTH.test(ch) ? 0 : DOUBLE_WIDTH.test(ch) ? 2 : 1;
  return width;
}

/**
 * The width human tables are fitted to: `$COLUMNS` when it is a number (the user asked, even
 * through a pipe, as `ls` and `ps` read it), else the terminal's width, else none: piped output
 * keeps one line per row for grep and awk, like kubectl's.
 */
export function tableWidth(env: NodeJS.ProcessEnv, terminalColumns: number | undefined): number | undefined {
  const columns = Number(env["COLUMNS"]);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return terminalColumns !== undefined && terminalColumns > 0 ? terminalColumns : undefined;
}

export interface ColumnLayout {
  /** Fit every line within this many columns; undefined: no limit, one line per row. */
  width?: number | undefined;
  /** The column that gives way first (a summary): it wraps, or moves under its row. Default: the last. */
  flexColumn?: number;
  /** Dresses a cell's text after the layout measured it (color); never changes its width. */
  decorate?: (text: string, row: number, column: number) => string;
}

/** Gap between columns. */
const GAP = 2;
/** Narrower than this, the flex column moves to lines of its own under its row. */
const FLEX_FLOOR = 30;

interface ColumnPlan {
  /** Columns printed side by side, and their widths. */
  inline: number[];
  widths: number[];
  /** The flex column printed under its row, indented, when beside the others it had too little room. */
  under?: { column: number; indent: number; width: number };
}

/**
 * The one table layout of human output: left-aligned columns two spaces apart, no trailing
 * spaces, linear in the number of cells (cli-table3 took 11 s for 10,000 rows). Given a width,
 * the flex column wraps; when the other columns leave it less than FLEX_FLOOR, it moves to lines
 * of its own under each row; other columns too wide to fit are wrapped at a common cap. No cell is
 * cut: a wrapped cell takes more lines, its text stays whole.
 */
export function renderColumns(head: readonly string[], rows: readonly (readonly string[])[], layout: ColumnLayout = {}): string {
  const natural = head.map((h) => displayWidth(h));
  for (const row of rows) {
    for (let i = 0; i < natural.length; i++) {
      const size = displayWidth(row[i] ?? "");
      if (size > (natural[i] ?? 0)) natural[i] = size;
    }
  }
  const plan = planColumns(natural, layout.width, layout.flexColumn ?? natural.length - 1);
  const out: string[] = [];
  const dress = (text: string, row: number, column: number): string => (layout.decorate === undefined || text === "" || row < 0 ? text : layout.decorate(text, row, column));
  const emit = (row: readonly string[], index: number): void => {
    const cells = plan.inline.map((column, i) => fitCell(row[column] ?? "", plan.widths[i] ?? 0));
    const height = Math.max(1, ...cells.map((c) => c.length));
    for (let l = 0; l < height; l++) {
      let line = "";
      plan.inline.forEach((column, i) => {
        const text = cells[i]?.[l] ?? "";
        line += dress(text, index, column);
        if (i < plan.inline.length - 1) line += " ".repeat((plan.widths[i] ?? 0) - displayWidth(text) + GAP);
      });
      out.push(line.trimEnd());
    }
    if (plan.under !== undefined) {
      const { column, indent, width } = plan.under;
      for (const text of fitCell(row[column] ?? "", width)) if (text !== "") out.push(`${" ".repeat(indent)}${dress(text, index, column)}`);
    }
  };
  emit(head, -1);
  rows.forEach(emit);
  return `${out.join("\n")}\n`;
}

function fitCell(text: string, width: number): string[] {
  return displayWidth(text) <= width ? [text] : wrap(text, width, { breakWords: true }).split("\n");
}

function planColumns(natural: readonly number[], width: number | undefined, flex: number): ColumnPlan {
  const all = natural.map((_, i) => i);
  const sum = (widths: readonly number[]): number => widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);
  if (width === undefined || sum(natural) <= width) return { inline: all, widths: [...natural] };
  const inline = all.filter((i) => i !== flex);
  const others = inline.map((i) => natural[i] ?? 0);
  const room = width - sum(others) - GAP;
  if (room >= Math.min(natural[flex] ?? 0, FLEX_FLOOR)) return { inline: all, widths: natural.map((w, i) => (i === flex ? room : w)) };
  const widths = capWidths(others, width - GAP * (others.length - 1));
  // Under its row, the flex column starts below the second column, unless that leaves it too little room.
  const indent = (widths[0] ?? 0) + GAP <= width - FLEX_FLOOR ? (widths[0] ?? 0) + GAP : 0;
  return { inline, widths, under: { column: flex, indent, width: Math.max(1, width - indent) } };
}

/** The widest columns narrowed to a common cap, the largest under which they fit `budget` (each at least 1). */
function capWidths(widths: readonly number[], budget: number): number[] {
  let cap = Math.max(1, ...widths);
  while (cap > 1 && widths.reduce((sum, w) => sum + Math.min(w, cap), 0) > budget) cap--;
  return widths.map((w) => Math.min(w, cap));
}

/**
 * Text fitted to `width`: a longer line wraps, its continuation lines indented two more than it
 * (for the lines around a table: details, evidence, an explanation).
 */
export function fitLines(text: string, width: number | undefined): string {
  if (width === undefined) return text;
  return text
    .split("\n")
    .map((line) => {
      if (displayWidth(line) <= width) return line;
      const indent = /^\s*/.exec(line)?.[0] ?? "";
      // An indent that would leave little room is dropped rather than kept.
      const keep = indent.length + 2 < width / 2;
      const first = keep ? indent : "";
      const more = keep ? `${indent}  ` : "";
      return wrap(line, Math.max(1, width - more.length), { breakWords: true })
        .split("\n")
        .map((part, i) => `${i === 0 ? first : more}${part}`)
        .join("\n");
    })
    .join("\n");
}
