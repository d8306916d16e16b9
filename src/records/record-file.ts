import matter from "gray-matter";
import { InputError } from "../errors.ts";
import { LimitError, RECORD_LIMITS, checkSize } from "../util/bounded-parse.ts";
import { neutralizeText } from "../util/terminal-safe.ts";
import { FIELD_ORDER, frontMatterSchema, type FrontMatter } from "./schema.ts";
import { parseYaml, stringifyYaml } from "./yaml-engine.ts";

/**
 * Parse and serialize record files: YAML front matter (gray-matter with the `yaml` package as its
 * engine) and a Markdown body. A record is data: front matter in another language (`---js`,
 * `---javascript`, `---json` ...) is refused before any engine sees it, and the js engines are
 * replaced by ones that throw in case a future gray-matter routes to them anyway. A record over
 * RECORD_LIMITS (util/bounded-parse.ts) is refused with a LimitError, exit 2.
 */

export interface RecordFile {
  frontMatter: FrontMatter;
  /** The Markdown after the front matter, always ending in a newline. */
  body: string;
}

const refuse = (): never => {
  throw new Error("front matter in a language other than YAML is refused: records are data, never code");
};

type MatterOptions = { language: string; engines: Record<string, { parse: (input: string) => object; stringify: (data: object) => string }> };

/** A fresh options object on every call: gray-matter caches parses made without options. `file` names the record in errors. */
function matterOptions(file: string): MatterOptions {
  return {
    language: "yaml",
    engines: {
      // gray-matter passes its options as extra arguments: keep them away from `yaml`.
      yaml: { parse: (text: string) => parseYaml(text, file) as object, stringify: (data: object) => stringifyYaml(data) },
      js: { parse: refuse, stringify: refuse },
      javascript: { parse: refuse, stringify: refuse },
      json: { parse: refuse, stringify: refuse },
    },
  };
}

export const SECTIONS = ["Prompt", "Response snapshot", "Evidence", "Decision", "Execution", "Validation", "Rollback procedure"] as const;
export type SectionName = (typeof SECTIONS)[number];

/** The raw split, without schema validation; `file` names the record in errors. */
export function splitRecord(text: string, file: string): { data: unknown; body: string } {
  checkSize(text, file, RECORD_LIMITS);
  const firstLine = text.slice(0, text.indexOf("\n") + 1 || text.length).replace(/\r?\n$/, "");
  if (firstLine !== "---") {
    const hint = /^---\s*\S/.test(firstLine)
      ? `its front matter is declared as "${firstLine.slice(3).trim()}": only YAML front matter is read, never evaluated`
      : "a record starts with a line '---', then YAML front matter, then '---' and the Markdown body";
    throw new InputError(`${file}: not a record: first line is ${JSON.stringify(truncate(firstLine))}`, { hint });
  }
  let parsed: { data: unknown; content: string };
  try {
    parsed = matter(text, matterOptions(file));
  } catch (error) {
    throw frontMatterError(file, error);
  }
  const content = parsed.content.startsWith("\n") ? parsed.content.slice(1) : parsed.content;
  return { data: parsed.data, body: normalizeBody(content) };
}

/**
 * The front matter alone, for `list` over thousands of records: gray-matter's per-call set-up
 * (options merge, language sniffing, excerpt) costs as much as the YAML itself there. Same split
 * rule as gray-matter (up to the first "\n---"), same engine; anything but a plain "---" opener
 * takes the full path, which refuses it.
 */
export function readFrontMatter(text: string, file: string): FrontMatter {
  checkSize(text, file, RECORD_LIMITS);
  if (!text.startsWith("---\n")) return validateFrontMatter(splitRecord(text, file).data, file);
  const close = text.indexOf("\n---", 3);
  if (close === -1) return validateFrontMatter(splitRecord(text, file).data, file);
  let data: unknown;
  try {
    data = parseYaml(text.slice(3, close), file);
  } catch (error) {
    throw frontMatterError(file, error);
  }
  return validateFrontMatter(data, file);
}

function frontMatterError(file: string, error: unknown): InputError {
  if (error instanceof LimitError) return error;
  return new InputError(`${file}: invalid YAML front matter: ${firstErrorLine(error)}`, { hint: "fix the YAML between the two '---' lines (git show HEAD:<file> gives the committed version)", cause: error });
}

/** Parses and validates a record; errors name the file and the field (zod path). */
export function parseRecord(text: string, file: string): RecordFile {
  const { data, body } = splitRecord(text, file);
  return { frontMatter: validateFrontMatter(data, file), body };
}

export function validateFrontMatter(data: unknown, file: string): FrontMatter {
  const proto = protoKeyPath(data, "");
  if (proto !== undefined) {
    // zod's records assign key by key: "__proto__" would set a prototype and vanish, and the
    // record would no longer hash as written. No record of ours has one: refuse, never drop.
    throw new InputError(`${file}: invalid record: ${proto}: a key named __proto__ is not allowed`, {
      hint: "records are written by kubectl aiops; restore the committed version with git checkout -- <file>",
    });
  }
  const result = frontMatterSchema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => `${issue.path.length === 0 ? "(front matter)" : issue.path.join(".")}: ${issue.message}`);
  throw new InputError(`${file}: invalid record: ${problems.join("; ")}`, {
    hint: "records are written by kubectl aiops; restore the committed version with git checkout -- <file>, or see docs/records.md for the fields",
  });
}

/** The path of the first own key "__proto__" in plain data, or undefined. */
function protoKeyPath(value: unknown, at: string): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  for (const key of Object.keys(value)) {
    const path = at === "" ? key : `${at}.${key}`;
    if (key === "__proto__") return path;
    const found = protoKeyPath((value as Record<string, unknown>)[key], path);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function serializeRecord(record: RecordFile): string {
  const ordered: Record<string, unknown> = {};
  for (const key of FIELD_ORDER) {
    const value = (record.frontMatter as Record<string, unknown>)[key];
    if (value !== undefined) ordered[key] = value;
  }
  // One blank line between the closing '---' and the body; parse removes exactly that one.
  return matter.stringify({ content: `\n${normalizeBody(record.body)}` }, ordered, matterOptions("(new record)"));
}

export function normalizeBody(body: string): string {
  return body === "" || body.endsWith("\n") ? body : `${body}\n`;
}

/**
 * A section's text as written into a body: no control, escape or bidi character (it quotes the
 * cluster and LLM answers; util/terminal-safe.ts), and no line that readSections would take for
 * a new section: a line starting "## " is written "\## " (Markdown shows it as text).
 */
export function sectionText(text: string): string {
  return neutralizeText(text).replace(/^## /gm, "\\## ");
}

/** Renders the given body sections in the order of SECTIONS (docs/records.md, body). */
export function renderSections(sections: Partial<Record<SectionName, string>>): string {
  return SECTIONS.filter((name) => sections[name] !== undefined)
    .map((name) => `## ${name}\n\n${normalizeBody(sectionText((sections[name] ?? "").trim()))}`)
    .join("\n");
}

/** A section appended at the end of an existing body (approvals, execution, validation ...). */
export function appendSection(body: string, title: string, text: string): string {
  return `${normalizeBody(body)}\n## ${title}\n\n${normalizeBody(sectionText(text.trim()))}`;
}

/** The text of every `## name` section, in body order (a name appended twice appears twice). */
export function readSections(body: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const parts = `\n${body}`.split(/\n## /);
  for (const part of parts.slice(1)) {
    const newline = part.indexOf("\n");
    const name = (newline === -1 ? part : part.slice(0, newline)).trim();
    out.push({ name, text: newline === -1 ? "" : part.slice(newline + 1).trim() });
  }
  return out;
}

export function readSection(body: string, name: string): string | undefined {
  return readSections(body).find((s) => s.name === name)?.text;
}

function truncate(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

function firstErrorLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
