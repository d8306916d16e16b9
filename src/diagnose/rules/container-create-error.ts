import type { ContainerStateTerminated, ContainerStatus, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { allContainerStatuses, describeEvent, describeTermination, eventsWith, firstSeen, forContainer, makeFinding, oneLine, remediate, statusPath, truncate, workloadOf } from "../finding.ts";
import { EVENT_RECENT_S } from "../thresholds.ts";
import type { Finding, Rule } from "../types.ts";
import { containerSpec, isTerminating, otherReadyReplicas } from "./shared.ts";

const WAITING = ["CreateContainerError", "RunContainerError", "StartError"];
const TERMINATED = ["StartError", "ContainerCannotRun"];

/**
 * The runtime created the pod but could not create or start the container process: a command
 * missing from the image, a bad mount, a runtime error. The process never ran, so there are no
 * logs; the runtime's message is the evidence.
 */
export const containerCreateError: Rule = {
  id: "pod.container-create-error",
  category: "ContainerCreateError",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod)) return [];
    return allContainerStatuses(pod).flatMap(({ status, init }) => evaluateContainer(pod, status, init, ctx));
  },
};

function evaluateContainer(pod: Pod, status: ContainerStatus, init: boolean, ctx: RuleContext): Finding[] {
  const path = statusPath(status, init);
  const waiting = WAITING.includes(status.state?.waiting?.reason ?? "") ? status.state?.waiting : undefined;
  const current = TERMINATED.includes(status.state?.terminated?.reason ?? "") ? status.state?.terminated : undefined;
  // A start failure in the last state is still the cause while the container has not run well since.
  const last = TERMINATED.includes(status.lastState?.terminated?.reason ?? "") && !status.ready && ctx.ageSeconds(status.lastState?.terminated?.finishedAt) <= EVENT_RECENT_S ? status.lastState?.terminated : undefined;
  const termination: ContainerStateTerminated | undefined = current ?? last;
  if (waiting === undefined && termination === undefined) return [];

  const message = waiting?.message ?? termination?.message ?? "";
  const events = forContainer(eventsWith(ctx, pod, ["Failed"]), status.name).filter((e) => !/pull|image/i.test(e.message ?? ""));
  const evidence: string[] = [];
  if (waiting !== undefined) evidence.push(`${path}.state.waiting: reason=${waiting.reason ?? "-"} message="${truncate(oneLine(message), 240)}"`);
  if (termination !== undefined) evidence.push(describeTermination(`${path}.${current === undefined ? "lastState" : "state"}.terminated`, termination));
  const spec = containerSpec(pod, status.name);
  if (spec !== undefined && /executable|not found|no such file|permission denied/i.test(message)) {
    evidence.push(`${spec.path}.command: ${JSON.stringify(spec.spec.command ?? [])} args: ${JSON.stringify(spec.spec.args ?? [])} image: ${spec.spec.image ?? "-"}`);
  }
  const lastEvent = events[events.length - 1];
  if (lastEvent !== undefined) evidence.push(describeEvent(lastEvent));

  const cause = causeOf(message);
  const workload = workloadOf(pod, ctx);
  const others = otherReadyReplicas(pod, ctx);
  const remediation =
    cause.transient && others > 0
      ? remediate(ctx, "restart", `The runtime error looks transient: delete pod ${pod.metadata.name} so its controller recreates it.`, pod, { otherReadyReplicas: others })
      : remediate(ctx, "config", `Fix ${cause.fix} of ${status.name} in ${workload.kind}/${workload.metadata.name}.`, workload);

  return [
    makeFinding(containerCreateError, {
      object: pod,
      container: status.name,
      severity: "critical",
      confidence: cause.known ? 0.95 : 0.85,
      summary: `Container ${status.name} cannot be started by the runtime: ${cause.text}.`,
      evidence,
      since: firstSeen(events) || termination?.finishedAt || pod.status?.startTime,
      remediation,
    }),
  ];
}

function causeOf(message: string): { text: string; fix: string; known: boolean; transient: boolean } {
  // runc: `exec: "/bin/server": stat /bin/server: executable file not found in $PATH`.
  const exec = /exec: "([^"]+)":[^"]*?executable file not found/.exec(message);
  if (exec?.[1] !== undefined) return { text: `command "${exec[1]}" is not in the image`, fix: "the command (or the image)", known: true, transient: false };
  if (/no such file or directory/i.test(message)) return { text: "a file the container needs (command or mount source) does not exist", fix: "the command or volume mounts", known: true, transient: false };
  if (/permission denied/i.test(message)) return { text: "permission denied starting the process", fix: "the command permissions or securityContext", known: true, transient: false };
  if (/mount|rootfs/i.test(message)) return { text: "a volume mount is invalid", fix: "the volume mounts", known: true, transient: false };
  if (/already in use|deadline exceeded|timed out/i.test(message)) return { text: "the runtime timed out or hit a name conflict", fix: "the container runtime on the node", known: true, transient: true };
  return { text: truncate(oneLine(message === "" ? "see the events" : message), 160), fix: "the container definition", known: false, transient: false };
}
