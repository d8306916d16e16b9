import type { KubeObject } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeCondition, describeEvent, eventsWith, firstSeen, makeFinding, oneLine, remediate, truncate, workloadOf } from "../finding.ts";
import type { Remediation, Rule } from "../types.ts";
import { conditionOf, isTerminating, recentEvents } from "./shared.ts";

interface QuotaExceeded {
  quota: string;
  requested: Record<string, string>;
  used: Record<string, string>;
  limited: Record<string, string>;
}

/**
 * A controller that cannot create its pods: the API server refuses them (ResourceQuota,
 * LimitRange, PodSecurity, a missing ServiceAccount). The pods never exist, so the controller's
 * ReplicaFailure condition and FailedCreate events are the only evidence.
 */
export const replicaFailure: Rule = {
  id: "workload.replica-failure",
  category: "ReplicaFailure",
  kinds: ["ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job"],
  evaluate(object, ctx) {
    if (isTerminating(object)) return [];
    const condition = failureCondition(object);
    const events = recentEvents(ctx, eventsWith(ctx, object, ["FailedCreate"]));
    if (condition === undefined && events.length === 0) return [];
    // A Deployment copies its ReplicaSet's condition; the ReplicaSet holds the events, so it reports.
    if (object.kind === "Deployment" && ctx.ownedBy(object, "ReplicaSet").some((rs) => failureCondition(rs) !== undefined || eventsWith(ctx, rs, ["FailedCreate"]).length > 0)) return [];

    const lastEvent = events[events.length - 1];
    const message = lastEvent?.message ?? condition?.message ?? "";
    const evidence: string[] = [];
    if (condition !== undefined) evidence.push(describeCondition(condition));
    if (lastEvent !== undefined) evidence.push(describeEvent(lastEvent));
    const quota = parseQuotaExceeded(message);
    if (quota !== undefined) {
      const found = ctx.quotas(object.metadata.namespace).find((q) => q.metadata.name === quota.quota);
      if (found !== undefined) evidence.push(`ResourceQuota ${quota.quota}: hard ${formatPairs(found.status?.hard ?? found.spec?.hard ?? {})}; used ${formatPairs(found.status?.used ?? {})}`);
    }

    return [
      makeFinding(replicaFailure, {
        object,
        severity: "critical",
        confidence: condition !== undefined ? 0.95 : 0.85,
        summary: `${object.kind ?? "Workload"} ${object.metadata.name} cannot create pods: ${describeCause(message, quota)}.`,
        evidence,
        since: firstSeen(events) || condition?.lastTransitionTime,
        remediation: remediationFor(object, message, quota, ctx),
      }),
    ];
  },
};

function failureCondition(object: KubeObject) {
  const condition = conditionOf(object, "ReplicaFailure");
  return condition?.status === "True" ? condition : undefined;
}

/** `exceeded quota: compute-quota, requested: cpu=2, used: cpu=3, limited: cpu=4`. */
export function parseQuotaExceeded(message: string): QuotaExceeded | undefined {
  const match = /exceeded quota: ([^,]+), requested: (.*?), used: (.*?), limited: (.*?)(?:$|"|\s*$)/.exec(message);
  if (match?.[1] === undefined) return undefined;
  return { quota: match[1].trim(), requested: parsePairs(match[2] ?? ""), used: parsePairs(match[3] ?? ""), limited: parsePairs(match[4] ?? "") };
}

function parsePairs(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(",")
      .map((p) => p.trim().split("="))
      .filter((kv): kv is [string, string] => kv.length === 2 && kv[0] !== undefined && kv[1] !== undefined),
  );
}

function formatPairs(pairs: Record<string, string>): string {
  return Object.entries(pairs).map(([k, v]) => `${k}=${v}`).join(",") || "-";
}

function describeCause(message: string, quota: QuotaExceeded | undefined): string {
  if (quota !== undefined) {
    return `ResourceQuota ${quota.quota} is exhausted (${Object.keys(quota.requested).map((r) => `${r}: requested ${quota.requested[r]}, used ${quota.used[r] ?? "-"} of ${quota.limited[r] ?? "-"}`).join("; ")})`;
  }
  const mustSpecify = /must specify ([\w.,\s]+)/.exec(message);
  if (mustSpecify?.[1] !== undefined) return `a ResourceQuota requires ${mustSpecify[1].trim()} on every container, and the pod template sets none`;
  if (/violates PodSecurity/i.test(message)) return "the pod template violates the namespace's PodSecurity level";
  if (/serviceaccount/i.test(message) && /not found/i.test(message)) return "its ServiceAccount does not exist";
  return truncate(oneLine(message), 200) || "the API server refuses the pods";
}

function remediationFor(object: KubeObject, message: string, quota: QuotaExceeded | undefined, ctx: RuleContext): Remediation {
  const workload = workloadOf(object, ctx);
  const target = `${workload.kind}/${workload.metadata.name}`;
  if (quota !== undefined) {
    return remediate(ctx, "quota", `Raise ResourceQuota ${quota.quota} (or free quota in namespace ${object.metadata.namespace ?? "-"}), or lower the requests of ${target}.`, workload);
  }
  if (/must specify/.test(message)) return remediate(ctx, "resources", `Set requests and limits on every container of ${target} (or add a LimitRange with defaults).`, workload);
  return remediate(ctx, "config", `Fix the pod template of ${target} so the API server accepts it (see the event).`, workload);
}
