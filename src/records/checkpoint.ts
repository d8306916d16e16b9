import { z } from "zod";
import { canonicalJson } from "./hash.ts";
import type { AuditProblem } from "./verify.ts";

/**
 * Checkpoints (docs/trust.md, anchors), pure: the state of the history at one moment — the branch
 * head commit, the number of records, the last record of the chain and its hash — kept by a
 * witness outside the repository (a file the auditor keeps, or a ConfigMap in the cluster).
 * `audit verify --witness` then finds a rewrite (the head commit is no longer in the branch: a
 * rehash of the chain changes every commit id) and a truncation (`git reset --hard HEAD~N`: the
 * head commit or the last record is gone). Signed with SSH when a key is at hand, so a witness
 * file edited by someone without the key is caught too.
 */

const sha = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`), `must be ${length} lowercase hex digits`);

export const checkpointSchema = z.strictObject({
  apiVersion: z.literal("aiops.dev/v1"),
  kind: z.literal("AuditCheckpoint"),
  /** The branch head when the checkpoint was taken. */
  head: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "must be a commit id: 40 (or 64) lowercase hex digits"),
  branch: z.string().min(1),
  records: z.number().int().nonnegative(),
  /** The last record in chain (id) order and its content_sha256; absent for an empty history. */
  lastRecord: z.string().min(1).optional(),
  chainHead: sha(64).optional(),
  takenAt: z.string().min(1),
  takenBy: z.string().min(1),
  /** Armored SSH signature (namespace aiops-checkpoint) over `checkpointPayload`, and who signed. */
  signature: z.string().min(1).optional(),
  signer: z.string().min(1).optional(),
});

export type Checkpoint = z.output<typeof checkpointSchema>;

/** What is signed: every field but the signature itself, as canonical JSON. */
export function checkpointPayload(checkpoint: Checkpoint): string {
  const { signature: _signature, ...rest } = checkpoint;
  return canonicalJson(rest);
}

/** The history as it is now, for comparing against a checkpoint. */
export interface CurrentHistory {
  /** Whether the checkpoint's head commit exists and is an ancestor of (or is) HEAD. */
  headInBranch: boolean;
  headExists: boolean;
  records: number;
  /** content_sha256 of every record, by id. */
  hashes: ReadonlyMap<string, string>;
}

export interface WitnessJudgement {
  /** The principal whose key signed the checkpoint, when it is signed and the signature holds. */
  verifiedSigner?: string | undefined;
  /** Whether the policy (or the auditor) requires a signed checkpoint. */
  requireSigned: boolean;
}

/** The problems a checkpoint finds in the history now (empty when it still holds). */
export function compareCheckpoint(checkpoint: Checkpoint, witness: string, now: CurrentHistory, judgement: WitnessJudgement): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const taken = `the checkpoint in ${witness} (taken ${checkpoint.takenAt} by ${checkpoint.takenBy}: ${checkpoint.records} records, head ${checkpoint.head.slice(0, 12)})`;
  const add = (message: string, record = "-"): void => {
    problems.push({ kind: "witness", record, path: witness, commit: checkpoint.head, message });
  };
  if (checkpoint.signature !== undefined && judgement.verifiedSigner === undefined) {
    add(`${taken} carries a signature that no allowed signer's key made: the witness was edited or forged`);
  } else if (checkpoint.signature === undefined && judgement.requireSigned) {
    add(`${taken} is unsigned, but signing is required: take a new one with a signing key (kubectl aiops audit checkpoint)`);
  }
  if (!now.headExists) add(`${taken}: commit ${checkpoint.head.slice(0, 12)} no longer exists in the repository: the history was rewritten or truncated since (rehash, reset --hard, force-push)`);
  else if (!now.headInBranch) add(`${taken}: commit ${checkpoint.head.slice(0, 12)} is no longer in the branch's history: the branch was reset or rewritten since`);
  if (now.records < checkpoint.records) add(`${taken}: the history now holds ${now.records} records, fewer than the ${checkpoint.records} checkpointed: records were dropped`);
  if (checkpoint.lastRecord !== undefined && checkpoint.chainHead !== undefined) {
    const hash = now.hashes.get(checkpoint.lastRecord);
    if (hash === undefined) add(`${taken}: its last record ${checkpoint.lastRecord} is gone from the history`, checkpoint.lastRecord);
    else if (hash !== checkpoint.chainHead) add(`${taken}: record ${checkpoint.lastRecord} now hashes to ${hash.slice(0, 12)}, not ${checkpoint.chainHead.slice(0, 12)}: the chain was recomputed`, checkpoint.lastRecord);
  }
  return problems;
}
