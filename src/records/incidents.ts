import { readFile } from "node:fs/promises";
import { parseRecord, type RecordFile } from "./record-file.ts";
import type { History } from "./history.ts";
import { scanRecords } from "./scan.ts";

/**
 * The diagnosis and proposal records of a history, for similarity search. Reads files only (no
 * git), and imports nothing of the git store, so `diagnose` stays fast.
 */
export async function loadIncidentHistory(history: History): Promise<RecordFile[]> {
  const records: RecordFile[] = [];
  for (const l of await scanRecords(history)) {
    if (l.stage !== "diagnosis" && l.stage !== "proposal") continue;
    try {
      records.push(parseRecord(await readFile(l.absolute, "utf8"), l.relative));
    } catch {
      // An invalid record is reported by list and audit verify; it just is not similar to anything.
    }
  }
  return records;
}
