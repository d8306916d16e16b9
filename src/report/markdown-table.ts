/**
 * Markdown tables that render alike on GitHub and GitLab and keep every line within 120
 * characters: cells are escaped, and the widest cells of a too-long row are shortened with "...".
 */
import { mdCell, wrap } from "../render/text.ts";

export const MAX_LINE = 120;

function line(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function fit(cells: string[], max: number): string[] {
  const out = [...cells];
  while (line(out).length > max) {
    let widest = 0;
    for (let i = 1; i < out.length; i++) if ((out[i] ?? "").length > (out[widest] ?? "").length) widest = i;
    const cell = out[widest] ?? "";
    const excess = line(out).length - max;
    const keep = Math.max(3, cell.length - excess - 3);
    if (cell.length <= 6) break;
    // A cut must not leave a lone backslash that would escape the "|" after it.
    out[widest] = `${cell.slice(0, keep).replace(/\\+$/, "")}...`;
  }
  return out;
}

export function mdTable(headers: readonly string[], rows: readonly (readonly string[])[], max = MAX_LINE): string {
  const head = fit(headers.map(mdCell), max);
  const lines = [line(head), line(head.map(() => "---")), ...rows.map((row) => line(fit(row.map((c) => mdCell(c === "" ? "-" : c)), max)))];
  return `${lines.join("\n")}\n`;
}

/** Wraps prose at the line limit (Markdown joins the lines back). */
export function wrapText(text: string, max = MAX_LINE): string {
  return wrap(text, max);
}

/** A bullet whose continuation lines are indented so Markdown keeps them in the item. */
export function bullet(text: string, prefix = "- ", max = MAX_LINE): string {
  const wrapped = wrapText(text, max - prefix.length).split("\n");
  return wrapped.map((l, i) => (i === 0 ? `${prefix}${l}` : `${" ".repeat(prefix.length)}${l}`)).join("\n");
}
