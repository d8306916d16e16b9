/**
 * Watching a workload during an apply: its rollout, then its health for the verification
 * window. Each poll reads the workload, its pods, its ReplicaSets and the namespace's events
 * (four requests, whatever the pod count) and runs the diagnosis rules on them, so "healthy"
 * means what `kubectl aiops diagnose` would say. Every wait has a deadline.
 */
import type { Snapshot } from "../../diagnose/context.ts";
import { diagnoseSnapshot } from "../../diagnose/engine.ts";
import type { Finding } from "../../diagnose/types.ts";
import { apiVersionOf, collectionPath, rbacResourceOf, requireKind } from "../../kube/kinds.ts";
import { evaluateRollout, type RolloutProgress } from "../../kube/rollout.ts";
import { listWorkloadPods, readObject, selectorString, workloadOfPod, type KubeApi } from "../../kube/workloads.ts";
import type { HorizontalPodAutoscaler, KubeObject, LabelSelector, Pod } from "../../model/k8s.ts";
import { tierPolicyOf } from "../../policy/policy-file.ts";
import type { RecordAction, RecordTarget } from "../../records/schema.ts";
import type { ApplyContext } from "./context.ts";
import { judgeHealth, type HealthBaseline, type HealthVerdict } from "./health.ts";

export interface Subject {
  kind: string;
  namespace: string;
  name: string;
}

export interface Observation {
  workload: KubeObject;
  pods: Pod[];
  findings: Finding[];
  rollout: RolloutProgress;
}

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"];

/** Whose pods tell whether the change worked: the workload itself, an HPA's target, a pod's controller. */
export async function subjectOf(api: KubeApi, target: RecordTarget, action: RecordAction, live: KubeObject | undefined): Promise<Subject | undefined> {
  const namespace = target.namespace ?? "";
  if (WORKLOAD_KINDS.includes(target.kind)) return { kind: target.kind, namespace, name: target.name };
  if (target.kind === "HorizontalPodAutoscaler") {
    const ref = (live as HorizontalPodAutoscaler | undefined)?.spec.scaleTargetRef ?? (action.patch as { spec?: { scaleTargetRef?: { kind: string; name: string } } }).spec?.scaleTargetRef;
    return ref !== undefined && WORKLOAD_KINDS.includes(ref.kind) ? { kind: ref.kind, namespace, name: ref.name } : undefined;
  }
  if (target.kind === "Pod" && live !== undefined) {
    const owner = await workloadOfPod(api, live as Pod).catch(() => undefined);
    return owner !== undefined && WORKLOAD_KINDS.includes(owner.kind) ? { kind: owner.kind, namespace, name: owner.name } : undefined;
  }
  return undefined;
}

export async function observe(ctx: Pick<ApplyContext, "api" | "now" | "policy">, subject: Subject): Promise<Observation> {
  const { api } = ctx;
  const ns = subject.namespace;
  const workload = await readObject<KubeObject>(api, subject.kind, ns, subject.name);
  const [pods, replicaSets, events] = await Promise.all([
    listWorkloadPods(api, workload),
    subject.kind === "Deployment" ? listKind(api, "ReplicaSet", ns, (workload.spec as { selector?: LabelSelector }).selector) : Promise.resolve([]),
    listKind(api, "Event", ns, undefined).catch(() => []),
  ]);
  const snapshot: Snapshot = { now: ctx.now().toISOString(), objects: [workload, ...replicaSets, ...pods, ...events] };
  const diagnosis = diagnoseSnapshot(snapshot, { targets: [{ kind: subject.kind, namespace: ns, name: subject.name }], tierPolicy: tierPolicyOf(ctx.policy) });
  return { workload, pods, findings: diagnosis.items.flatMap((i) => i.findings), rollout: evaluateRollout(workload) };
}

async function listKind(api: KubeApi, kind: string, namespace: string, selector: LabelSelector | undefined): Promise<KubeObject[]> {
  const spec = requireKind(kind);
  const items = await api.list<KubeObject>(collectionPath(spec, namespace), { verb: "list", resource: rbacResourceOf(spec), namespace, ...(selector === undefined ? {} : { query: { labelSelector: selectorString(selector) } }) });
  for (const item of items) {
    item.kind = spec.kind;
    item.apiVersion = apiVersionOf(spec);
  }
  return items;
}

export interface WaitResult {
  outcome: "complete" | "failed" | "timeout";
  message: string;
  last?: Observation;
  verdict?: HealthVerdict;
  seconds: number;
}

/**
 * Waits for the rollout to complete, failing early when the new pods show a new problem (a
 * crash loop does not need the progress deadline to be called a failure). `goneUid`: a deleted
 * pod that must disappear first (restart of one pod).
 */
export async function waitForRollout(ctx: ApplyContext, subject: Subject, baseline: HealthBaseline | undefined, timeoutSeconds: number, options: { goneUid?: string } = {}): Promise<WaitResult> {
  const start = ctx.now().getTime();
  const deadline = start + timeoutSeconds * 1000;
  let last: Observation | undefined;
  for (;;) {
    last = await observe(ctx, subject);
    const seconds = Math.round((ctx.now().getTime() - start) / 1000);
    const stillThere = options.goneUid !== undefined && last.pods.some((p) => p.metadata.uid === options.goneUid && p.metadata.deletionTimestamp === undefined);
    if (!stillThere && last.rollout.state === "complete") return { outcome: "complete", message: last.rollout.message, last, seconds };
    if (last.rollout.state === "failed") return { outcome: "failed", message: last.rollout.message, last, seconds };
    if (baseline !== undefined) {
      const verdict = judgeHealth({ phase: "rollout", pods: last.pods, findings: last.findings, baseline });
      if (!verdict.healthy) return { outcome: "failed", message: `the new pods are failing: ${verdict.problems.join("; ")}`, last, verdict, seconds };
    }
    if (ctx.now().getTime() >= deadline) return { outcome: "timeout", message: `rollout not complete after ${timeoutSeconds}s: ${last.rollout.message}`, last, seconds };
    await ctx.sleep(Math.min(ctx.pollMs, Math.max(0, deadline - ctx.now().getTime())));
  }
}

/**
 * Waits until the workload's controller has observed its current spec (status.observedGeneration
 * caught up with metadata.generation): the spec is in force, whether or not its pods can run.
 */
export async function waitForObserved(ctx: ApplyContext, subject: Subject, timeoutSeconds: number): Promise<WaitResult> {
  const start = ctx.now().getTime();
  const deadline = start + timeoutSeconds * 1000;
  for (;;) {
    const last = await observe(ctx, subject);
    const seconds = Math.round((ctx.now().getTime() - start) / 1000);
    const generation = last.workload.metadata.generation ?? 0;
    const observed = (last.workload.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? 0;
    if (observed >= generation) return { outcome: "complete", message: `the controller observed generation ${generation}`, last, seconds };
    if (ctx.now().getTime() >= deadline) return { outcome: "timeout", message: `generation ${generation} not observed after ${timeoutSeconds}s (observed ${observed})`, last, seconds };
    await ctx.sleep(Math.min(ctx.pollMs, Math.max(0, deadline - ctx.now().getTime())));
  }
}

export interface VerifyResult {
  healthy: boolean;
  verdict: HealthVerdict;
  polls: number;
  seconds: number;
  last: Observation;
}

/** Watches health for the window; stops at the first unhealthy poll. A window of 0 is one poll. */
export async function watchHealth(ctx: ApplyContext, subject: Subject, baseline: HealthBaseline, windowSeconds: number): Promise<VerifyResult> {
  const start = ctx.now().getTime();
  const end = start + windowSeconds * 1000;
  let polls = 0;
  for (;;) {
    const last = await observe(ctx, subject);
    polls++;
    const verdict = judgeHealth({ phase: "verify", pods: last.pods, findings: last.findings, baseline });
    if (last.rollout.state !== "complete") {
      verdict.healthy = false;
      verdict.problems.push(`the workload is no longer fully rolled out: ${last.rollout.message}`);
    }
    const seconds = Math.round((ctx.now().getTime() - start) / 1000);
    if (!verdict.healthy || ctx.now().getTime() >= end) return { healthy: verdict.healthy, verdict, polls, seconds, last };
    await ctx.sleep(Math.min(ctx.pollMs, Math.max(0, end - ctx.now().getTime())));
  }
}

/** CPU and memory of the workload's pods from metrics-server, when it answers (else undefined). */
export async function podMetrics(api: KubeApi, subject: Subject, workload: KubeObject): Promise<Record<string, unknown> | undefined> {
  const selector = (workload.spec as { selector?: LabelSelector } | undefined)?.selector;
  try {
    const list = await api.request<{ items?: { metadata: { name: string }; containers?: { name: string; usage?: Record<string, string> }[] }[] }>(`/apis/metrics.k8s.io/v1beta1/namespaces/${subject.namespace}/pods`, {
      verb: "list",
      resource: "pods.metrics.k8s.io",
      namespace: subject.namespace,
      ...(selector === undefined ? {} : { query: { labelSelector: selectorString(selector) } }),
    });
    const pods = (list.items ?? []).map((p) => ({ pod: p.metadata.name, containers: Object.fromEntries((p.containers ?? []).map((c) => [c.name, c.usage ?? {}])) }));
    return pods.length === 0 ? undefined : { source: "metrics-server", pods };
  } catch {
    // metrics-server absent or forbidden: metrics are "where available".
    return undefined;
  }
}
