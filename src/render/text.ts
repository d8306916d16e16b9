import { stringify } from "yaml";

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

/** Escapes a cell for a Markdown table. */
export function mdCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
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
