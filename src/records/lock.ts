import { randomBytes } from "node:crypto";
import { open, readFile, readlink, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { AiopsError } from "../errors.ts";

/**
 * A cross-process lock: a file created with O_EXCL holding the holder's pid, host and start time.
 * One record writer at a time per repository keeps the chain (`prev_record_sha256`) linear. A
 * holder on this host is judged by its process: a dead pid, or a pid now used by a process that
 * started later (a reused pid, e.g. pid 1 of a restarted container), leaves a stale lock, broken
 * at once; a live holder is waited for however old its lock. A holder on another host, or a lock
 * that cannot be read, is judged by age (`staleMs`). Waiting backs off up to `timeoutMs`.
 */

export interface LockOptions {
  timeoutMs?: number;
  staleMs?: number;
  /** Told when a stale lock was broken, and why (the store turns it into a warning). */
  onStale?: (message: string) => void;
}

interface LockContent {
  pid: number;
  host: string;
  /** When the lock was taken. */
  time: string;
  token: string;
  /** When the holding process started (for a reader). */
  started?: string;
  /** The holder's start in clock ticks since boot (/proc/<pid>/stat), to tell a reused pid; Linux only. */
  proc_start?: string;
  /** The holder's pid namespace (Linux): containers sharing a host name do not share pids. */
  pid_ns?: string;
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
  const self = await ownIdentity();
  let delay = 5;
  for (;;) {
    const content: LockContent = { pid: process.pid, host: hostname(), time: new Date().toISOString(), token, ...self };
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
    const stale = holder === undefined ? undefined : await staleReason(holder, staleMs);
    if (holder !== undefined && stale !== undefined) {
      if (await breakStale(lockFile, holder.raw)) options.onStale?.(`warning: removed the stale lock ${lockFile}: ${stale}`);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const c = holder?.content;
      const who = c === undefined ? "another process" : `pid ${c.pid} on ${c.host} since ${c.time}`;
      const running = c !== undefined && c.host === hostname() && isAlive(c.pid);
      throw new AiopsError(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for the record lock ${lockFile}, held by ${who}`, {
        hint: running
          ? `pid ${c.pid} is still running (ps -p ${c.pid}): wait for it to finish and retry`
          : `wait for the other kubectl aiops to finish and retry; if none is running, remove the lock: rm ${lockFile}`,
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
      const parsed = JSON.parse(raw) as unknown;
      if (typeof parsed === "object" && parsed !== null) content = parsed as LockContent;
    } catch {
      // Being written right now, or garbage: judged by its age alone.
    }
    return { raw, content, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Why the lock is stale, or undefined while its holder may still be working. */
async function staleReason(holder: Holder, staleMs: number): Promise<string | undefined> {
  const c = holder.content;
  const self = await ownIdentity();
  const samePids = c?.pid_ns === undefined || self.pid_ns === undefined || c.pid_ns === self.pid_ns;
  if (c !== undefined && c.host === hostname() && samePids && Number.isInteger(c.pid)) {
    const since = `held since ${c.time}`;
    if (!isAlive(c.pid)) return `its holder, pid ${c.pid}, is no longer running (${since})`;
    if (c.proc_start === undefined) return undefined;
    const now = await processStart(c.pid);
    return now === undefined || now === c.proc_start ? undefined : `pid ${c.pid} now belongs to another process than its holder (${since})`;
  }
  const taken = c === undefined ? Number.NaN : Date.parse(c.time);
  const age = Date.now() - (Number.isNaN(taken) ? holder.mtimeMs : taken);
  if (age <= staleMs) return undefined;
  return c === undefined ? `it cannot be read and is ${Math.round(age / 1000)}s old` : `held by pid ${c.pid} on ${c.host} for ${Math.round(age / 1000)}s, longer than any holder takes`;
}

/** The start of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), where there is a /proc. */
export async function processStart(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count from the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

type Identity = Pick<LockContent, "started" | "proc_start" | "pid_ns">;
let own: Promise<Identity> | undefined;

function ownIdentity(): Promise<Identity> {
  own ??= Promise.all([processStart(process.pid), readlink("/proc/self/ns/pid").catch(() => undefined)]).then(([start, ns]) => {
    const identity: Identity = { started: new Date(Date.now() - process.uptime() * 1000).toISOString() };
    if (start !== undefined) identity.proc_start = start;
    if (ns !== undefined) identity.pid_ns = ns;
    return identity;
  });
  return own;
}

export function isAlive(pid: number): boolean {
  // kill(0) and kill(-1) would signal a process group or every process: never a holder.
  if (!Number.isInteger(pid) || pid <= 0) return false;
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
async function breakStale(lockFile: string, staleRaw: string): Promise<boolean> {
  const breaker = `${lockFile}.break`;
  let handle;
  try {
    handle = await open(breaker, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const info = await stat(breaker).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > 10_000) await unlink(breaker).catch(() => undefined);
    await sleep(10);
    return false;
  }
  try {
    const now = await readFile(lockFile, "utf8").catch(() => undefined);
    if (now !== staleRaw) return false;
    const aside = `${lockFile}.stale-${randomBytes(4).toString("hex")}`;
    await rename(lockFile, aside);
    await unlink(aside);
    return true;
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
