/**
 * `audit checkpoint [--witness REF]` and the witness half of `audit verify --witness REF`
 * (docs/trust.md, anchors). REF is `configmap/NAMESPACE/NAME` (the checkpoint in the cluster, key
 * `checkpoint.json`: whoever rewrites git must also hold write access to that ConfigMap) or a file
 * path (a copy the auditor keeps). Without --witness, checkpoint prints the checkpoint for the
 * auditor to keep.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Session } from "./session.ts";
import { InputError, NotFoundError, PolicyError, UsageError } from "../errors.ts";
import { checkpointPayload, checkpointSchema, compareCheckpoint, type Checkpoint } from "../records/checkpoint.ts";
import { runGit } from "../records/git.ts";
import { resolveHistory, type History } from "../records/history.ts";
import { signingKey, signText, verifyText, NO_KEY_HINT } from "../records/ssh-sign.ts";
import type { AuditProblem } from "../records/verify.ts";
import { auditHistory, type VerifyRequest } from "./records.ts";

export const CHECKPOINT_KEY = "checkpoint.json";

export type WitnessRef = { kind: "configmap"; namespace: string; name: string; text: string } | { kind: "file"; file: string; text: string };

export function parseWitness(ref: string, cwd: string): WitnessRef {
  if (ref.startsWith("configmap/")) {
    const [, namespace = "", name = "", ...rest] = ref.split("/");
    const dns = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
    if (rest.length > 0 || !dns.test(namespace) || !dns.test(name)) {
      throw new UsageError(`--witness ${ref}: a ConfigMap witness is configmap/NAMESPACE/NAME`, "e.g. --witness configmap/aiops/audit-checkpoint, or a file path");
    }
    return { kind: "configmap", namespace, name, text: ref };
  }
  if (ref.trim() === "") throw new UsageError("--witness needs a file path or configmap/NAMESPACE/NAME");
  return { kind: "file", file: path.resolve(cwd, ref), text: ref };
}

export interface CheckpointOutcome {
  checkpoint: Checkpoint;
  /** Where it was written; undefined when only printed. */
  witness?: string;
}

/** Takes a checkpoint of a history that passes `audit verify` (a forged state is never anchored). */
export async function takeCheckpoint(session: Session, request: { witness?: string | undefined }): Promise<CheckpointOutcome> {
  const witness = request.witness === undefined ? undefined : parseWitness(request.witness, session.io.cwd);
  const history = resolveHistory(session.historyLocation);
  const { result, hashes, order } = await auditHistory(session.historyLocation, { requireSigned: false });
  if (!result.ok) {
    throw new PolicyError(`refused to checkpoint a history that fails audit verify (${result.problems.length} problem(s))`, { hint: "run kubectl aiops audit verify, resolve what it reports, then take the checkpoint" });
  }
  const [head, branch, author] = await Promise.all([git(history, ["rev-parse", "HEAD"]), git(history, ["symbolic-ref", "-q", "HEAD"]).catch(() => "HEAD"), git(history, ["var", "GIT_AUTHOR_IDENT"]).catch(() => "unknown")]);
  const last = order.at(-1);
  let checkpoint: Checkpoint = {
    apiVersion: "aiops.dev/v1",
    kind: "AuditCheckpoint",
    head,
    branch,
    records: order.length,
    ...(last === undefined ? {} : { lastRecord: last, chainHead: hashes.get(last) ?? "" }),
    takenAt: session.io.now().toISOString().replace(/\.\d{3}Z$/, "Z"),
    takenBy: /^(.*?<[^>]*>)/.exec(author)?.[1] ?? author,
  };
  const key = await signingKey(history.repoRoot, session.io.env);
  const { policy } = await session.policy();
  if (key === undefined && policy.requireSigned) throw new PolicyError("the policy requires signing, and no signing key is configured for the checkpoint", { hint: NO_KEY_HINT });
  if (key !== undefined) {
    const signers = await allowedSignersAtHead(history, policy.allowedSigners);
    const unsigned = { ...checkpoint };
    const signature = await signText(checkpointPayload(unsigned), key);
    const signer = signers === "" ? undefined : await verifyText(checkpointPayload(unsigned), signature, signers);
    // The signer is part of what is signed: sign again with it named.
    if (signer !== undefined) checkpoint = { ...checkpoint, signer };
    checkpoint = { ...checkpoint, signature: signer === undefined ? signature : await signText(checkpointPayload(checkpoint), key) };
  }
  const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
  if (witness === undefined) return { checkpoint };
  if (witness.kind === "file") await writeFile(witness.file, text);
  else await writeConfigMap(session, witness, text);
  return { checkpoint, witness: witness.text };
}

/** The problems the witness finds, for `audit verify --witness REF`. */
export async function witnessProblems(session: Session, ref: string, request: VerifyRequest, current: { hashes: ReadonlyMap<string, string>; records: number }): Promise<AuditProblem[]> {
  const witness = parseWitness(ref, session.io.cwd);
  const text = witness.kind === "file" ? readWitnessFile(witness.file) : await readConfigMap(session, witness);
  const checkpoint = parseCheckpoint(text, witness.text);
  const history = resolveHistory(session.historyLocation);
  const headExists = await git(history, ["cat-file", "-e", `${checkpoint.head}^{commit}`]).then(
    () => true,
    () => false,
  );
  const headInBranch = headExists && (await git(history, ["merge-base", "--is-ancestor", checkpoint.head, "HEAD"]).then(() => true, () => false));
  const { policy } = await session.policy();
  let verifiedSigner: string | undefined;
  if (checkpoint.signature !== undefined) {
    const signers = request.allowedSignersFile !== undefined ? readFileSync(path.resolve(session.io.cwd, request.allowedSignersFile), "utf8") : await allowedSignersAtHead(history, policy.allowedSigners);
    verifiedSigner = signers === "" ? undefined : await verifyText(checkpointPayload(checkpoint), checkpoint.signature, signers);
    if (verifiedSigner !== undefined && checkpoint.signer !== undefined && checkpoint.signer !== verifiedSigner) verifiedSigner = undefined;
  }
  return compareCheckpoint(checkpoint, witness.text, { headExists, headInBranch, records: current.records, hashes: current.hashes }, { verifiedSigner, requireSigned: request.requireSigned || policy.requireSigned });
}

function parseCheckpoint(text: string, where: string): Checkpoint {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InputError(`the witness ${where} holds no JSON checkpoint`, { exitCode: 2, hint: "take one with: kubectl aiops audit checkpoint --witness REF" });
  }
  const parsed = checkpointSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`the witness ${where} is not a checkpoint: ${issue === undefined ? "invalid" : `${issue.path.join(".") || "(top level)"}: ${issue.message}`}`, { exitCode: 2, hint: "take one with: kubectl aiops audit checkpoint --witness REF" });
  }
  return parsed.data;
}

function readWitnessFile(file: string): string {
  if (!existsSync(file)) throw new InputError(`no checkpoint file ${file}`, { exitCode: 2, hint: "take one with: kubectl aiops audit checkpoint --witness FILE" });
  return readFileSync(file, "utf8");
}

async function allowedSignersAtHead(history: History, signersPath: string | undefined): Promise<string> {
  if (signersPath === undefined) return "";
  return git(history, ["show", `HEAD:${signersPath}`]).catch(() => "");
}

async function git(history: History, args: string[]): Promise<string> {
  return (await runGit(history.repoRoot, args)).toString("utf8").trim();
}

interface ConfigMap {
  metadata?: { resourceVersion?: string };
  data?: Record<string, string>;
}

async function readConfigMap(session: Session, witness: { namespace: string; name: string; text: string }): Promise<string> {
  const client = await session.kube();
  const map = await client.request<ConfigMap>(`/api/v1/namespaces/${witness.namespace}/configmaps/${witness.name}`, { verb: "get", resource: "configmaps", namespace: witness.namespace });
  const text = map.data?.[CHECKPOINT_KEY];
  if (text === undefined) throw new InputError(`ConfigMap ${witness.namespace}/${witness.name} has no ${CHECKPOINT_KEY}`, { hint: `take one with: kubectl aiops audit checkpoint --witness ${witness.text}` });
  return text;
}

async function writeConfigMap(session: Session, witness: { namespace: string; name: string }, text: string): Promise<void> {
  const client = await session.kube();
  const base = `/api/v1/namespaces/${witness.namespace}/configmaps`;
  const existing = await client.request<ConfigMap>(`${base}/${witness.name}`, { verb: "get", resource: "configmaps", namespace: witness.namespace }).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: witness.name, namespace: witness.namespace, labels: { "app.kubernetes.io/managed-by": "kubectl-aiops" }, ...(existing?.metadata?.resourceVersion === undefined ? {} : { resourceVersion: existing.metadata.resourceVersion }) }, data: { ...(existing?.data ?? {}), [CHECKPOINT_KEY]: text } };
  if (existing === undefined) await client.request(base, { method: "POST", body, verb: "create", resource: "configmaps", namespace: witness.namespace });
  else await client.request(`${base}/${witness.name}`, { method: "PUT", body, verb: "update", resource: "configmaps", namespace: witness.namespace });
}
