import type { StatefulSet } from "../../model/k8s.ts";
import { makeFinding, remediate } from "../finding.ts";
import type { Rule } from "../types.ts";
import { isTerminating } from "./shared.ts";
import { failingNow, notReadyLines, shortForLong, workloadPods } from "./workload-pods.ts";

/**
 * A StatefulSet with fewer available replicas than desired (0/3 as much as 1/3). Pods that fail
 * definitively make it unavailable at once; pods only not ready yet, after UNAVAILABLE_AFTER_S
 * (a StatefulSet has no progress deadline of its own). With the default OrderedReady policy one
 * failing pod also keeps every later ordinal from being created, so missing pods are counted.
 */
export const statefulSetUnavailable: Rule = {
  id: "statefulset.unavailable",
  category: "StatefulSetUnavailable",
  kinds: ["StatefulSet"],
  evaluate(object, ctx) {
    const sts = object as StatefulSet;
    const desired = sts.spec.replicas ?? 1;
    if (desired === 0 || isTerminating(sts)) return [];
    const status = sts.status ?? {};
    const ready = status.readyReplicas ?? 0;
    // availableReplicas honours minReadySeconds; clusters before 1.22 report only ready.
    const available = status.availableReplicas ?? ready;
    if (available >= desired) return [];

    const pods = workloadPods(sts, desired, ctx);
    const now = failingNow(sts, pods, ctx);
    const long = now === undefined ? shortForLong(sts, pods, desired, ctx) : undefined;
    if (now === undefined && long === undefined) return [];

    const name = sts.metadata.name;
    const evidence = [`status: replicas=${status.replicas ?? 0} ready=${ready} available=${available} current=${status.currentReplicas ?? 0} updated=${status.updatedReplicas ?? 0} (spec.replicas=${desired})`];
    if (pods.pods.length < desired) evidence.push(`${pods.pods.length} of ${desired} pod(s) exist${pods.pods.length > 0 ? `: ${pods.pods.map((p) => p.metadata.name).join(", ")}` : ""}`);
    evidence.push(...(now?.evidence ?? notReadyLines(pods.notReady, ctx)));
    return [
      makeFinding(statefulSetUnavailable, {
        object: sts,
        severity: available === 0 ? "critical" : "high",
        confidence: now !== undefined ? 0.9 : 0.8,
        summary: `StatefulSet ${name} is unavailable: ${available}/${desired} replica(s) available, ${now !== undefined ? `its pods fail now: ${now.cause}` : (long?.text ?? "")}.`,
        evidence,
        since: now?.since ?? long?.since,
        remediation: now?.remediation ?? remediate(ctx, "investigate", `Find what keeps the pods of StatefulSet/${name} from becoming ready (their findings and events); later ordinals wait for earlier ones.`, sts),
      }),
    ];
  },
};
