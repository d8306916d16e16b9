/**
 * One apply per record at a time, across processes: the record store's lock serializes single
 * commits, but an apply spans minutes (rollout, verify window) and two of them on one record
 * would patch twice. A live holder makes the second attempt fail at once; a dead one (killed
 * mid-apply) is broken, and the record's `applying` status then tells the story.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { PolicyError } from "../../errors.ts";
import type { History } from "../../records/history.ts";
import { withLock } from "../../records/lock.ts";

/** Longer than any apply can take (rollout + verify window + the 5-minute rollback bound). */
const STALE_MS = 60 * 60 * 1000;

export function applyLockFile(history: History, id: string): string {
  return path.join(history.gitDir, `aiops-apply-${id}.lock`);
}

export async function withApplyLock<T>(history: History, id: string, fn: () => Promise<T>): Promise<T> {
  const file = applyLockFile(history, id);
  try {
    return await withLock(file, fn, { timeoutMs: 50, staleMs: STALE_MS });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("timed out") && error.message.includes(file)) {
      throw new PolicyError(`another kubectl aiops is applying ${id} right now (${holderOf(file)})`, { hint: `wait for it to finish; kubectl aiops show ${id} shows its progress` });
    }
    throw error;
  }
}

/** Who holds the lock, for the message (best effort). */
export function holderOf(file: string): string {
  try {
    const content = JSON.parse(readFileSync(file, "utf8")) as { pid?: number; host?: string; time?: string };
    return `pid ${content.pid ?? "?"} on ${content.host ?? "?"} since ${content.time ?? "?"}`;
  } catch {
    return "holder unknown";
  }
}
