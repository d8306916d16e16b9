/**
 * One `watch` per history repository: the records lock mechanism of src/records/lock.ts
 * (O_EXCL file with pid, host and time; a dead holder on this host is broken) on its own file,
 * held for the whole run. A second watch fails at once, naming the holder.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AiopsError } from "../../errors.ts";
import type { History } from "../../records/history.ts";
import { withLock } from "../../records/lock.ts";

export function watchLockFile(history: History): string {
  return path.join(history.gitDir, "aiops-watch.lock");
}

export async function withWatchLock<T>(history: History, fn: () => Promise<T>): Promise<T> {
  const file = watchLockFile(history);
  let entered = false;
  try {
    // No waiting, and never stale by age: a watch holds its lock for days.
    return await withLock(
      file,
      () => {
        entered = true;
        return fn();
      },
      { timeoutMs: 0, staleMs: Number.POSITIVE_INFINITY },
    );
  } catch (error) {
    if (entered || !(error instanceof AiopsError) || !error.message.startsWith("timed out")) throw error;
    const holder = await readFile(file, "utf8")
      .then((text) => JSON.parse(text) as { pid?: number; host?: string; time?: string })
      .catch(() => undefined);
    const who = holder?.pid === undefined ? "another process" : `pid ${holder.pid}${holder.host === undefined ? "" : ` on ${holder.host}`}${holder.time === undefined ? "" : ` since ${holder.time}`}`;
    throw new AiopsError(`another kubectl aiops watch is already running for ${history.dir}: ${who}`, {
      hint: `stop it first (kill ${holder?.pid ?? "<pid>"}); if it is gone, remove ${file}`,
      cause: error,
    });
  }
}
