import type { ContainerStatus, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { containerStatuses, describeEvent, describeTermination, eventsWith, firstSeen, forContainer, makeFinding, oneLine, remediate, statusPath, truncate, workloadOf } from "../finding.ts";
import type { Finding, Remediation, Rule } from "../types.ts";
import { containerSpec, describeLogs, exitCause, exitRemediation, isFailingAgain, isTerminating, lastLogLines, logHint, otherReadyReplicas, type LogHint } from "./shared.ts";

/**
 * A container the kubelet keeps restarting with a growing back-off. The waiting reason is only
 * the symptom: the finding names the cause from the last termination's exit code, the last log
 * lines and whether every pod of the controller fails the same way (a config or image problem)
 * or only this one (more likely transient).
 */
export const crashLoopBackOff: Rule = {
  id: "pod.crashloopbackoff",
  category: "CrashLoopBackOff",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod)) return [];
    return containerStatuses(pod)
      .filter((s) => s.state?.waiting?.reason === "CrashLoopBackOff" || isFailingAgain(pod, s))
      .map((s) => evaluateContainer(pod, s, ctx));
  },
};

function evaluateContainer(pod: Pod, status: ContainerStatus, ctx: RuleContext): Finding {
  const path = statusPath(status);
  const spec = containerSpec(pod, status.name);
  // Between a failure and the back-off the kubelet reports the failure as the current state.
  const betweenRestarts = status.state?.waiting?.reason !== "CrashLoopBackOff";
  const last = betweenRestarts ? status.state?.terminated : status.lastState?.terminated;
  const cause = last === undefined ? "the container keeps exiting" : last.reason === "OOMKilled" ? "killed by the kernel OOM killer (OOMKilled, exit 137)" : exitCause(last, spec?.spec);
  const logs = lastLogLines(ctx, pod, status.name);
  const hint = logs === undefined ? undefined : logHint(logs.lines, spec?.spec);
  const backOffs = forContainer(eventsWith(ctx, pod, ["BackOff"], /back-off restarting failed container/i), status.name);

  const controller = ctx.controllerOf(pod);
  const siblings = controller === undefined ? [] : ctx.podsOf(controller).filter((p) => !isTerminating(p));
  const failing = siblings.filter((p) => (p.status?.containerStatuses ?? []).some((s) => s.name === status.name && (s.state?.waiting?.reason === "CrashLoopBackOff" || isFailingAgain(p, s))));
  const allFailing = siblings.length > 0 && failing.length === siblings.length;

  const waitingMessage = status.state?.waiting?.message;
  const evidence = betweenRestarts
    ? [`${path}.restartCount: ${status.restartCount}, restartPolicy ${pod.spec.restartPolicy ?? "Always"}: failed again after a restart; the kubelet restarts it after a back-off`]
    : [`${path}.state.waiting.reason: CrashLoopBackOff${waitingMessage === undefined ? "" : ` message="${truncate(oneLine(waitingMessage), 160)}"`}`, `${path}.restartCount: ${status.restartCount}`];
  if (last !== undefined) evidence.push(describeTermination(`${path}.${betweenRestarts ? "state" : "lastState"}.terminated`, last));
  if (last !== undefined && (last.exitCode === 126 || last.exitCode === 127) && spec !== undefined) {
    evidence.push(`${spec.path}.command: ${JSON.stringify(spec.spec.command ?? [])} args: ${JSON.stringify(spec.spec.args ?? [])} image: ${spec.spec.image ?? "-"}`);
  }
  if (logs !== undefined) evidence.push(describeLogs(status.name, logs));
  if (hint !== undefined) evidence.push(`log hint: ${hint.text}`);
  if (controller !== undefined) evidence.push(`${failing.length}/${siblings.length} pods of ${controller.kind}/${controller.metadata.name} crash-loop in container ${status.name}`);
  const lastBackOff = backOffs[backOffs.length - 1];
  if (lastBackOff !== undefined) evidence.push(describeEvent(lastBackOff));

  return makeFinding(crashLoopBackOff, {
    object: pod,
    container: status.name,
    severity: "critical",
    confidence: last === undefined ? 0.85 : 0.95,
    summary: `Container ${status.name} is crash-looping (${status.restartCount} restarts): ${hint?.text ?? cause}.`,
    evidence,
    since: firstSeen(backOffs) || last?.finishedAt,
    remediation: remediationFor(pod, status, ctx, { exitCode: last?.exitCode, oom: last?.reason === "OOMKilled", hint, allFailing }),
  });
}

function remediationFor(pod: Pod, status: ContainerStatus, ctx: RuleContext, f: { exitCode: number | undefined; oom: boolean; hint: LogHint | undefined; allFailing: boolean }): Remediation {
  const workload = workloadOf(pod, ctx);
  const target = `${workload.kind}/${workload.metadata.name}`;
  const known = exitRemediation(ctx, status.name, workload, { exitCode: f.exitCode, hint: f.hint });
  if (known !== undefined) return known;
  if (f.oom) return remediate(ctx, "resources", `Raise the memory limit of ${status.name} in ${target}.`, workload);
  const others = otherReadyReplicas(pod, ctx);
  // Restarting only helps a failure that is not in the configuration every pod shares.
  if (!f.allFailing && others > 0) {
    return remediate(ctx, "restart", `Only this pod fails while ${others} replica(s) are ready: likely transient; delete pod ${pod.metadata.name} so its controller recreates it.`, pod, { otherReadyReplicas: others });
  }
  if (f.hint?.kind === "dependency") return remediate(ctx, "investigate", `Check the dependency the logs cannot reach; ${status.name} recovers once it is reachable.`, workload);
  return remediate(ctx, "config", `${f.allFailing ? "Every pod fails the same way: f" : "F"}ix the configuration or image of ${status.name} in ${target} using the logs above (roll back if it began with a rollout).`, workload);
}
