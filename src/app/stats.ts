/**
 * `audit stats`: reads the proposal, policy and diagnosis records and computes the figures
 * (records/stats.ts, pure, where the definitions are). The shell renders them (render/stats.ts).
 */
import type { Session } from "./session.ts";
import type { RecordFile } from "../records/record-file.ts";
import { resolveHistory } from "../records/history.ts";
import { scanRecords } from "../records/scan.ts";
import { computeStats, type AuditStats } from "../records/stats.ts";
import { readLocation } from "../records/store.ts";

export type { AuditStats } from "../records/stats.ts";

/** Parsed proposal, policy and diagnosis records; an unreadable one is a warning (audit verify names it). */
async function readRecords(session: Session): Promise<RecordFile[]> {
  const history = resolveHistory(session.historyLocation);
  const records: RecordFile[] = [];
  for (const location of await scanRecords(history)) {
    if (location.stage === "report") continue;
    try {
      records.push(await readLocation(location));
    } catch (error) {
      session.warn(`warning: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return records;
}

/** The gate's figures over the whole history; an unreadable record is warned about and left out. */
export async function auditStats(session: Session): Promise<AuditStats> {
  return computeStats(await readRecords(session));
}
