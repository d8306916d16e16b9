import type { PodDisruptionBudget } from "../../model/cluster.ts";
import type { LabelSelector, Pod } from "../../model/k8s.ts";
import { matchesSelector, type RuleContext } from "../context.ts";
import { describeCondition, makeFinding, remediate, workloadOf } from "../finding.ts";
import type { Finding, Rule, Severity } from "../types.ts";
import { closestLabelSets, describeCandidate, formatSelector, podTemplateLabels } from "./labels.ts";
import { conditionOf, isTerminating } from "./shared.ts";

/** The disruption controller computes a new budget's status within seconds; before that, nothing is judged. */
export const PDB_SYNC_GRACE_S = 60;

/**
 * A PodDisruptionBudget that is wrong by construction; one finding per budget, first cause wins:
 * - it selects no pod (no selector, or one that matches no pod and no workload's template; a
 *   workload scaled to 0 on purpose is not this): the protection it promises does not exist
 *   (low: nothing breaks until a drain takes the pods down together);
 * - a selected pod has another budget too: the eviction API refuses such pods, so a drain hangs;
 * - the disruption controller cannot compute it (DisruptionAllowed=False, SyncFailed);
 * - it allows no disruption while every expected pod is healthy (minAvailable equal to the
 *   replicas, maxUnavailable 0, minAvailable 100 %): every eviction is refused, so `kubectl
 *   drain` and node upgrades hang (medium; high while a node of its pods is cordoned, a drain
 *   is waiting on it now).
 * Zero disruptions allowed because pods are unhealthy is a symptom, not a misconfiguration: the
 * budget does its job and the pods' own rules report why they are unhealthy; no finding.
 */
export const pdbBlocking: Rule = {
  id: "pdb.blocking",
  category: "PDBBlocking",
  kinds: ["PodDisruptionBudget"],
  evaluate(object, ctx) {
    const pdb = object as PodDisruptionBudget;
    if (isTerminating(pdb)) return [];
    const namespace = pdb.metadata.namespace;
    const name = pdb.metadata.name;
    const selector = pdb.spec.selector;
    const pods = selector === undefined ? [] : ctx.podsMatching(namespace, selector).filter((p) => !isTerminating(p) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
    const status = pdb.status;
    const synced = status !== undefined && (status.observedGeneration ?? 0) >= (pdb.metadata.generation ?? 0) && status.disruptionsAllowed !== undefined;
    if (!synced && ctx.ageSeconds(pdb.metadata.creationTimestamp) < PDB_SYNC_GRACE_S) return [];
    const evidence = [`spec: ${describeBudget(pdb)} selector=${describeSelector(selector)}`];
    if (synced) evidence.push(`status: expectedPods=${status.expectedPods ?? 0} currentHealthy=${status.currentHealthy ?? 0} desiredHealthy=${status.desiredHealthy ?? 0} disruptionsAllowed=${status.disruptionsAllowed ?? 0}`);
    const allowed = conditionOf(pdb, "DisruptionAllowed");
    if (allowed?.status === "False") evidence.push(describeCondition(allowed));
    const finding = (severity: Severity, confidence: number, summary: string, fix: string, extra: string[] = [], since?: string): Finding[] => [
      makeFinding(pdbBlocking, { object: pdb, severity, confidence, summary: `PodDisruptionBudget ${name} ${summary}`, evidence: [...evidence, ...extra], ...(since === undefined ? {} : { since }), remediation: remediate(ctx, "config", fix, pdb) }),
    ];

    const podsListed = ctx.all("Pod", namespace).length > 0;
    const selectsNothing = selector === undefined || (synced ? (status.expectedPods ?? 0) === 0 && pods.length === 0 : podsListed && pods.length === 0);
    if (selectsNothing) {
      // A workload scaled to 0 (or a CronJob between runs): the budget applies when its pods come back.
      if (selector !== undefined && podTemplateLabels(ctx, namespace).some((labels) => matchesSelector(labels, selector))) return [];
      const closest = selector === undefined ? [] : closestLabelSets(selector.matchLabels ?? {}, ctx.all<Pod>("Pod", namespace)).slice(0, 1).map(describeCandidate);
      return finding(
        "low",
        selector === undefined ? 0.95 : 0.85,
        `selects no pod${selector === undefined ? " (it has no selector)" : ""}: it protects nothing.`,
        `Set spec.selector of PodDisruptionBudget ${name} to the labels of the pods it should protect (kubectl get pods -n ${namespace ?? "-"} --show-labels), or delete it.`,
                [`no pod in namespace ${namespace ?? "-"} matches ${describeSelector(selector)}`, ...closest],
        pdb.metadata.creationTimestamp,
      );
    }

    const workload = pods[0] === undefined ? pdb : workloadOf(pods[0], ctx);
    const overlapping = otherBudgets(ctx, pdb, pods);
    if (overlapping.length > 0) {
      const names = [...new Set(overlapping.map((o) => o.budget.metadata.name))];
      return finding(
        "medium",
        0.9,
        `selects pods that PodDisruptionBudget ${names.join(", ")} also selects: the eviction API refuses a pod with more than one budget, so a drain hangs on them.`,
        `Make the selectors of PodDisruptionBudget ${name} and ${names.join(", ")} disjoint, or delete one of them.`,
                overlapping.slice(0, 3).map((o) => `pod ${o.pod.metadata.name} is selected by ${name} and ${o.budget.metadata.name}`),
      );
    }

    if (allowed?.status === "False" && allowed.reason === "SyncFailed") {
      return finding(
        "medium",
        0.85,
        `cannot be computed by the disruption controller (${allowed.message ?? "SyncFailed"}): it allows no eviction.`,
        `Fix PodDisruptionBudget ${name}: a percentage or maxUnavailable needs pods owned by a controller with a scale (Deployment, StatefulSet, ReplicaSet); use an integer minAvailable for bare pods.`,
                [],
        allowed.lastTransitionTime,
      );
    }

    const blocking = synced ? blocksByStatus(pdb) : blocksBySpec(pdb, pods);
    if (blocking === undefined) return [];
    const cordoned = [...new Set(pods.map((p) => p.spec.nodeName).filter((n): n is string => n !== undefined))].filter((n) => ctx.node(n)?.spec?.unschedulable === true);
    const extra = cordoned.slice(0, 3).map((n) => `node ${n} is cordoned (spec.unschedulable) and runs pods of this budget: a drain waits on it`);
    return finding(
      cordoned.length > 0 ? "high" : "medium",
      synced ? 0.9 : 0.8,
      `allows no disruption although ${blocking}: every eviction is refused, so kubectl drain and node upgrades hang.`,
      `Allow at least one disruption: set maxUnavailable: 1 on PodDisruptionBudget ${name} (or minAvailable below the replica count), or run more replicas of ${workload.kind}/${workload.metadata.name}.`,
      extra,
      allowed?.status === "False" ? allowed.lastTransitionTime : pdb.metadata.creationTimestamp,
    );
  },
};

/** Why the computed status blocks every eviction, when every expected pod is healthy; undefined otherwise. */
function blocksByStatus(pdb: PodDisruptionBudget): string | undefined {
  const s = pdb.status ?? {};
  const expected = s.expectedPods ?? 0;
  if ((s.disruptionsAllowed ?? 0) > 0 || expected === 0) return undefined;
  // Fewer healthy pods than expected: the budget is spent by a failure, not by its settings.
  if ((s.currentHealthy ?? 0) < expected) return undefined;
  return `all ${expected} expected pod(s) are healthy (${describeBudget(pdb)} needs ${s.desiredHealthy ?? expected} of ${expected})`;
}

/** A file without status: the settings that always block, judged against the pods in the snapshot. */
function blocksBySpec(pdb: PodDisruptionBudget, pods: readonly Pod[]): string | undefined {
  if (pods.length === 0) return undefined;
  const { minAvailable, maxUnavailable } = pdb.spec;
  const settings = describeBudget(pdb);
  if (maxUnavailable === 0 || maxUnavailable === "0%") return `${settings} forbids any of its ${pods.length} pod(s) to go`;
  if (minAvailable === "100%") return `${settings} keeps all ${pods.length} pod(s)`;
  if (typeof minAvailable === "number" && minAvailable >= pods.length) return `${settings} keeps all ${pods.length} pod(s) it selects`;
  return undefined;
}

function otherBudgets(ctx: RuleContext, pdb: PodDisruptionBudget, pods: readonly Pod[]): { budget: PodDisruptionBudget; pod: Pod }[] {
  const others = ctx.all<PodDisruptionBudget>("PodDisruptionBudget", pdb.metadata.namespace).filter((o) => o !== pdb && o.spec.selector !== undefined && !isTerminating(o));
  return pods.flatMap((pod) => others.filter((o) => o.spec.selector !== undefined && matchesSelector(pod.metadata.labels ?? {}, o.spec.selector)).map((budget) => ({ budget, pod })));
}

function describeBudget(pdb: PodDisruptionBudget): string {
  const { minAvailable, maxUnavailable } = pdb.spec;
  if (minAvailable !== undefined) return `minAvailable=${minAvailable}`;
  if (maxUnavailable !== undefined) return `maxUnavailable=${maxUnavailable}`;
  return "neither minAvailable nor maxUnavailable set";
}

function describeSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return "(none)";
  const text = formatSelector(selector);
  return text === "{}" ? "{} (every pod of the namespace)" : text;
}
