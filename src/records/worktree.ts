import type { History } from "./history.ts";
import { runGit } from "./git.ts";
import { isTempFile } from "./paths.ts";

/**
 * Record files whose working-tree content is not what git holds (modified, staged, untracked,
 * deleted): `list` and `show` read the working tree, the audit reads git, so they warn when the
 * two differ. One `git status` for the whole history folder.
 */
export interface UncommittedFile {
  /** Relative to the history folder. */
  relative: string;
  /** git's two-letter status, e.g. " M", "??", " D". */
  state: string;
}

export async function uncommittedRecords(history: History): Promise<UncommittedFile[]> {
  const out = await runGit(history.repoRoot, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", history.relDir === "" ? "." : history.relDir]).catch(() => Buffer.from(""));
  const prefix = history.relDir === "" ? "" : `${history.relDir}/`;
  const files: UncommittedFile[] = [];
  for (const entry of out.toString("utf8").split("\0")) {
    if (entry.length < 4) continue;
    const state = entry.slice(0, 2);
    const file = entry.slice(3);
    const relative = file.startsWith(prefix) ? file.slice(prefix.length) : file;
    if (!isTempFile(relative)) files.push({ relative, state });
  }
  return files;
}

/** One warning sentence for `list`, or undefined when the tree is clean. */
export function uncommittedWarning(history: History, files: readonly UncommittedFile[]): string | undefined {
  if (files.length === 0) return undefined;
  const shown = files.slice(0, 5).map((f) => `${f.relative} (${STATE[f.state.trim().charAt(0)] ?? f.state.trim()})`);
  return `${files.length} file(s) in ${history.dir} differ from what git holds: ${shown.join(", ")}${files.length > 5 ? ", ..." : ""}; what is shown is not the audited history (see git status -- ${history.dir}; git checkout -- FILE restores one)`;
}

const STATE: Record<string, string> = { M: "modified", A: "added, not committed", D: "deleted", "?": "untracked", R: "renamed", T: "type changed", U: "unmerged" };
