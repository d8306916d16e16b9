import type { History } from "./history.ts";
import { runGit } from "./git.ts";
import { isTempFile, parseRecordPath } from "./paths.ts";

/**
 * One pass over the git history of the history folder: a single `git log --raw` for the commits
 * and the blobs each changed, then a single `git cat-file --batch` for the contents of every
 * record version. Never one git process per record: 10,000 records verify in seconds.
 */

export interface WalkChange {
  /** A, M, D, R, C or T. */
  status: string;
  /** Relative to the history folder; for an extra file (the policy, the allowed signers), relative to the repository root. */
  relative: string;
  /** Set for a change of one of `WalkOptions.extraPaths` rather than of a record. */
  extra?: true;
  fromRelative?: string;
  /** The blob of the new version; all zeros for a deletion. */
  blob: string;
}

export interface WalkCommit {
  hash: string;
  parents: string[];
  author: string;
  committer: string;
  date: string;
  /** %G? (G good, N none, B bad, U/E/X/Y/R see git-log(1)); present when signatures were asked for. */
  signature?: string;
  signer?: string;
  changes: WalkChange[];
  /** For a merge: the audited files it changes against each parent other than the first. */
  otherParentChanges?: string[];
}

export interface HistoryWalk {
  commits: WalkCommit[];
  /** Blob id -> text, for every record version. */
  blobs: Map<string, string>;
}

export interface WalkOptions {
  signatures?: boolean;
  allowedSignersFile?: string;
  /** Files outside the history folder whose changes are audited too, relative to the repository root (`.aiops.yaml`, the allowed signers). */
  extraPaths?: readonly string[];
}

const ZERO = /^0+$/;

export async function walkHistory(history: History, options: WalkOptions = {}): Promise<HistoryWalk> {
  const config = options.allowedSignersFile === undefined ? [] : ["-c", `gpg.ssh.allowedSignersFile=${options.allowedSignersFile}`];
  const hasHead = await runGit(history.repoRoot, ["rev-parse", "--verify", "-q", "HEAD"]).then(
    () => true,
    () => false,
  );
  if (!hasHead) return { commits: [], blobs: new Map() };
  const format = `%x1e%H%x1f%P%x1f%an <%ae>%x1f%cn <%ce>%x1f%aI${options.signatures === true ? "%x1f%G?%x1f%GS" : ""}`;
  const extras = [...new Set(options.extraPaths ?? [])];
  // --first-parent: the history as the branch tells it; a merge shows as its diff against the
  // first parent (verify.ts reports merges that touch audited files, with both parents' diffs).
  const args = [...config, "log", "--first-parent", "--diff-merges=first-parent", "--reverse", "--no-abbrev", "--raw", "-z", "--find-renames", "--no-color", `--format=${format}`, "--", history.relDir === "" ? "." : history.relDir, ...extras.map((e) => `:(literal)${e}`)];
  const out = await runGit(history.repoRoot, args);
  const commits = parseLog(out.toString("utf8"), history.relDir, extras);
  const wanted = new Set<string>();
  for (const commit of commits) for (const change of commit.changes) if (!ZERO.test(change.blob) && (change.extra === true || parseRecordPath(change.relative) !== undefined)) wanted.add(change.blob);
  for (const commit of commits) {
    if (commit.parents.length < 2) continue;
    const changed = new Set<string>();
    for (const parent of commit.parents.slice(1)) {
      const diff = await runGit(history.repoRoot, ["diff-tree", "-r", "-z", "--name-only", "--no-renames", parent, commit.hash, "--", ...args.slice(args.indexOf("--") + 1)]);
      // Named as the first-parent changes are: record paths relative to the history folder.
      const prefix = history.relDir === "" ? "" : `${history.relDir}/`;
      for (const name of diff.toString("utf8").split("\0")) if (name !== "") changed.add(prefix !== "" && name.startsWith(prefix) ? name.slice(prefix.length) : name);
    }
    commit.otherParentChanges = [...changed].sort();
  }
  const blobs = wanted.size === 0 ? new Map<string, string>() : parseBatch(await runGit(history.repoRoot, ["cat-file", "--batch"], `${[...wanted].join("\n")}\n`));
  return { commits, blobs };
}

export function parseLog(text: string, relDir: string, extraPaths: readonly string[] = []): WalkCommit[] {
  const prefix = relDir === "" ? "" : `${relDir}/`;
  const commits: WalkCommit[] = [];
  for (const chunk of text.split("\x1e")) {
    if (chunk.trim() === "") continue;
    const headerEnd = chunk.indexOf("\0");
    const header = (headerEnd === -1 ? chunk : chunk.slice(0, headerEnd)).replace(/\n+$/, "");
    const [hash = "", parents = "", author = "", committer = "", date = "", signature, signer] = header.split("\x1f");
    const commit: WalkCommit = { hash, parents: parents === "" ? [] : parents.split(" "), author, committer, date, changes: [] };
    if (signature !== undefined) commit.signature = signature;
    if (signer !== undefined && signer !== "") commit.signer = signer;
    const tokens = headerEnd === -1 ? [] : chunk.slice(headerEnd + 1).split("\0");
    for (let i = 0; i < tokens.length; i++) {
      const token = (tokens[i] ?? "").replace(/^\n/, "");
      if (!token.startsWith(":")) continue;
      const fields = token.slice(1).split(" ");
      const status = (fields[4] ?? "").charAt(0);
      const blob = fields[3] ?? "";
      const first = tokens[++i] ?? "";
      const second = status === "R" || status === "C" ? (tokens[++i] ?? "") : undefined;
      const newPath = second ?? first;
      const extra = extraPaths.find((e) => e === newPath || e === first);
      if (extra !== undefined) {
        commit.changes.push({ status: newPath === extra ? status : "D", relative: extra, blob: newPath === extra ? blob : "0".repeat(40), extra: true });
        continue;
      }
      if (!newPath.startsWith(prefix) && !first.startsWith(prefix)) continue;
      const change: WalkChange = { status, relative: newPath.slice(prefix.length), blob };
      if (second !== undefined) change.fromRelative = first.startsWith(prefix) ? first.slice(prefix.length) : first;
      // A rename out of the folder shows as the old path only: keep it, it is a deletion for us.
      if (!newPath.startsWith(prefix)) {
        change.relative = first.slice(prefix.length);
        change.status = "D";
      }
      if (!isTempFile(change.relative)) commit.changes.push(change);
    }
    commits.push(commit);
  }
  return commits;
}

/** Parses `git cat-file --batch` output: "<sha> blob <size>\n<bytes>\n" per object. */
export function parseBatch(out: Buffer): Map<string, string> {
  const blobs = new Map<string, string>();
  let at = 0;
  while (at < out.length) {
    const lineEnd = out.indexOf(10, at);
    if (lineEnd === -1) break;
    const header = out.toString("utf8", at, lineEnd).split(" ");
    at = lineEnd + 1;
    if (header[1] === "missing" || header.length < 3) continue;
    const size = Number(header[2]);
    blobs.set(header[0] ?? "", out.toString("utf8", at, at + size));
    at += size + 1;
  }
  return blobs;
}
