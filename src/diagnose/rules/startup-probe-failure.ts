import type { ContainerStatus, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeEvent, describeTermination, firstSeen, makeFinding, remediate, statusPath, workloadOf } from "../finding.ts";
import type { Finding, Rule } from "../types.ts";
import { probeRule } from "./probe-rule.ts";
import { containerSpec, describeProbe, probeEvents, probeFailureCause } from "./shared.ts";

/**
 * A container that never passes its startup probe: it stays `started=false` and is killed when
 * failureThreshold x periodSeconds runs out. Usually the app needs longer to start than the
 * probe allows, or the probe checks the wrong port/path.
 */
export const startupProbeFailure: Rule = probeRule({ id: "pod.startup-probe-failure", category: "StartupProbeFailure", evaluateContainer });

function evaluateContainer(pod: Pod, status: ContainerStatus, ctx: RuleContext): Finding[] {
  // Once started, old startup failures are history.
  if (status.started === true) return [];
  const { unhealthy, kills } = probeEvents(ctx, pod, status.name, "Startup");
  if (unhealthy.length === 0) return [];

  const path = statusPath(status);
  const spec = containerSpec(pod, status.name);
  const lastUnhealthy = unhealthy[unhealthy.length - 1];
  const evidence = [`${path}.started: ${String(status.started ?? false)}, restartCount: ${status.restartCount}`];
  if (lastUnhealthy !== undefined) evidence.push(describeEvent(lastUnhealthy));
  const lastKill = kills[kills.length - 1];
  if (lastKill !== undefined) evidence.push(describeEvent(lastKill));
  const last = status.lastState?.terminated;
  if (last !== undefined) evidence.push(describeTermination(`${path}.lastState.terminated`, last));
  const probe = spec?.spec.startupProbe;
  if (probe !== undefined && spec !== undefined) evidence.push(describeProbe(`${spec.path}.startupProbe`, probe));
  const budget = probe === undefined ? undefined : (probe.failureThreshold ?? 3) * (probe.periodSeconds ?? 10) + (probe.initialDelaySeconds ?? 0);

  const workload = workloadOf(pod, ctx);
  return [
    makeFinding(startupProbeFailure, {
      object: pod,
      container: status.name,
      severity: kills.length > 0 || status.restartCount > 0 ? "critical" : "high",
      confidence: kills.length > 0 ? 0.9 : 0.8,
      summary: `Container ${status.name} never passes its startup probe${budget === undefined ? "" : ` within ${budget}s`}: ${probeFailureCause(lastUnhealthy?.message ?? "")}${kills.length > 0 ? "; the kubelet restarts it" : ""}.`,
      evidence,
      since: firstSeen(unhealthy),
      remediation: remediate(ctx, "probe", `Give ${status.name} in ${workload.kind}/${workload.metadata.name} enough time to start (raise startupProbe failureThreshold x periodSeconds above the real start time) or fix the probed port/path.`, workload),
    }),
  ];
}
