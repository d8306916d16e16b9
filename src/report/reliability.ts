/**
 * Reliability over the window: the diagnosis engine's current problems, and counts read from
 * pod, job, node and event status (OOM kills, crash loops, restarts, evictions, pending pods,
 * failed jobs, node conditions). A termination is counted when it finished inside the window.
 */
import { eventTime, type RuleContext } from "../diagnose/context.ts";
import { allContainerStatuses } from "../diagnose/finding.ts";
import type { DiagnosisList, Finding } from "../diagnose/types.ts";
import type { Job, KubeEvent, Node, Pod } from "../model/k8s.ts";
import type { PeriodWindow, Reliability, ReliabilityEvent } from "./types.ts";

export function problemKey(f: Pick<Finding, "category" | "object">): string {
  return `${f.category} ${f.object.kind}/${f.object.namespace ?? ""}/${f.object.name}`;
}

export function assessReliability(list: DiagnosisList, ctx: RuleContext, window: PeriodWindow): Reliability {
  const start = Date.parse(window.start);
  const inWindow = (time: string | undefined | null): boolean => {
    if (time === undefined || time === null) return false;
    const t = Date.parse(time);
    return !Number.isNaN(t) && t >= start;
  };
  const seen = new Set<string>();
  const problems: ReliabilityEvent[] = [];
  for (const f of list.items.flatMap((i) => i.findings)) {
    const key = problemKey(f);
    if (seen.has(key)) continue;
    seen.add(key);
    const event: ReliabilityEvent = {
      key,
      category: f.category,
      severity: f.severity,
      object: `${f.object.kind}/${f.object.namespace ?? ""}/${f.object.name}`,
      summary: f.summary,
      remediation: f.remediation.summary,
      runbook: f.runbook,
    };
    if (f.container !== undefined) event.container = f.container;
    if (f.since !== undefined) event.since = f.since;
    problems.push(event);
  }

  let oomKills = 0;
  let crashLoops = 0;
  let restarts = 0;
  let evictions = 0;
  let pending = 0;
  for (const pod of ctx.all<Pod>("Pod")) {
    if (pod.status?.phase === "Pending") pending += 1;
    if (pod.status?.reason === "Evicted") evictions += 1;
    for (const { status } of allContainerStatuses(pod)) {
      if (status.state?.waiting?.reason === "CrashLoopBackOff") crashLoops += 1;
      const last = status.lastState?.terminated ?? status.state?.terminated;
      if (last?.reason === "OOMKilled" && inWindow(last.finishedAt)) oomKills += 1;
      // restartCount is cumulative; it counts when the container last restarted inside the window.
      if (status.restartCount > 0 && inWindow(status.lastState?.terminated?.finishedAt)) restarts += status.restartCount;
    }
  }
  // Evicted pods are often deleted quickly; their events remain for about an hour.
  const evictedPods = new Set(ctx.all<Pod>("Pod").filter((p) => p.status?.reason === "Evicted").map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`));
  for (const event of ctx.all<KubeEvent>("Event")) {
    if (event.reason !== "Evicted" || eventTime(event) < start) continue;
    const pod = `${event.involvedObject.namespace ?? event.metadata.namespace ?? ""}/${event.involvedObject.name ?? ""}`;
    if (!evictedPods.has(pod)) {
      evictedPods.add(pod);
      evictions += 1;
    }
  }
  const failedJobs = ctx.all<Job>("Job").filter((job) => (job.status?.conditions ?? []).some((c) => c.type === "Failed" && c.status === "True" && (inWindow(c.lastTransitionTime) || c.lastTransitionTime === undefined))).length;
  const nodeConditions = ctx.all<Node>("Node").flatMap((node) =>
    (node.status?.conditions ?? []).filter((c) => (c.type === "Ready" ? c.status !== "True" : c.status === "True")).map((c) => `${node.metadata.name} ${c.type === "Ready" ? `NotReady (${c.reason ?? c.status})` : c.type}`),
  );
  return { counts: { oomKills, crashLoops, restarts, evictions, pending, failedJobs, nodeConditions: nodeConditions.length }, problems, nodeConditions };
}
