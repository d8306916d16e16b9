import type { Pod } from "../../model/k8s.ts";
import { describeCondition, describeEvent, eventsWith, firstSeen, makeFinding, oneLine, remediate, truncate, workloadOf } from "../finding.ts";
import type { Rule, Severity } from "../types.ts";
import { conditionOf, isTerminating, otherReadyReplicas } from "./shared.ts";

/**
 * A pod the kubelet evicted to relieve node pressure. The message says which resource; if the
 * pod used more than it requested, its own requests are the fix, otherwise the node's capacity.
 * With replacements ready the service is intact, so the severity is low.
 */
export const evicted: Rule = {
  id: "pod.evicted",
  category: "Evicted",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod) || pod.status?.phase !== "Failed" || pod.status.reason !== "Evicted") return [];
    const message = pod.status.message ?? "";
    const events = eventsWith(ctx, pod, ["Evicted"]);
    const disruption = conditionOf(pod, "DisruptionTarget");
    const evidence = [`status: phase=Failed reason=Evicted message="${truncate(oneLine(message), 300)}"`];
    if (disruption !== undefined) evidence.push(describeCondition(disruption));
    const lastEvent = events[events.length - 1];
    if (lastEvent !== undefined) evidence.push(describeEvent(lastEvent));

    const resource = /low on resource: ([\w-]+)/.exec(message)?.[1] ?? /ephemeral local storage/i.exec(message)?.[0].toLowerCase() ?? /condition: \[(\w+)\]/.exec(message)?.[1];
    // "Container api was using 1.2Gi, request is 512Mi, has larger consumption of memory".
    const overuse = /Container (\S+) was using (\S+?), request is (\S+?),/.exec(message) ?? undefined;
    const ownLimit = /exceeds the (?:total )?limit/i.test(message);
    const controller = ctx.controllerOf(pod);
    const replacements = otherReadyReplicas(pod, ctx);
    if (controller !== undefined) evidence.push(`${controller.kind}/${controller.metadata.name}: ${replacements} other ready replica(s)`);
    const severity: Severity = controller === undefined ? "high" : replacements > 0 ? "low" : "medium";

    const workload = workloadOf(pod, ctx);
    const target = `${workload.kind}/${workload.metadata.name}`;
    const remediation =
      overuse !== undefined || ownLimit
        ? remediate(ctx, "resources", `Set the ${resource ?? "memory"} request${ownLimit ? "/limit" : ""} of ${target} to its real usage${overuse === undefined ? "" : ` (${overuse[1]} used ${overuse[2]}, requested ${overuse[3]})`} so it is not the first pod evicted.`, workload)
        : remediate(ctx, "node", `Relieve ${resource ?? "resource"} pressure on node ${pod.spec.nodeName ?? "-"} (free or add capacity).`, workload);

    return [
      makeFinding(evicted, {
        object: pod,
        severity,
        confidence: 0.95,
        summary: `Pod ${pod.metadata.name} was evicted from node ${pod.spec.nodeName ?? "-"}${resource === undefined ? "" : ` under ${resource} pressure`}${overuse === undefined ? "" : ` while container ${overuse[1]} used ${overuse[2]} over its ${overuse[3]} request`}${controller === undefined ? " and has no controller to replace it" : ""}.`,
        evidence,
        since: firstSeen(events) || disruption?.lastTransitionTime,
        remediation,
      }),
    ];
  },
};
