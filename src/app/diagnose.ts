import type { Snapshot } from "../diagnose/context.ts";
import { diagnoseSnapshot } from "../diagnose/engine.ts";
import { newestTimestamp, parseInput } from "../diagnose/parse-input.ts";
import type { Diagnosis, DiagnosisList, Explanation, ObjectRef } from "../diagnose/types.ts";
import { NotFoundError, UsageError } from "../errors.ts";
import { readSource } from "../util/read-source.ts";
import type { GlobalOptions, Io, Session } from "./session.ts";
import { closestNames } from "../util/closest.ts";
import type { KubeClient } from "../kube/client.ts";
import { kindSpec } from "../kube/kinds.ts";
import type { FindingProposal } from "./propose.ts";

export type DiagnoseRequest =
  | { mode: "file"; source: string; target?: ObjectRef }
  | { mode: "object"; target: ObjectRef }
  | { mode: "namespace"; namespace: string }
  | { mode: "all" };

/** What `diagnose` found, with what --explain, --record and --propose added. */
export interface DiagnoseResult {
  /** Every object judged, with similar past incidents and (--explain) the LLM's explanation. */
  list: DiagnosisList;
  /** The diagnosis of the object named (KIND NAME), also the list's one item; absent for a namespace, -A or a whole file. */
  single?: Diagnosis;
  /** The time the snapshot was judged at (RFC 3339): "since" columns count from it. */
  now: string;
  /** Some object has a problem (--fail-on-problems). */
  problems: boolean;
  /** --record: the id of the diagnosis record. */
  recorded?: string;
  /** --propose: what became of each proposable finding. */
  proposals?: FindingProposal[];
}

/** The diagnose use-case: gather a snapshot (file or cluster), judge it; the command renders it. */
export interface DiagnoseArgs {
  now?: string | undefined;
  logLines: number;
  explain?: boolean | undefined;
  record: boolean;
  propose: boolean;
  prometheus?: string | undefined;
  command: string;
}

export async function runDiagnose(session: Session, request: DiagnoseRequest, args: DiagnoseArgs): Promise<DiagnoseResult> {
  const { globals, io } = session;
  const warn = (message: string): void => session.warn(message);
  let snapshot: Snapshot;
  let target: ObjectRef | undefined;
  let cluster: { client: KubeClient } | undefined;
  if (request.mode === "file") {
    const parsed = parseInput(await readSource(request.source, () => io.readStdin()), request.source === "-" ? "<stdin>" : request.source);
    for (const note of parsed.notes) warn(`note: ${note}`);
    snapshot = { now: args.now ?? newestTimestamp(parsed.objects) ?? io.now().toISOString(), objects: parsed.objects };
    target = request.target === undefined ? undefined : resolveInFile(request.target, snapshot);
  } else {
    const { gatherSnapshot } = await import("../kube/gather.ts");
    const client = await session.kube();
    cluster = { client };
    const namespace = request.mode === "namespace" && request.namespace !== "" ? request.namespace : (globals.namespace ?? client.context.namespace);
    const scope = request.mode === "all" ? { allNamespaces: true as const } : { namespace };
    snapshot = await gatherSnapshot(client, scope, { logLines: args.logLines, maxLogContainers: 20, now: () => io.now(), warn });
    if (request.mode === "object") {
      // Cluster-scoped kinds (Node, PersistentVolume, webhook configurations) have no namespace.
      target = kindSpec(request.target.kind)?.namespaced === false ? request.target : { kind: request.target.kind, namespace, name: request.target.name };
      requireTarget(target, snapshot);
    }
    if (request.mode === "namespace" && !snapshot.objects.some((o) => o.metadata.namespace === namespace)) {
      warn(`note: namespace "${namespace}" has no pods, workloads or services (does it exist? kubectl get namespace ${namespace})`);
    }
  }

  const list = diagnoseSnapshot(snapshot, target === undefined ? {} : { targets: [target] });
  const problems = list.items.some((item) => item.status === "ProblemDetected");
  const single = target === undefined ? undefined : list.items[0];
  if (problems) await attachSimilar(list, globals, io, args.record);
  if (problems && (args.explain ?? io.env["OLLAMA_HOST"] !== undefined)) {
    const explanation = await explainFindings(list, io, warn);
    if (explanation !== undefined) (single ?? list).explanation = explanation;
  }
  const diagnosisId = args.record ? await recordIt(single ?? list, args, session, cluster?.client, warn) : undefined;
  let proposals: FindingProposal[] | undefined;
  if (args.propose && problems) {
    if (request.mode === "file") throw new UsageError("--propose needs a live cluster (a proposal is dry-run on the server)", "drop -f, or drop --propose");
    const { createProposeContext, proposeFromFindings } = await import("./propose.ts");
    const ctx = await createProposeContext(session, { prometheus: args.prometheus, windowSeconds: 7 * 86400, allowShortHistory: false, command: args.command });
    proposals = await proposeFromFindings(list.items.flatMap((i) => i.findings), ctx, diagnosisId === undefined ? {} : { diagnosisRecord: diagnosisId });
  }
  return {
    list,
    ...(single === undefined ? {} : { single }),
    now: snapshot.now,
    problems,
    ...(diagnosisId === undefined ? {} : { recorded: diagnosisId }),
    ...(proposals === undefined ? {} : { proposals }),
  };
}

/**
 * Similar past incidents from the history, when there is one. Without a git repository there is
 * no history to compare with: that is only worth a note when the user asked to record.
 */
async function attachSimilar(list: DiagnosisList, globals: GlobalOptions, io: Io, recording: boolean): Promise<void> {
  const { resolveHistory } = await import("../records/history.ts");
  const { scanRecords } = await import("../records/scan.ts");
  let history;
  try {
    history = resolveHistory({ historyDir: globals.historyDir, cwd: io.cwd, env: io.env });
  } catch (error) {
    if (recording) throw error;
    return;
  }
  // Parsing records needs gray-matter and zod schemas: load them only when there is history.
  if (!(await scanRecords(history)).some((l) => l.stage === "diagnosis" || l.stage === "proposal")) return;
  const { loadIncidentHistory } = await import("../records/incidents.ts");
  const { findSimilarIncidents } = await import("../records/similar.ts");
  const records = await loadIncidentHistory(history);
  for (const item of list.items.filter((i) => i.findings.length > 0)) {
    const result = findSimilarIncidents(item, records);
    item.similar = result.similar;
    if (result.similar.length > 0) item.similarSummary = result.summary;
  }
}

/** `--record`: the diagnosis as a record, with the identity the API server authenticates. */
async function recordIt(diagnosis: Diagnosis | DiagnosisList, args: DiagnoseArgs, session: Session, client: KubeClient | undefined, warn: (message: string) => void): Promise<string> {
  const { globals, io } = session;
  const { recordDiagnosis } = await import("./records.ts");
  let user: string | undefined;
  if (client !== undefined) {
    const { whoAmI } = await import("../kube/identity.ts");
    user = (await whoAmI(client)).username;
  }
  const written = await recordDiagnosis(diagnosis, {
    command: args.command,
    ...(client === undefined ? {} : { cluster: { context: client.context.context, server: client.context.server } }),
    ...(user === undefined ? {} : { user }),
    now: io.now(),
    ...(globals.historyDir === undefined ? {} : { historyDir: globals.historyDir }),
    cwd: io.cwd,
    env: io.env,
    warn,
  });
  session.events.emit({ type: "record-committed", stage: "diagnosis", id: written.id, path: written.path, commit: written.commit });
  warn(`recorded ${written.id} (${written.path})`);
  return written.id;
}

/** The LLM only adds an explanation; without one the rule engine's diagnosis stands as it is. */
async function explainFindings(list: DiagnosisList, io: Io, warn: (message: string) => void): Promise<Explanation | undefined> {
  const { explain } = await import("../llm/explain.ts");
  const { ollamaClient } = await import("../llm/ollama.ts");
  const timeoutMs = Number(io.env["AIOPS_LLM_TIMEOUT_MS"] ?? 60_000);
  const result = await explain(list.items.filter((i) => i.findings.length > 0), ollamaClient(io.env, timeoutMs));
  if ("failure" in result) {
    warn(`note: no LLM explanation (${result.failure}); the rule engine's diagnosis stands`);
    return undefined;
  }
  return result.explanation;
}

/** In a file, a target without -n is found by kind and name when that is unique. */
function resolveInFile(target: ObjectRef, snapshot: Snapshot): ObjectRef {
  const candidates = snapshot.objects.filter((o) => o.kind === target.kind && o.metadata.name === target.name && (target.namespace === undefined || o.metadata.namespace === target.namespace));
  if (candidates.length > 1) {
    const namespaces = candidates.map((o) => o.metadata.namespace ?? "").join(", ");
    throw new UsageError(`${target.kind} "${target.name}" is in several namespaces of the file (${namespaces})`, "pick one with -n NAMESPACE");
  }
  const found = candidates[0];
  if (found === undefined) requireTarget(target, snapshot);
  const namespace = found?.metadata.namespace;
  return namespace === undefined ? { kind: target.kind, name: target.name } : { kind: target.kind, namespace, name: target.name };
}

function requireTarget(target: ObjectRef, snapshot: Snapshot): void {
  const sameKind = snapshot.objects.filter((o) => o.kind === target.kind && (target.namespace === undefined || o.metadata.namespace === target.namespace));
  if (sameKind.some((o) => o.metadata.name === target.name)) return;
  const where = target.namespace === undefined ? "" : ` in namespace "${target.namespace}"`;
  const suggestions = closestNames(target.name, sameKind.map((o) => o.metadata.name));
  const kind = target.kind.toLowerCase();
  throw new NotFoundError(`${kind} "${target.name}" not found${where}`, {
    hint:
      suggestions.length > 0
        ? `did you mean: ${suggestions.join(", ")}?`
        : `list them with kubectl get ${kind}s${target.namespace === undefined ? "" : ` -n ${target.namespace}`}, or pass -n NAMESPACE`,
  });
}
