import { readdir } from "node:fs/promises";
import path from "node:path";
import type { History } from "./history.ts";
import { REPORT_PERIODS, parseRecordFileName } from "./paths.ts";
import type { Stage } from "./status.ts";

/** A record file found on disk, known by its name alone (nothing read yet). */
export interface RecordLocation {
  id: string;
  stage: Stage;
  /** Relative to the history folder, with '/'. */
  relative: string;
  absolute: string;
}

/**
 * Every record file under the history folder, sorted by id: directory reads only. Symbolic links
 * are never records nor record folders (a link could lead anywhere): they are skipped here, and
 * the store and `show` refuse them by name (history.ts, refuseSymlinks).
 */
export async function scanRecords(history: History): Promise<RecordLocation[]> {
  const found: RecordLocation[] = [];
  const collect = async (relativeDir: string, stageFilter: (stage: Stage) => boolean): Promise<void> => {
    for (const name of await listDir(path.join(history.dir, relativeDir), "file")) {
      const parsed = parseRecordFileName(name);
      if (parsed === undefined || !stageFilter(parsed.stage)) continue;
      const relative = `${relativeDir}/${name}`;
      found.push({ id: parsed.id, stage: parsed.stage, relative, absolute: path.join(history.dir, relative) });
    }
  };
  const years = (await listDir(path.join(history.dir, "prompts"), "dir")).filter((y) => /^[0-9]{4}$/.test(y));
  const months = await Promise.all(years.map(async (year) => (await listDir(path.join(history.dir, "prompts", year), "dir")).filter((m) => /^[0-9]{2}$/.test(m)).map((m) => `prompts/${year}/${m}`)));
  await Promise.all([
    ...months.flat().map((dir) => collect(dir, (stage) => stage !== "report")),
    ...REPORT_PERIODS.map((period) => collect(`reports/${period}`, (stage) => stage === "report")),
  ]);
  return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The names of the entries of one type; a link is neither (Dirent does not follow it). */
async function listDir(dir: string, type: "file" | "dir"): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => (type === "file" ? e.isFile() : e.isDirectory())).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return [];
    throw error;
  }
}
