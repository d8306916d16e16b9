import type { ContainerStatus, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { containerStatuses, describeTermination, makeFinding, remediate, statusPath, workloadOf } from "../finding.ts";
import { RECOVERED_AFTER_S } from "../thresholds.ts";
import type { Finding, Rule } from "../types.ts";
import { conditionOf, containerSpec, describeLogs, exitCause, exitRemediation, isFailingAgain, isTerminating, lastLogLines, logHint, probeEvents } from "./shared.ts";

/** Terminations other rules name more precisely: the kernel's OOM kill, a start failure. */
const OWNED_ELSEWHERE = ["OOMKilled", "StartError", "ContainerCannotRun"];

/**
 * A container that exited non-zero without (yet) crash-looping: a pod with restartPolicy
 * Never/OnFailure that failed, or a container that failed once recently and runs again. A
 * restart long recovered from, an exit 0, or a pod shutting down is not a failure.
 */
export const containerExitError: Rule = {
  id: "pod.container-exit-error",
  category: "ContainerExitError",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod)) return [];
    // A failed attempt of a Job that then completed is history, not a failure.
    const job = ctx.jobOf(pod);
    if (job !== undefined && conditionOf(job, "Complete")?.status === "True") return [];
    return containerStatuses(pod).flatMap((s) => evaluateContainer(pod, s, ctx));
  },
};

function evaluateContainer(pod: Pod, status: ContainerStatus, ctx: RuleContext): Finding[] {
  if (status.state?.waiting?.reason === "CrashLoopBackOff" || isFailingAgain(pod, status)) return [];
  const current = status.state?.terminated;
  const running = status.state?.running;
  // While the container runs, its last exit counts only until it has run RECOVERED_AFTER_S since.
  const lastCounts = current === undefined && !(running !== undefined && ctx.ageSeconds(running.startedAt) > RECOVERED_AFTER_S);
  const termination = current ?? (lastCounts ? status.lastState?.terminated : undefined);
  if (termination === undefined || termination.exitCode === 0 || OWNED_ELSEWHERE.includes(termination.reason ?? "")) return [];
  // A probe-triggered kill is the probe's failure (Liveness/StartupProbeFailure names it).
  if (probeEvents(ctx, pod, status.name, "Liveness").kills.length > 0 || probeEvents(ctx, pod, status.name, "Startup").kills.length > 0) return [];

  const path = statusPath(status);
  const spec = containerSpec(pod, status.name)?.spec;
  const cause = exitCause(termination, spec);
  const logs = lastLogLines(ctx, pod, status.name);
  const hint = logs === undefined ? undefined : logHint(logs.lines, spec);
  const evidence = [describeTermination(`${path}.${current === undefined ? "lastState" : "state"}.terminated`, termination), `${path}.restartCount: ${status.restartCount}`];
  if (running !== undefined) evidence.push(`${path}.state.running.startedAt: ${running.startedAt ?? "-"} (running again, ready=${status.ready})`);
  evidence.push(`spec.restartPolicy: ${pod.spec.restartPolicy ?? "Always"}, status.phase: ${pod.status?.phase ?? "-"}`);
  if (logs !== undefined) evidence.push(describeLogs(status.name, logs));
  if (hint !== undefined) evidence.push(`log hint: ${hint.text}`);

  const workload = workloadOf(pod, ctx);
  const stopped = current !== undefined;
  const remediation =
    exitRemediation(ctx, status.name, workload, { exitCode: termination.exitCode, hint }) ??
    (stopped
      ? remediate(ctx, "config", `Fix the failure the exit code and logs show in ${status.name} of ${workload.kind}/${workload.metadata.name}, then re-run it.`, workload)
      : remediate(ctx, "investigate", `The container recovered after one failure: read the previous logs of ${status.name} and watch for a repeat.`, workload));

  return [
    makeFinding(containerExitError, {
      object: pod,
      container: status.name,
      severity: stopped ? "high" : "medium",
      confidence: stopped ? 0.9 : 0.75,
      summary: `Container ${status.name} ${stopped ? "failed" : "failed recently and was restarted"}: ${hint?.text ?? cause}.`,
      evidence,
      since: termination.finishedAt,
      remediation,
    }),
  ];
}
