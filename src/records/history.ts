import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { AiopsError, PolicyError } from "../errors.ts";

/**
 * Finding the history folder and its git repository with the filesystem alone (no git process),
 * so `list` stays fast: `--history-dir`, else `$AIOPS_HISTORY_DIR`, else `history/` at the root
 * of the repository of the working directory (docs/records.md, where records live).
 */

export interface History {
  /** Absolute, symlinks resolved. May not exist yet. */
  dir: string;
  /** Root of the work tree holding `dir`. */
  repoRoot: string;
  /** The repository's git dir (where the lock file and index.lock live). */
  gitDir: string;
  /** `dir` relative to `repoRoot`, with '/', "" when they are the same. */
  relDir: string;
}

export interface HistoryLocation {
  historyDir?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function resolveHistory(location: HistoryLocation): History {
  const explicit = location.historyDir ?? nonEmpty(location.env["AIOPS_HISTORY_DIR"]);
  const start = explicit === undefined ? location.cwd : path.resolve(location.cwd, explicit);
  const repo = findRepository(realExistingPrefix(start));
  if (repo === undefined) {
    const where = explicit === undefined ? `the working directory ${location.cwd}` : `the history directory ${start}`;
    throw new AiopsError(`${where} is not inside a git repository: records are committed to git`, {
      hint: `create one with: git init ${explicit === undefined ? "." : path.dirname(start)} && git commit --allow-empty -m init (or pass --history-dir DIR inside an existing repository)`,
    });
  }
  const dir = explicit === undefined ? path.join(repo.root, "history") : realExistingPrefix(start);
  const relDir = path.relative(repo.root, dir).split(path.sep).join("/");
  return { dir, repoRoot: repo.root, gitDir: repo.gitDir, relDir };
}

/** Records are committed on a branch; a detached HEAD would leave them on no branch at all. */
export function requireBranch(history: History): void {
  const head = readFileSync(path.join(history.gitDir, "HEAD"), "utf8").trim();
  if (!head.startsWith("ref: ")) {
    throw new AiopsError(`HEAD is detached in ${history.repoRoot} (at ${head.slice(0, 12)}): a record committed now would belong to no branch`, {
      hint: "switch to a branch first: git switch <branch> (or git switch -c <new-branch> to keep this commit)",
    });
  }
}

export function isDetached(history: History): boolean {
  return !readFileSync(path.join(history.gitDir, "HEAD"), "utf8").startsWith("ref: ");
}

/**
 * Refuses a record path (relative to the history folder) that passes through a symbolic link: a
 * linked record or month folder could make a read show, or a write land in, any file at all.
 */
export function refuseSymlinks(history: History, relative: string): void {
  let current = history.dir;
  for (const part of relative.split("/").filter((p) => p !== "")) {
    current = path.join(current, part);
    let link = false;
    try {
      link = lstatSync(current).isSymbolicLink();
    } catch {
      return; // Not there yet: nothing below it can be a link.
    }
    if (link) {
      throw new PolicyError(`refused: ${current} is a symbolic link; records and their folders must be real files and folders inside ${history.dir}`, {
        hint: `remove the link (rm ${current}) and restore what git holds (git checkout -- ${current})`,
      });
    }
  }
}

/** True when `file` (absolute, resolved) is `dir` itself or inside it. */
export function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * The real path of the longest existing prefix, with the missing rest appended: a history folder
 * that does not exist yet still resolves through symlinks such as /tmp -> /private/tmp.
 */
function realExistingPrefix(target: string): string {
  const missing: string[] = [];
  let current = target;
  while (!existsSync(current)) {
    const parent = path.dirname(current);
    if (parent === current) break;
    missing.unshift(path.basename(current));
    current = parent;
  }
  return path.join(realpathSync(current), ...missing);
}

function findRepository(start: string): { root: string; gitDir: string } | undefined {
  let dir = start;
  for (;;) {
    const dotGit = path.join(dir, ".git");
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return { root: dir, gitDir: dotGit };
      // Worktrees and submodules: ".git" is a file "gitdir: <path>".
      const match = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, "utf8"));
      if (match?.[1] !== undefined) return { root: dir, gitDir: path.resolve(dir, match[1].trim()) };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
