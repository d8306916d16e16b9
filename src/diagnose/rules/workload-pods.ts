/**
 * What the pods of a Deployment, StatefulSet or DaemonSet say about its availability. A pod
 * that fails in a way waiting does not heal (OOM kill, crash loop, image pull, config or start
 * error, stuck creation, no node) makes its workload unavailable now; only pods that are merely
 * not ready yet leave the workload to its deadline.
 */
import type { KubeEvent, KubeObject, Node, Pod, ReplicaSet } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeEvent, eventsWith, firstSeen, remediate } from "../finding.ts";
import { UNAVAILABLE_AFTER_S } from "../thresholds.ts";
import type { Finding, Remediation, Rule } from "../types.ts";
import { formatDuration } from "../../util/duration.ts";
import { containerConfigError } from "./container-config-error.ts";
import { containerCreateError } from "./container-create-error.ts";
import { crashLoopBackOff } from "./crash-loop-back-off.ts";
import { imagePullError } from "./image-pull-error.ts";
import { initContainerFailure } from "./init-container-failure.ts";
import { oomKilled } from "./oomkilled.ts";
import { conditionOf, isTerminating, podIsReady, recentEvents, whyNotReady } from "./shared.ts";
import { stuckContainerCreating } from "./stuck-container-creating.ts";
import { unschedulable } from "./unschedulable.ts";

/**
 * The pod rules whose findings are definite failures, the strongest cause first: an OOM kill
 * explains the crash loop it causes, a config error the creation it blocks. Probe failures and
 * plain exits are left out: a pod that only fails its readiness probe may still become ready.
 */
const DEFINITE: readonly Rule[] = [oomKilled, imagePullError, containerConfigError, containerCreateError, initContainerFailure, crashLoopBackOff, unschedulable, stuckContainerCreating];

/** The live pods of a workload and what is definitely wrong with them. */
export interface WorkloadPods {
  /** Pods not being deleted. */
  pods: Pod[];
  /** Those of them that are not ready. */
  notReady: Pod[];
  /** The strongest definite finding of each not-ready pod, strongest cause first. */
  failures: Finding[];
  /** Recent FailedCreate events of the controller while it has fewer pods than desired. */
  createFailures: KubeEvent[];
}

/** Reads the pods of a workload that should run `desired` of them (a Deployment: its ReplicaSets say). */
export function workloadPods(workload: KubeObject, desired: number, ctx: RuleContext): WorkloadPods {
  const pods = ctx.podsOf(workload).filter((p) => !isTerminating(p));
  const notReady = pods.filter((p) => !podIsReady(p) && p.status?.phase !== "Succeeded");
  const failures = notReady
    .flatMap((pod) => {
      for (const [rank, rule] of DEFINITE.entries()) {
        const found = rule.evaluate(pod, ctx)[0];
        if (found !== undefined) return [{ rank, found }];
      }
      return [];
    })
    .sort((a, b) => a.rank - b.rank || a.found.object.name.localeCompare(b.found.object.name))
    .map((f) => f.found);
  // A Deployment's pods are created by its ReplicaSets, which carry the FailedCreate events.
  const creators: { creator: KubeObject; short: boolean }[] =
    workload.kind === "Deployment"
      ? ctx.ownedBy<ReplicaSet>(workload, "ReplicaSet").map((rs) => ({ creator: rs, short: ctx.ownedBy<Pod>(rs, "Pod").filter((p) => !isTerminating(p)).length < (rs.spec.replicas ?? 0) }))
      : [{ creator: workload, short: pods.length < desired }];
  // An old refusal no longer matters once every pod exists.
  const createFailures = creators.filter((c) => c.short).flatMap((c) => recentEvents(ctx, eventsWith(ctx, c.creator, ["FailedCreate"])));
  return { pods, notReady, failures, createFailures };
}

/** Why a workload is unavailable now, from its pods' definite failures; undefined when they show none. */
export interface FailingNow {
  /** `CrashLoopBackOff (db-0, db-1); ImagePullError (db-2)`. */
  cause: string;
  evidence: string[];
  since: string | undefined;
  /** The fix of the strongest cause. */
  remediation: Remediation;
}

export function failingNow(workload: KubeObject, wp: WorkloadPods, ctx: RuleContext): FailingNow | undefined {
  const { failures, createFailures } = wp;
  if (failures.length === 0 && createFailures.length === 0) return undefined;
  const byCategory = new Map<string, string[]>();
  for (const f of failures) byCategory.set(f.category, [...(byCategory.get(f.category) ?? []), f.object.name]);
  const parts = [...byCategory].map(([category, pods]) => `${category} (${pods.slice(0, 3).join(", ")}${pods.length > 3 ? `, +${pods.length - 3}` : ""})`);
  if (createFailures.length > 0) parts.push(`pods cannot be created (FailedCreate)`);

  const evidence = failures.slice(0, 5).map((f) => `pod ${f.object.name}: ${f.category}: ${f.summary}`);
  if (failures.length > 5) evidence.push(`... and ${failures.length - 5} more failing pod(s)`);
  const lastRefusal = createFailures[createFailures.length - 1];
  if (lastRefusal !== undefined) evidence.push(`${lastRefusal.involvedObject.kind ?? ""}/${lastRefusal.involvedObject.name ?? ""} ${describeEvent(lastRefusal)}`);

  const times = [...failures.map((f) => (f.since === undefined ? NaN : Date.parse(f.since))), firstSeen(createFailures) || NaN].filter((t) => !Number.isNaN(t));
  const name = `${workload.kind ?? ""}/${workload.metadata.name}`;
  const remediation = failures[0]?.remediation ?? remediate(ctx, "investigate", `Read the FailedCreate event of ${name}: a quota, an admission webhook or a policy refuses its pods.`, workload);
  return { cause: parts.join("; "), evidence, since: times.length === 0 ? undefined : new Date(Math.min(...times)).toISOString(), remediation };
}

/** When the first of these pods stopped being ready (their Ready condition's transition). */
export function earliestNotReady(pods: readonly Pod[]): string | undefined {
  const times = pods
    .map((p) => conditionOf(p, "Ready"))
    .filter((c) => c?.status === "False" && c.lastTransitionTime !== undefined)
    .map((c) => c?.lastTransitionTime ?? "")
    .sort();
  return times[0];
}

/**
 * A workload whose pods show no definite failure, short of ready pods for longer than
 * UNAVAILABLE_AFTER_S: since when, and "for 25m (pods: app running but not ready)". Undefined
 * while it may still be starting, or when its counts are older than what the pods show.
 */
export function shortForLong(workload: KubeObject, wp: WorkloadPods, desired: number, ctx: RuleContext): { since: string | undefined; text: string } | undefined {
  const status = workload.status as { observedGeneration?: number } | undefined;
  // Until the controller has seen the latest spec (a scale-up a second ago) its counts are not a verdict.
  if ((status?.observedGeneration ?? 0) < (workload.metadata.generation ?? 0)) return undefined;
  // A status written before the last pod became ready: every pod the snapshot holds is ready.
  if (wp.pods.length >= desired && wp.notReady.length === 0) return undefined;
  const since = shortSince(workload, wp);
  const age = ctx.ageSeconds(since);
  if (age <= UNAVAILABLE_AFTER_S) return undefined;
  const duration = since === undefined ? "for an unknown time" : `for ${formatDuration(Math.round(age))}`;
  const why = wp.notReady.length > 0 ? ` (pods: ${notReadyReasons(wp.notReady)})` : wp.pods.length < desired ? ` (${desired - wp.pods.length} pod(s) not created)` : "";
  return { since, text: `${duration}${why}` };
}

/**
 * Since when a workload has been short of ready pods, as far as its pods tell: the first pod that
 * stopped being ready; with none, the last pod that became ready (a missing pod comes after it);
 * with no pod at all, the workload's creation.
 */
function shortSince(workload: KubeObject, wp: WorkloadPods): string | undefined {
  const notReady = earliestNotReady(wp.notReady);
  if (notReady !== undefined) return notReady;
  const ready = wp.pods
    .map((p) => conditionOf(p, "Ready"))
    .filter((c) => c?.status === "True" && c.lastTransitionTime !== undefined)
    .map((c) => c?.lastTransitionTime ?? "")
    .sort();
  return ready[ready.length - 1] ?? workload.metadata.creationTimestamp;
}

/** One line per pod that is not ready (at most 5), naming a node that is not Ready itself. */
export function notReadyLines(pods: readonly Pod[], ctx: RuleContext): string[] {
  const lines = pods.slice(0, 5).map((pod) => {
    const node = ctx.node(pod.spec.nodeName);
    const nodeReady = node === undefined ? undefined : conditionOf(node as Node, "Ready");
    const down = nodeReady !== undefined && nodeReady.status !== "True" ? ` (on node ${pod.spec.nodeName ?? "-"}, Ready=${nodeReady.status})` : "";
    return `pod ${whyNotReady(pod)}${down}`;
  });
  if (pods.length > 5) lines.push(`... and ${pods.length - 5} more pod(s) not ready`);
  return lines;
}

/** "app CrashLoopBackOff; not scheduled (Unschedulable)": the distinct reasons pods are not ready. */
export function notReadyReasons(pods: readonly Pod[]): string {
  return [...new Set(pods.map((p) => whyNotReady(p).split(": ").slice(1).join(": ")))].slice(0, 3).join("; ");
}
