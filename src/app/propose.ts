/**
 * The propose use-case: read the target and its usage, compute the change with the 30 % margin,
 * classify its tier, dry-run it on the server (dryRun=All only: a proposal never changes the
 * cluster), and write one proposal record. Also `proposeFromFindings` for `diagnose --propose`.
 */
import type { Session } from "./session.ts";
import type { Finding } from "../diagnose/types.ts";
import { AiopsError } from "../errors.ts";
import { readObject, workloadOfPod, type KubeApi } from "../kube/workloads.ts";
import type { SelectedSource } from "../metrics/select.ts";
import type { HorizontalPodAutoscaler, KubeObject, Pod } from "../model/k8s.ts";
import { resolveHistory } from "../records/history.ts";
import { finishProposal, type ProposalOutcome } from "./propose/record.ts";
import { buildHpa, buildScale } from "./propose/replicas.ts";
import { buildResources, type NoChange } from "./propose/resources.ts";
import { buildRestart, buildRollback } from "./propose/rollout.ts";
import type { ProposalDraft, ProposeAction, ProposeContext, ProposeRequest } from "./propose/types.ts";

export type { ProposeContext, ProposeRequest, ProposeAction } from "./propose/types.ts";
export type { ProposalOutcome } from "./propose/record.ts";
export type { NoChange } from "./propose/resources.ts";

const BUILDERS: Record<ProposeAction, (ctx: ProposeContext, request: ProposeRequest) => Promise<ProposalDraft | NoChange>> = {
  resources: buildResources,
  scale: buildScale,
  hpa: buildHpa,
  restart: buildRestart,
  rollback: buildRollback,
};

/** One proposal: its record, or why no change is needed (nothing is then written). */
export async function propose(ctx: ProposeContext, request: ProposeRequest): Promise<ProposalOutcome | NoChange> {
  // Who we are does not depend on the proposal: ask beside the reads (awaited when recording).
  ctx.identify().catch(() => undefined);
  const draft = await BUILDERS[request.action](ctx, request);
  if ("noChange" in draft) return draft;
  return finishProposal(ctx, draft, request);
}

export interface ProposeOptions {
  prometheus?: string | undefined;
  windowSeconds: number;
  allowShortHistory: boolean;
  command: string;
}

/** Builds the context from the global flags (kubeconfig, context, namespace, history dir). */
export async function createProposeContext(session: Session, options: ProposeOptions): Promise<ProposeContext> {
  const { globals, io } = session;
  const location = session.historyLocation;
  // History and policy first: a proposal that cannot be recorded is refused before any request.
  const history = resolveHistory(location);
  const { policy, file } = await session.policy();
  const client = await session.kube();
  let source: Promise<SelectedSource> | undefined;
  return {
    api: client,
    namespace: globals.namespace ?? client.context.namespace,
    cluster: { context: client.context.context, server: client.context.server },
    policy,
    policyFile: file,
    history,
    command: options.command,
    now: () => io.now(),
    warn: (message) => session.warn(message),
    identify: async () => (await session.identity()).username,
    metrics: () =>
      (source ??= import("../metrics/select.ts").then(({ selectMetricsSource }) =>
        selectMetricsSource({
          ...(options.prometheus === undefined ? {} : { prometheusFlag: options.prometheus }),
          ...(policy.prometheus === undefined ? {} : { policyPrometheus: policy.prometheus }),
          api: client,
          ...(globals.requestTimeoutMs > 0 ? { timeoutMs: globals.requestTimeoutMs } : {}),
          now: () => io.now(),
        }),
      )),
    windowSeconds: options.windowSeconds,
    allowShortHistory: options.allowShortHistory,
  };
}

/** `kubectl aiops propose ACTION KIND/NAME`: the recorded proposal, or why no change is needed (nothing recorded). */
export async function runPropose(session: Session, request: ProposeRequest, options: ProposeOptions): Promise<ProposalOutcome | NoChange> {
  const ctx = await createProposeContext(session, options);
  const result = await propose(ctx, request);
  if ("noChange" in result) {
    ctx.warn(`no proposal: ${result.noChange}; nothing recorded`);
    return result;
  }
  const { frontMatter, location, commit } = result.record;
  session.events.emit({ type: "record-committed", stage: frontMatter.stage, id: frontMatter.id, path: location.absolute, commit });
  ctx.warn(`recorded ${frontMatter.id} (${location.absolute}, commit ${commit.slice(0, 12)})`);
  return result;
}


/** Actions `diagnose --propose` turns into proposals; the others need a human's change. */
const PROPOSABLE = new Set<string>(["resources", "scale", "hpa", "restart", "rollback"]);

export interface FindingProposal {
  finding: string;
  category: string;
  object: string;
  result: { recorded: string; path: string; tier: string; title: string } | { noChange: string } | { skipped: string };
}

/**
 * `diagnose ... --propose`: one proposal per distinct (action, workload) among the findings whose
 * remediation is resources/scale/hpa/restart/rollback. An OOMKilled finding passes its container
 * to the memory margin as an OOM kill (the limit gets the OOM bump). A failure of one proposal
 * (no metrics, forbidden) is reported for that finding and does not stop the others.
 */
export async function proposeFromFindings(findings: readonly Finding[], ctx: ProposeContext, options: { diagnosisRecord?: string } = {}): Promise<FindingProposal[]> {
  const requests = new Map<string, { request: ProposeRequest; findings: Finding[] }>();
  const out: FindingProposal[] = [];
  for (const finding of findings) {
    if (!PROPOSABLE.has(finding.remediation.action)) continue;
    let request: ProposeRequest | undefined;
    try {
      request = await requestFor(ctx.api, finding, ctx.namespace);
    } catch (error) {
      out.push(entry(finding, { skipped: messageOf(error) }));
      continue;
    }
    if (request === undefined) {
      out.push(entry(finding, { skipped: `no workload to ${finding.remediation.action} for ${finding.object.kind} ${finding.object.name}` }));
      continue;
    }
    if (options.diagnosisRecord !== undefined) request.diagnosisRecord = options.diagnosisRecord;
    const key = `${request.action}/${request.kind}/${request.name}`;
    const existing = requests.get(key);
    if (existing === undefined) requests.set(key, { request, findings: [finding] });
    else {
      existing.findings.push(finding);
      // Two containers of one workload: one proposal covering both.
      if (existing.request.container !== request.container) delete existing.request.container;
      for (const [c, n] of Object.entries(request.oomKills ?? {})) (existing.request.oomKills ??= {})[c] = Math.max(existing.request.oomKills?.[c] ?? 0, n);
    }
  }
  for (const { request, findings: group } of requests.values()) {
    const first = group[0];
    if (first === undefined) continue;
    try {
      const result = await propose({ ...ctx, namespace: first.object.namespace ?? ctx.namespace }, request);
      out.push(entry(first, "noChange" in result ? result : { recorded: result.record.frontMatter.id, path: result.record.location.absolute, tier: result.tier, title: result.record.frontMatter.title }));
    } catch (error) {
      out.push(entry(first, { skipped: messageOf(error) }));
    }
  }
  return out;
}

function entry(f: Finding, result: FindingProposal["result"]): FindingProposal {
  return { finding: f.id, category: f.category, object: `${f.object.kind.toLowerCase()}/${f.object.namespace === undefined ? "" : `${f.object.namespace}/`}${f.object.name}`, result };
}

function messageOf(error: unknown): string {
  if (error instanceof AiopsError) return `${error.message}${error.hint === undefined ? "" : ` (hint: ${error.hint})`}`;
  return error instanceof Error ? error.message : String(error);
}

/** The proposal a finding asks for, aimed at the workload that owns the failing object. */
async function requestFor(api: KubeApi, finding: Finding, fallbackNamespace: string): Promise<ProposeRequest | undefined> {
  const action = finding.remediation.action as ProposeAction;
  const namespace = finding.object.namespace ?? fallbackNamespace;
  const base: Pick<ProposeRequest, "category"> = { category: finding.category };
  // An OOM kill is about memory: its proposal sizes memory (with the OOM bump) and leaves cpu alone.
  const oomKills = finding.category === "OOMKilled" && finding.container !== undefined ? { oomKills: { [finding.container]: 1 }, only: ["memory" as const], container: finding.container } : {};
  let kind = finding.object.kind;
  let name = finding.object.name;
  if (kind === "Pod") {
    if (action === "restart") return { action, kind, name, ...base };
    const owner = await workloadOfPod(api, await readObject<Pod>(api, "Pod", namespace, name));
    if (owner === undefined) return undefined;
    kind = owner.kind;
    name = owner.name;
  } else if (kind === "HorizontalPodAutoscaler") {
    const hpa = await readObject<HorizontalPodAutoscaler>(api, kind, namespace, name);
    kind = hpa.spec.scaleTargetRef.kind;
    name = hpa.spec.scaleTargetRef.name;
  } else if (kind === "ReplicaSet") {
    const rs = await readObject<KubeObject>(api, kind, namespace, name);
    const owner = rs.metadata.ownerReferences?.find((o) => o.kind === "Deployment");
    if (owner === undefined) return undefined;
    kind = "Deployment";
    name = owner.name;
  }
  if (!["Deployment", "StatefulSet", "DaemonSet"].includes(kind)) return undefined;
  if (action === "rollback" && kind !== "Deployment") return undefined;
  if ((action === "scale" || action === "hpa") && kind === "DaemonSet") return undefined;
  return { action, kind, name, ...base, ...oomKills };
}
