import { readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { parseRecord, type RecordFile } from "./record-file.ts";
import { removeLeftoverIndexes, type RecordGit } from "./git.ts";
import type { History } from "./history.ts";
import { isTempFile, parseRecordPath } from "./paths.ts";
import { checkFirstVersion, checkNextVersion } from "./versions.ts";
import { isNotedWrite } from "./journal.ts";

/**
 * Recovery from a crash between writing a record and committing it: a record file git reports as
 * untracked, added or modified is committed ("(recovered)") when it is exactly what an interrupted
 * write noted in its journal (src/records/journal.ts) and a valid record or a legal append to the
 * committed one; a leftover temporary file is removed; anything else — a hand edit, a forged
 * approval — is left alone with a warning, since it is not ours to commit or delete. The
 * temporary index a killed `git commit` left in the git dir is removed too. Runs under the record
 * lock.
 */

export interface PendingFile {
  /** Relative to the repository root, as git prints it. */
  repoPath: string;
  /** Relative to the history folder. */
  relative: string;
  code: string;
}

/** One `git status` over the history folder: the cheap check `list` makes on every run. */
export async function findPending(history: History, git: RecordGit): Promise<PendingFile[]> {
  // --branch always prints a header line: simple-git waits 50 ms after a silent git process.
  const out = await git.raw(["status", "--porcelain=v1", "--branch", "-z", "--untracked-files=all", "--no-renames", "--", history.relDir === "" ? "." : history.relDir]);
  const pending: PendingFile[] = [];
  const prefix = history.relDir === "" ? "" : `${history.relDir}/`;
  for (const entry of out.split("\0")) {
    if (entry.length < 4 || entry.startsWith("## ")) continue;
    const code = entry.slice(0, 2);
    const repoPath = entry.slice(3);
    if (!repoPath.startsWith(prefix)) continue;
    const relative = repoPath.slice(prefix.length);
    if (isTempFile(relative) || parseRecordPath(relative) !== undefined) pending.push({ repoPath, relative, code });
  }
  return pending.sort((a, b) => (path.posix.basename(a.relative) < path.posix.basename(b.relative) ? -1 : 1));
}

export interface RecoveryResult {
  recovered: string[];
  /** History-relative paths of record files left uncommitted: never a link of the chain. */
  left: string[];
}

export async function recoverPending(history: History, git: RecordGit, warn: (message: string) => void): Promise<RecoveryResult> {
  const recovered: string[] = [];
  const left: string[] = [];
  await removeLeftoverIndexes(history.repoRoot, history.gitDir, warn);
  for (const file of await findPending(history, git)) {
    const absolute = path.join(history.dir, file.relative);
    if (isTempFile(file.relative)) {
      await unlink(absolute).catch(() => undefined);
      warn(`note: removed ${file.repoPath}, a temporary file left by an interrupted record write`);
      continue;
    }
    if (file.code.includes("D")) {
      warn(`warning: record ${file.repoPath} is deleted in the working tree (not committed); restore it with: git checkout HEAD -- ${file.repoPath}`);
      left.push(file.relative);
      continue;
    }
    const problem = await judge(file, absolute, git, history);
    if (problem !== undefined) {
      warn(`warning: ${file.repoPath} is not committed and was left as it is: ${problem}`);
      left.push(file.relative);
      continue;
    }
    const record = parseRecord(await readFile(absolute, "utf8"), file.repoPath);
    await git.commitFile(file.repoPath, `aiops(${record.frontMatter.stage}): ${record.frontMatter.title} (recovered)`);
    warn(`note: committed ${file.repoPath}, written by an interrupted kubectl aiops run (recovered)`);
    recovered.push(file.repoPath);
  }
  return { recovered, left };
}

/** Why an uncommitted record file must not be committed, or undefined when it may. */
async function judge(file: PendingFile, absolute: string, git: RecordGit, history: History): Promise<string | undefined> {
  let current: RecordFile;
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
    current = parseRecord(text, file.repoPath);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (!(await isNotedWrite(history, file.relative, text))) {
    return `it was not written by an interrupted kubectl aiops command (a hand edit?): inspect it with git diff -- ${file.repoPath}, then commit it yourself or restore it with git checkout HEAD -- ${file.repoPath}`;
  }
  const name = parseRecordPath(file.relative);
  const isNew = file.code === "??" || file.code.startsWith("A");
  if (isNew) {
    const problems = checkFirstVersion(current, name);
    return problems.length === 0 ? undefined : problems.map((p) => p.message).join("; ");
  }
  let committed: RecordFile;
  try {
    committed = parseRecord(await git.raw(["show", `HEAD:${file.repoPath}`]), `HEAD:${file.repoPath}`);
  } catch (error) {
    return `cannot compare with the committed version: ${error instanceof Error ? error.message : String(error)}`;
  }
  const problems = checkNextVersion(committed, current);
  return problems.length === 0 ? undefined : problems.map((p) => p.message).join("; ");
}
