import type { DaemonSet } from "../../model/k8s.ts";
import { makeFinding, remediate } from "../finding.ts";
import type { Rule } from "../types.ts";
import { isTerminating } from "./shared.ts";
import { failingNow, notReadyLines, shortForLong, workloadPods } from "./workload-pods.ts";

/**
 * A DaemonSet whose pods are not ready on every node that should run one (numberReady or
 * numberAvailable below desiredNumberScheduled, e.g. 2/3): at once when those pods fail
 * definitively, after UNAVAILABLE_AFTER_S otherwise. Also pods running on nodes that should no
 * longer run them (numberMisscheduled), a smaller problem reported on its own.
 */
export const daemonSetUnavailable: Rule = {
  id: "daemonset.unavailable",
  category: "DaemonSetUnavailable",
  kinds: ["DaemonSet"],
  evaluate(object, ctx) {
    const ds = object as DaemonSet;
    if (isTerminating(ds)) return [];
    const status = ds.status ?? {};
    const desired = status.desiredNumberScheduled ?? 0;
    const ready = status.numberReady ?? 0;
    const available = status.numberAvailable ?? ready;
    const unavailable = Math.max(status.numberUnavailable ?? 0, desired - available);
    const misscheduled = status.numberMisscheduled ?? 0;
    const observed = (status.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0);
    const name = ds.metadata.name;
    const counts = `status: desiredNumberScheduled=${desired} currentNumberScheduled=${status.currentNumberScheduled ?? 0} updatedNumberScheduled=${status.updatedNumberScheduled ?? 0} numberReady=${ready} numberAvailable=${available} numberUnavailable=${unavailable} numberMisscheduled=${misscheduled}`;
    const misscheduledLine = `numberMisscheduled: ${misscheduled} pod(s) run on nodes that no longer fit the DaemonSet (a NoSchedule taint it does not tolerate, or labels its nodeSelector/affinity no longer match)`;

    if (unavailable > 0 && desired > 0) {
      const pods = workloadPods(ds, desired, ctx);
      const now = failingNow(ds, pods, ctx);
      const long = now === undefined ? shortForLong(ds, pods, desired, ctx) : undefined;
      if (now !== undefined || long !== undefined) {
        const evidence = [counts, ...(now?.evidence ?? notReadyLines(pods.notReady, ctx))];
        if (misscheduled > 0) evidence.push(misscheduledLine);
        return [
          makeFinding(daemonSetUnavailable, {
            object: ds,
            severity: available === 0 ? "critical" : "high",
            confidence: now !== undefined ? 0.9 : 0.8,
            summary: `DaemonSet ${name} is unavailable on ${unavailable} of ${desired} node(s): ${ready}/${desired} ready, ${now !== undefined ? `its pods fail now: ${now.cause}` : (long?.text ?? "")}.`,
            evidence,
            since: now?.since ?? long?.since,
            remediation: now?.remediation ?? remediate(ctx, "investigate", `Find what keeps the pods of DaemonSet/${name} from becoming ready on those nodes (their findings, events and the nodes' conditions).`, ds),
          }),
        ];
      }
    }
    // The controller deletes a pod whose node no longer fits; one that stays counted sits on a node
    // that got a NoSchedule taint after the pod started: the nodes changed under the DaemonSet.
    if (misscheduled === 0 || !observed) return [];
    return [
      makeFinding(daemonSetUnavailable, {
        object: ds,
        severity: "low",
        confidence: 0.7,
        summary: `DaemonSet ${name} runs ${misscheduled} pod(s) on nodes that should not run it (numberMisscheduled).`,
        evidence: [counts, misscheduledLine],
        remediation: remediate(ctx, "investigate", `Compare the nodeSelector, affinity and tolerations of DaemonSet/${name} with the labels and taints of the nodes its pods run on; fix the DaemonSet or the nodes.`, ds),
      }),
    ];
  },
};
