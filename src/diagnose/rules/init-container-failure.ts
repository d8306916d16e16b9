import type { ContainerStatus, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeEvent, describeTermination, eventsWith, firstSeen, forContainer, makeFinding, remediate, statusPath, workloadOf } from "../finding.ts";
import { STUCK_AFTER_S } from "../thresholds.ts";
import type { Finding, Rule } from "../types.ts";
import { containerSpec, describeLogs, exitCause, exitRemediation, isTerminating, lastLogLines, logHint } from "./shared.ts";

/**
 * An init container that fails (crash loop, non-zero exit) or never finishes, so the pod stays
 * at `Init:`. OOM kills, pull and config errors of init containers are left to their own rules,
 * which name those causes.
 */
export const initContainerFailure: Rule = {
  id: "pod.init-container-failure",
  category: "InitContainerFailure",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod)) return [];
    return (pod.status?.initContainerStatuses ?? []).flatMap((s) => evaluateInit(pod, s, ctx));
  },
};

function evaluateInit(pod: Pod, status: ContainerStatus, ctx: RuleContext): Finding[] {
  const spec = containerSpec(pod, status.name)?.spec;
  const crashLooping = status.state?.waiting?.reason === "CrashLoopBackOff";
  const failed = status.state?.terminated !== undefined && status.state.terminated.exitCode !== 0 ? status.state.terminated : undefined;
  const termination = failed ?? (crashLooping ? status.lastState?.terminated : undefined);
  if (termination?.reason === "OOMKilled") return [];
  // A native sidecar (restartPolicy Always) is meant to keep running next to the app.
  const stuckRunning = status.state?.running !== undefined && spec?.restartPolicy !== "Always" && pod.status?.phase === "Pending" && ctx.ageSeconds(status.state.running.startedAt) > STUCK_AFTER_S;
  if (!crashLooping && failed === undefined && !stuckRunning) return [];

  const path = statusPath(status, true);
  const logs = lastLogLines(ctx, pod, status.name);
  const hint = logs === undefined ? undefined : logHint(logs.lines, spec);
  const evidence: string[] = [];
  if (crashLooping) evidence.push(`${path}.state.waiting.reason: CrashLoopBackOff`);
  if (termination !== undefined) evidence.push(describeTermination(`${path}.${failed === undefined ? "lastState" : "state"}.terminated`, termination));
  if (stuckRunning) evidence.push(`${path}.state.running.startedAt: ${status.state?.running?.startedAt ?? "-"} (still running, the app containers wait for it)`);
  evidence.push(`${path}.restartCount: ${status.restartCount}`, `status.phase: ${pod.status?.phase ?? "-"}`);
  if (logs !== undefined) evidence.push(describeLogs(status.name, logs));
  if (hint !== undefined) evidence.push(`log hint: ${hint.text}`);
  const backOffs = forContainer(eventsWith(ctx, pod, ["BackOff"]), status.name);
  const lastBackOff = backOffs[backOffs.length - 1];
  if (lastBackOff !== undefined) evidence.push(describeEvent(lastBackOff));

  const workload = workloadOf(pod, ctx);
  const problem = stuckRunning && termination === undefined ? `has been running for ${Math.round(ctx.ageSeconds(status.state?.running?.startedAt) / 60)} min without finishing (waiting for a dependency?)` : `${crashLooping ? "is crash-looping" : "failed"}: ${termination === undefined ? "it keeps exiting" : exitCause(termination, spec)}`;
  const remediation =
    exitRemediation(ctx, status.name, workload, { exitCode: termination?.exitCode, hint }) ??
    remediate(ctx, "config", `Fix what init container ${status.name} of ${workload.kind}/${workload.metadata.name} waits for or fails on (see its logs); the app containers start only after it succeeds.`, workload);

  return [
    makeFinding(initContainerFailure, {
      object: pod,
      container: status.name,
      severity: stuckRunning && termination === undefined ? "high" : "critical",
      confidence: termination !== undefined ? 0.95 : 0.7,
      summary: `Init container ${status.name} ${problem}${hint === undefined ? "" : `; ${hint.text}`}.`,
      evidence,
      since: firstSeen(backOffs) || termination?.finishedAt || status.state?.running?.startedAt,
      remediation,
    }),
  ];
}
