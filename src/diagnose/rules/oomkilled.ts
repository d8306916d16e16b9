import type { ContainerStatus, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { allContainerStatuses, describeEvent, describeTermination, eventsWith, forContainer, makeFinding, remediate, statusPath, workloadOf } from "../finding.ts";
import { OOM_RECENT_S } from "../thresholds.ts";
import type { Finding, Rule } from "../types.ts";

/**
 * A container killed by the kernel for exceeding its memory limit. Fires on the last
 * termination too, so a container that is Running again after an OOM kill, or crash-looping
 * because of it, is named for the cause (OOMKilled) rather than the symptom.
 */
export const oomKilled: Rule = {
  id: "pod.oomkilled",
  category: "OOMKilled",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    return allContainerStatuses(pod).flatMap(({ status, init }) => evaluateContainer(pod, status, ctx, init));
  },
};

function evaluateContainer(pod: Pod, status: ContainerStatus, ctx: RuleContext, init: boolean): Finding[] {
  const path = statusPath(status, init);
  const current = status.state?.terminated?.reason === "OOMKilled" ? status.state.terminated : undefined;
  const last = status.lastState?.terminated?.reason === "OOMKilled" ? status.lastState.terminated : undefined;
  const termination = current ?? last;
  if (termination === undefined) return [];
  if (current === undefined && ctx.ageSeconds(termination.finishedAt) > OOM_RECENT_S) return [];

  const crashLooping = status.state?.waiting?.reason === "CrashLoopBackOff";
  const spec = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === status.name);
  const limit = spec?.resources?.limits?.["memory"];
  const evidence = [describeTermination(`${path}.${current === undefined ? "lastState" : "state"}.terminated`, termination)];
  evidence.push(`${path}.restartCount: ${status.restartCount}`);
  if (crashLooping) evidence.push(`${path}.state.waiting.reason: CrashLoopBackOff`);
  else if (status.state?.running !== undefined) evidence.push(`${path}.state.running.startedAt: ${status.state.running.startedAt ?? "-"} (running again after the kill)`);
  evidence.push(limit === undefined ? `spec.containers[${status.name}].resources.limits.memory: not set (killed at the node's or namespace's limit)` : `spec.containers[${status.name}].resources.limits.memory: ${limit}`);
  for (const event of forContainer(eventsWith(ctx, pod, ["OOMKilling", "BackOff"]), status.name).slice(-2)) evidence.push(describeEvent(event));

  const workload = workloadOf(pod, ctx);
  return [
    makeFinding(oomKilled, {
      object: pod,
      container: status.name,
      severity: crashLooping || current !== undefined ? "critical" : "high",
      confidence: 0.95,
      summary: `Container ${status.name} was OOMKilled (exit ${termination.exitCode})${limit === undefined ? "" : ` at its ${limit} memory limit`}${crashLooping ? " and is crash-looping" : ""}; ${status.restartCount} restart(s).`,
      evidence,
      since: termination.finishedAt,
      remediation: remediate(ctx, "resources", `Raise the memory limit of ${status.name} above its peak usage (propose resources ${workload.kind}/${workload.metadata.name}), and check for a leak if usage grows without bound.`, workload),
    }),
  ];
}
