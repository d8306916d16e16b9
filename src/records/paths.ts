import path from "node:path";
import { UsageError } from "../errors.ts";
import { STAGES, type Stage } from "./status.ts";

/**
 * Where records live inside the history folder (docs/records.md, where records live):
 * `prompts/<YYYY>/<MM>/<id>-<slug>.<stage>.md`, reports under `reports/<weekly|daily>/`.
 * Paths here are relative to the history folder and always use '/'.
 */

export const REPORT_PERIODS = ["weekly", "daily"] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

const FILE_NAME = new RegExp(`^([0-7][0-9A-HJKMNP-TV-Z]{25})-([a-z0-9-]{0,60})\\.(${STAGES.join("|")})\\.md$`);
const PROMPT_DIR = /^prompts\/[0-9]{4}\/[0-9]{2}$/;
const REPORT_DIR = new RegExp(`^reports/(${REPORT_PERIODS.join("|")})$`);

/** Prefix of the temporary file a write renames into place; a leftover one is removed. */
export const TEMP_PREFIX = ".aiops-tmp-";

export function slugify(title: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug === "" ? "record" : slug;
}

export interface RecordPathInput {
  id: string;
  stage: Stage;
  date: string;
  title: string;
  labels?: Record<string, string> | undefined;
}

export function recordRelativePath(record: RecordPathInput): string {
  const file = `${record.id}-${slugify(record.title)}.${record.stage}.md`;
  if (record.stage === "report") {
    const period = record.labels?.["period"];
    if (period !== "weekly" && period !== "daily") throw new UsageError(`a report record needs labels.period "weekly" or "daily" (got ${JSON.stringify(period)})`);
    return `reports/${period}/${file}`;
  }
  const date = new Date(record.date);
  const year = String(date.getUTCFullYear()).padStart(4, "0");
  const month = String(date.getUTCMonth() + 1).padStart(2, "0");
  return `prompts/${year}/${month}/${file}`;
}

export interface RecordName {
  id: string;
  slug: string;
  stage: Stage;
}

export function parseRecordFileName(fileName: string): RecordName | undefined {
  const match = FILE_NAME.exec(fileName);
  if (match === null) return undefined;
  return { id: match[1] as string, slug: match[2] as string, stage: match[3] as Stage };
}

/** A history-relative path in a record's place with a record's name (reports only as reports). */
export function parseRecordPath(relative: string): RecordName | undefined {
  const dir = path.posix.dirname(relative);
  const name = parseRecordFileName(path.posix.basename(relative));
  if (name === undefined) return undefined;
  if (PROMPT_DIR.test(dir)) return name.stage === "report" ? undefined : name;
  if (REPORT_DIR.test(dir)) return name.stage === "report" ? name : undefined;
  return undefined;
}

export function isTempFile(relative: string): boolean {
  return path.posix.basename(relative).startsWith(TEMP_PREFIX);
}
