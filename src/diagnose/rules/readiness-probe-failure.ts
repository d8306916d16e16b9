import type { ContainerStatus, Pod } from "../../model/k8s.ts";
import { eventTime, type RuleContext } from "../context.ts";
import { describeCondition, describeEvent, firstSeen, makeFinding, remediate, statusPath, workloadOf } from "../finding.ts";
import { STARTING_GRACE_S } from "../thresholds.ts";
import type { Finding, Rule } from "../types.ts";
import { probeRule } from "./probe-rule.ts";
import { conditionOf, containerSpec, describeProbe, otherReadyReplicas, probeEvents, probeFailureCause } from "./shared.ts";

/**
 * A running container kept out of its Services because its readiness probe fails. Every recent
 * readiness failure counts, wherever it sits among the pod's events (a later Normal event does
 * not hide it), but only for the current instance and after the start grace.
 */
export const readinessProbeFailure: Rule = probeRule({
  id: "pod.readiness-probe-failure",
  category: "ReadinessProbeFailure",
  skipPod: (pod) => conditionOf(pod, "Ready")?.status === "True",
  evaluateContainer,
});

function evaluateContainer(pod: Pod, status: ContainerStatus, ctx: RuleContext): Finding[] {
  const running = status.state?.running;
  if (running === undefined || status.ready) return [];
  const spec = containerSpec(pod, status.name);
  const probe = spec?.spec.readinessProbe;
  // Still starting: the probe has not had its chance yet.
  const runningFor = ctx.ageSeconds(running.startedAt ?? pod.metadata.creationTimestamp);
  if (runningFor < Math.max(STARTING_GRACE_S, probe?.initialDelaySeconds ?? 0)) return [];
  const startedAt = Date.parse(running.startedAt ?? "");
  // Failures of a previous instance say nothing about this one.
  const unhealthy = probeEvents(ctx, pod, status.name, "Readiness").unhealthy.filter((e) => Number.isNaN(startedAt) || eventTime(e) >= startedAt);
  if (unhealthy.length === 0) return [];

  const path = statusPath(status);
  const ready = conditionOf(pod, "Ready");
  const lastUnhealthy = unhealthy[unhealthy.length - 1];
  const evidence = [`${path}: running since ${running.startedAt ?? "-"}, ready=false`];
  if (ready !== undefined) evidence.push(describeCondition(ready));
  if (lastUnhealthy !== undefined) evidence.push(describeEvent(lastUnhealthy));
  if (probe !== undefined && spec !== undefined) evidence.push(describeProbe(`${spec.path}.readinessProbe`, probe));
  const services = ctx.servicesSelecting(pod);
  if (services.length > 0) evidence.push(`out of the endpoints of Service ${services.map((s) => s.metadata.name).join(", ")}`);

  const others = otherReadyReplicas(pod, ctx);
  const workload = workloadOf(pod, ctx);
  const cause = probeFailureCause(lastUnhealthy?.message ?? "");
  return [
    makeFinding(readinessProbeFailure, {
      object: pod,
      container: status.name,
      severity: others > 0 ? "medium" : "high",
      confidence: 0.9,
      summary: `Container ${status.name} runs but is not ready because its readiness probe fails: ${cause}${others > 0 ? ` (${others} other replica(s) still serve)` : ""}.`,
      evidence,
      since: firstSeen(unhealthy),
      remediation: remediate(ctx, "probe", `Check the readiness endpoint of ${status.name} (and the dependencies it checks), then its timeoutSeconds/initialDelaySeconds in ${workload.kind}/${workload.metadata.name}.`, workload),
    }),
  ];
}
