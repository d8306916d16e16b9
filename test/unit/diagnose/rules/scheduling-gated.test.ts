import { expect } from "vitest";
import { schedulingGated } from "../../../../src/diagnose/rules/scheduling-gated.ts";
import { ago, cond, HOUR, MIN, pod, podRef, testRule, type PodOptions } from "../../../helpers/objects.ts";

const GATED = "Scheduling is blocked due to non-empty scheduling gates";

/** A pod held by gates since `since` (its creation and its PodScheduled transition). */
function gated(name: string, since: string, o: PodOptions & { gates?: string[]; condition?: boolean } = {}) {
  const p = pod(name, {
    created: since,
    phase: "Pending",
    statuses: [],
    conditions: o.condition === false ? [] : [cond("PodScheduled", "False", "SchedulingGated", GATED, since)],
    spec: { schedulingGates: (o.gates ?? ["kueue.x-k8s.io/admission"]).map((n) => ({ name: n })) },
    ...o,
  });
  delete p.spec.nodeName;
  return p;
}

testRule(schedulingGated, [
  {
    name: "gated for 3 hours",
    objects: [gated("train-0", ago(3 * HOUR))],
    want: [
      {
        id: "pod.scheduling-gated",
        category: "SchedulingGated",
        object: podRef("train-0"),
        severity: "medium",
        confidence: 0.9,
        summary: "Pod train-0 has waited 3h for its scheduling gate(s) kueue.x-k8s.io/admission to be removed; the scheduler does not consider it until then.",
        evidence: ["spec.schedulingGates: kueue.x-k8s.io/admission", `status.conditions[PodScheduled]: False reason=SchedulingGated message="${GATED}" (since ${ago(3 * HOUR)})`, "gated for 3h (threshold 1h)"],
        since: ago(3 * HOUR),
        remediation: { action: "investigate", tier: "trivial", summary: expect.stringContaining("Check the controller that owns gate kueue.x-k8s.io/admission") },
      },
    ],
  },
  { name: "several gates, a dump without the condition: judged by the gates and the pod's age", objects: [gated("batch-1", ago(2 * HOUR), { gates: ["example.com/quota", "example.com/capacity"], condition: false })], want: [{ summary: expect.stringContaining("gate(s) example.com/quota, example.com/capacity") }] },
  { name: "gated for 1 minute: waiting its turn, none", objects: [gated("train-1", ago(MIN))], want: [] },
  { name: "gated for 59 minutes: none", objects: [gated("train-2", ago(59 * MIN))], want: [] },
  { name: "gates removed, now unschedulable: another rule's", objects: [{ ...gated("train-3", ago(3 * HOUR), { gates: [] }), status: { phase: "Pending", conditions: [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available", ago(MIN))] } }], want: [] },
  { name: "scheduled and running: none", objects: [pod("web-1", { spec: { schedulingGates: [] } })], want: [] },
  { name: "being deleted: none", objects: [gated("train-4", ago(3 * HOUR), { deletionTimestamp: ago(10) })], want: [] },
]);
