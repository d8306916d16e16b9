import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { History } from "./history.ts";

/**
 * What a record write is about to put in the working tree, noted in the git dir before the file
 * is written and dropped once it is committed. Crash recovery commits an uncommitted record file
 * only when it is exactly what an interrupted write noted: an approval edited into a file by hand
 * is never committed under the name of whoever runs the next command.
 */

function entryFile(history: History, relative: string): string {
  return path.join(history.gitDir, "aiops-pending", `${createHash("sha256").update(relative).digest("hex").slice(0, 32)}.json`);
}

const digest = (content: string): string => createHash("sha256").update(content).digest("hex");

export async function notePendingWrite(history: History, relative: string, content: string): Promise<void> {
  const file = entryFile(history, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ path: relative, sha256: digest(content) }));
}

export async function clearPendingWrite(history: History, relative: string): Promise<void> {
  await rm(entryFile(history, relative), { force: true });
}

/** True when `content` at `relative` is what an interrupted write of ours noted. */
export async function isNotedWrite(history: History, relative: string, content: string): Promise<boolean> {
  try {
    const entry = JSON.parse(await readFile(entryFile(history, relative), "utf8")) as { path?: string; sha256?: string };
    return entry.path === relative && entry.sha256 === digest(content);
  } catch {
    return false;
  }
}
