import type { ContainerStatus, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeEvent, describeTermination, firstSeen, makeFinding, remediate, statusPath, workloadOf } from "../finding.ts";
import { EVENT_RECENT_S } from "../thresholds.ts";
import type { Finding, Rule } from "../types.ts";
import { probeRule } from "./probe-rule.ts";
import { containerSpec, describeProbe, probeEvents, probeFailureCause } from "./shared.ts";

/**
 * The kubelet kills a container whose liveness probe fails, so a failing probe shows up as
 * restarts, exit 137/143 and often a crash loop. The probe is the cause: recent `Unhealthy`
 * "Liveness probe failed" events plus a restart (a `Killing` event or a recent termination).
 */
export const livenessProbeFailure: Rule = probeRule({ id: "pod.liveness-probe-failure", category: "LivenessProbeFailure", evaluateContainer });

function evaluateContainer(pod: Pod, status: ContainerStatus, ctx: RuleContext): Finding[] {
  const { unhealthy, kills } = probeEvents(ctx, pod, status.name, "Liveness");
  if (unhealthy.length === 0) return [];
  const last = status.lastState?.terminated;
  const recentRestart = status.restartCount > 0 && last !== undefined && ctx.ageSeconds(last.finishedAt) <= EVENT_RECENT_S;
  // Failures below failureThreshold do not restart anything: not yet a failure.
  if (kills.length === 0 && !recentRestart) return [];

  const path = statusPath(status);
  const spec = containerSpec(pod, status.name);
  const lastUnhealthy = unhealthy[unhealthy.length - 1];
  const evidence: string[] = [];
  if (lastUnhealthy !== undefined) evidence.push(describeEvent(lastUnhealthy));
  const lastKill = kills[kills.length - 1];
  if (lastKill !== undefined) evidence.push(describeEvent(lastKill));
  if (last !== undefined) evidence.push(describeTermination(`${path}.lastState.terminated`, last));
  evidence.push(`${path}.restartCount: ${status.restartCount}${status.state?.waiting?.reason === undefined ? "" : `, state.waiting.reason: ${status.state.waiting.reason}`}`);
  const probe = spec?.spec.livenessProbe;
  if (probe !== undefined && spec !== undefined) evidence.push(describeProbe(`${spec.path}.livenessProbe`, probe));

  const cause = probeFailureCause(lastUnhealthy?.message ?? "");
  const workload = workloadOf(pod, ctx);
  const advice = /timeoutSeconds/.test(cause)
    ? "raise timeoutSeconds or make the endpoint cheaper"
    : /connection refused/.test(cause)
      ? "check the probe port, and give a slow start time (initialDelaySeconds or a startupProbe)"
      : "check what the endpoint checks (a liveness probe should not fail on dependencies)";

  return [
    makeFinding(livenessProbeFailure, {
      object: pod,
      container: status.name,
      severity: status.state?.waiting?.reason === "CrashLoopBackOff" || status.restartCount >= 3 ? "critical" : "high",
      confidence: kills.length > 0 ? 0.9 : 0.75,
      summary: `Container ${status.name} is restarted by its failing liveness probe (${status.restartCount} restarts): ${cause}.`,
      evidence,
      since: firstSeen(unhealthy),
      remediation: remediate(ctx, "probe", `Fix the liveness probe of ${status.name} in ${workload.kind}/${workload.metadata.name}: ${advice}.`, workload),
    }),
  ];
}
