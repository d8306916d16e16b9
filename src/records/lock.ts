import { randomBytes } from "node:crypto";
import { open, readFile, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { AiopsError } from "../errors.ts";

/**
 * A cross-process lock: a file created with O_EXCL holding pid, host and time. One record writer
 * at a time per repository keeps the chain (`prev_record_sha256`) linear. A lock whose pid is dead
 * (same host) or that is older than `staleMs` is broken; waiting backs off up to `timeoutMs`.
 */

export interface LockOptions {
  timeoutMs?: number;
  staleMs?: number;
}

interface LockContent {
  pid: number;
  host: string;
  time: string;
  token: string;
}

/** Same-process writers queue here instead of polling a file their own pid holds. */
const queues = new Map<string, Promise<unknown>>();

export async function withLock<T>(lockFile: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const previous = queues.get(lockFile) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    const token = await acquire(lockFile, options);
    try {
      return await fn();
    } finally {
      await release(lockFile, token);
    }
  });
  queues.set(lockFile, run);
  try {
    return await run;
  } finally {
    if (queues.get(lockFile) === run) queues.delete(lockFile);
  }
}

async function acquire(lockFile: string, options: LockOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 120_000;
  const token = randomBytes(8).toString("hex");
  const started = Date.now();
  let delay = 5;
  for (;;) {
    const content: LockContent = { pid: process.pid, host: hostname(), time: new Date().toISOString(), token };
    try {
      const handle = await open(lockFile, "wx");
      try {
        await handle.writeFile(`${JSON.stringify(content)}\n`);
      } finally {
        await handle.close();
      }
      return token;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readHolder(lockFile);
    if (holder !== undefined && isStale(holder, staleMs)) {
      await breakStale(lockFile, holder.raw);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const who = holder?.content === undefined ? "another process" : `pid ${holder.content.pid} on ${holder.content.host} since ${holder.content.time}`;
      throw new AiopsError(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for the record lock ${lockFile}, held by ${who}`, {
        hint: `wait for the other kubectl aiops to finish and retry; if none is running, remove ${lockFile}`,
      });
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 1.6, 250);
  }
}

interface Holder {
  raw: string;
  content: LockContent | undefined;
  mtimeMs: number;
}

async function readHolder(lockFile: string): Promise<Holder | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(lockFile, "utf8"), stat(lockFile)]);
    let content: LockContent | undefined;
    try {
      content = JSON.parse(raw) as LockContent;
    } catch {
      // Being written right now, or garbage: judged by its age alone.
    }
    return { raw, content, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function isStale(holder: Holder, staleMs: number): boolean {
  const since = holder.content === undefined ? holder.mtimeMs : Date.parse(holder.content.time);
  if (Date.now() - (Number.isNaN(since) ? holder.mtimeMs : since) > staleMs) return true;
  if (holder.content === undefined || holder.content.host !== hostname()) return false;
  return !isAlive(holder.content.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Two processes may find the same stale lock: a second O_EXCL file makes one of them the breaker,
 * and the breaker removes the lock only if it still holds the stale content it judged.
 */
async function breakStale(lockFile: string, staleRaw: string): Promise<void> {
  const breaker = `${lockFile}.break`;
  let handle;
  try {
    handle = await open(breaker, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const info = await stat(breaker).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > 10_000) await unlink(breaker).catch(() => undefined);
    await sleep(10);
    return;
  }
  try {
    const now = await readFile(lockFile, "utf8").catch(() => undefined);
    if (now === staleRaw) {
      const aside = `${lockFile}.stale-${randomBytes(4).toString("hex")}`;
      await rename(lockFile, aside);
      await unlink(aside);
    }
  } finally {
    await handle.close();
    await unlink(breaker).catch(() => undefined);
  }
}

async function release(lockFile: string, token: string): Promise<void> {
  const holder = await readHolder(lockFile);
  if (holder?.content?.token === token) await unlink(lockFile).catch(() => undefined);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
