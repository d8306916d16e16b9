import type { Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { allContainerStatuses, describeEvent, eventsWith, firstSeen, makeFinding, remediate, workloadOf } from "../finding.ts";
import { STUCK_AFTER_S } from "../thresholds.ts";
import type { Remediation, Rule } from "../types.ts";
import { conditionOf, isTerminating, parseMissing, recentEvents } from "./shared.ts";

const CREATING = ["ContainerCreating", "PodInitializing"];
const FAILURES = ["FailedMount", "FailedAttachVolume", "FailedMapVolume", "FailedCreatePodSandBox"];

/**
 * A scheduled pod whose containers never get created: a volume that does not mount or attach,
 * or a pod sandbox (network) the runtime cannot set up. Slow starts are normal, so it takes
 * STUCK_AFTER_S and a failure event.
 */
export const stuckContainerCreating: Rule = {
  id: "pod.stuck-container-creating",
  category: "StuckContainerCreating",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod) || pod.status?.phase !== "Pending") return [];
    const statuses = allContainerStatuses(pod).map((s) => s.status);
    const creating = statuses.filter((s) => CREATING.includes(s.state?.waiting?.reason ?? ""));
    if (creating.length === 0) return [];
    const scheduledAt = conditionOf(pod, "PodScheduled")?.lastTransitionTime ?? pod.metadata.creationTimestamp;
    if (ctx.ageSeconds(scheduledAt) <= STUCK_AFTER_S) return [];
    const failures = recentEvents(ctx, eventsWith(ctx, pod, FAILURES));
    if (failures.length === 0) return [];

    const last = failures[failures.length - 1];
    const evidence = [`${creating.map((s) => `${s.name}: waiting ${s.state?.waiting?.reason ?? "-"}`).join(", ")} for ${Math.round(ctx.ageSeconds(scheduledAt) / 60)} min since scheduled at ${scheduledAt ?? "-"}`];
    // One line per distinct failure reason, the latest of each.
    for (const reason of new Set(failures.map((e) => e.reason))) {
      const latest = failures.filter((e) => e.reason === reason).pop();
      if (latest !== undefined) evidence.push(describeEvent(latest));
    }
    const { cause, remediation } = diagnose(pod, last?.reason ?? "", last?.message ?? "", ctx);
    return [
      makeFinding(stuckContainerCreating, {
        object: pod,
        severity: "critical",
        confidence: 0.9,
        summary: `Pod ${pod.metadata.name} is stuck creating its containers: ${cause}.`,
        evidence,
        since: firstSeen(failures),
        remediation,
      }),
    ];
  },
};

function diagnose(pod: Pod, reason: string, message: string, ctx: RuleContext): { cause: string; remediation: Remediation } {
  const workload = workloadOf(pod, ctx);
  const target = `${workload.kind}/${workload.metadata.name}`;
  const missing = parseMissing(message);
  if (missing !== undefined) {
    return {
      cause: `volume source ${missing.kind} ${missing.name} does not exist`,
      remediation: remediate(ctx, missing.kind === "Secret" ? "secret" : "config", `Create ${missing.kind} ${missing.name} in namespace ${pod.metadata.namespace ?? "-"}, or fix the volume in ${target}.`, workload),
    };
  }
  if (reason === "FailedCreatePodSandBox") {
    return { cause: "the runtime cannot create the pod sandbox (CNI/network plugin on the node)", remediation: remediate(ctx, "node", `Check the CNI plugin and container runtime on node ${pod.spec.nodeName ?? "-"}.`, workload) };
  }
  const volume = /volume "([^"]+)"/.exec(message)?.[1];
  const what = /Multi-Attach/i.test(message) ? "is still attached to another node (Multi-Attach)" : reason === "FailedAttachVolume" ? "cannot be attached" : "cannot be mounted";
  return {
    cause: `volume ${volume ?? "-"} ${what}`,
    remediation: remediate(ctx, "storage", `Fix volume ${volume ?? "-"} of ${target}: check its PVC, PV and the CSI driver${/Multi-Attach/i.test(message) ? ", and detach it from the old node" : ""}.`, workload),
  };
}
