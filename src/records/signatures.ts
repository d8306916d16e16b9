import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { History } from "./history.ts";
import type { HistoryWalk } from "./git-walk.ts";
import { runGit } from "./git.ts";

/**
 * Commit signatures for `audit verify` (docs/trust.md, signatures): git checks each SSH signature
 * (%G?, and %GS the principal of the allowed-signers line that matched). Each commit is judged by
 * the allowed-signers file in force when it was made, that is the version at its parent: a key
 * added by a commit cannot vouch for that commit, and a key removed later still vouches for what
 * it signed before. One `git log` per version of the file, over the commits it governs.
 */

export interface CommitSignature {
  /** git's %G?: G good, N none, U good signature by a key no allowed-signers line names, B bad, E cannot check. */
  status: string;
  /** The principal of the allowed-signers line that matched (with G). */
  signer?: string;
}

export interface SignatureOptions {
  /** Repository-relative path of the allowed-signers file, whose versions the walk holds. */
  signersPath?: string;
  /** The auditor's own allowed-signers file: then it judges every commit, whatever the repository holds. */
  trustedFile?: string;
  /** The walk's extra files (the policy, the allowed signers), repository-relative. */
  extraPaths: readonly string[];
}

/** A segment of first-parent history and the allowed-signers text that governs it. */
interface Segment {
  range: string;
  signers: string;
}

export async function readSignatures(history: History, walk: HistoryWalk, options: SignatureOptions): Promise<Map<string, CommitSignature>> {
  const result = new Map<string, CommitSignature>();
  if (walk.commits.length === 0) return result;
  const pathspec = ["--", history.relDir === "" ? "." : history.relDir, ...options.extraPaths.map((e) => `:(literal)${e}`)];
  const dir = await mkdtemp(path.join(tmpdir(), "aiops-signers-"));
  try {
    const segments: { range: string; file: string }[] = [];
    if (options.trustedFile !== undefined) {
      segments.push({ range: "HEAD", file: path.resolve(options.trustedFile) });
    } else {
      for (const [i, segment] of segmentsOf(walk, options.signersPath).entries()) {
        const file = path.join(dir, `allowed_signers.${i}`);
        await writeFile(file, segment.signers);
        segments.push({ range: segment.range, file });
      }
    }
    for (const segment of segments) {
      const out = await runGit(history.repoRoot, ["-c", `gpg.ssh.allowedSignersFile=${segment.file}`, "log", "--first-parent", "--no-abbrev", "--format=%H%x1f%G?%x1f%GS", segment.range, ...pathspec]);
      for (const line of out.toString("utf8").split("\n")) {
        const [hash = "", status = "", signer = ""] = line.split("\x1f");
        if (hash === "" || result.has(hash)) continue;
        result.set(hash, signer === "" ? { status } : { status, signer });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}

/**
 * Splits the walk at every commit that changes the allowed-signers file: commits up to and
 * including the first change are judged with no file (no key is known), commits after a change up
 * to and including the next with that change's content. Rev ranges `A..B` on first-parent history.
 */
function segmentsOf(walk: HistoryWalk, signersPath: string | undefined): Segment[] {
  const changes: { commit: string; text: string }[] = [];
  if (signersPath !== undefined) {
    for (const commit of walk.commits) {
      const change = commit.changes.find((c) => c.extra === true && c.relative === signersPath);
      if (change !== undefined) changes.push({ commit: commit.hash, text: /^0+$/.test(change.blob) ? "" : (walk.blobs.get(change.blob) ?? "") });
    }
  }
  const first = changes[0];
  if (first === undefined) return [{ range: "HEAD", signers: "" }];
  const segments: Segment[] = [{ range: first.commit, signers: "" }];
  changes.forEach((change, i) => {
    const next = changes[i + 1];
    segments.push({ range: next === undefined ? `${change.commit}..HEAD` : `${change.commit}..${next.commit}`, signers: change.text });
  });
  return segments;
}
