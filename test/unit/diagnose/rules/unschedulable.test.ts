import { expect, it } from "vitest";
import { parseSchedulerMessage, unschedulable } from "../../../../src/diagnose/rules/unschedulable.ts";
import { ago, cond, event, evidenceWith, MIN, node, pod, podRef, testRule } from "../../../helpers/objects.ts";


const requesting = (name: string, cpu: string, o: { created?: string; condition?: boolean } = {}) =>
  pod(name, {
    phase: "Pending",
    created: o.created ?? ago(10 * MIN),
    containers: [{ name: "app", image: "shop/app:1.0", resources: { requests: { cpu, memory: "1Gi" } } }],
    statuses: [],
    conditions: o.condition === false ? [] : [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu.", ago(10 * MIN))],
  });
const nodes = [node("node-1"), node("node-2"), node("node-3", { allocatable: { cpu: "3500m", memory: "8Gi", pods: "110" } })];
const huge = requesting("batch-1", "6");
const big = requesting("batch-2", "2");
const tainted = requesting("batch-3", "100m");
const claimant = requesting("db-0", "100m");
const fresh = requesting("batch-4", "100m", { created: ago(5), condition: false });

const insufficient = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";

testRule(unschedulable, [
  {
    name: "a request larger than any node: lower it",
    objects: [huge, ...nodes, event(huge, "FailedScheduling", insufficient, { first: ago(10 * MIN), last: ago(MIN), count: 8 })],
    want: [
      {
        id: "pod.unschedulable",
        category: "Unschedulable",
        object: podRef("batch-1"),
        severity: "critical",
        confidence: 0.95,
        summary: "Pod batch-1 cannot be scheduled: its cpu request is larger than any node's allocatable (3 Insufficient cpu).",
        evidence: evidenceWith("status.conditions[PodScheduled]: False reason=Unschedulable", "FailedScheduling x8", "pod requests cpu=6 vs largest node allocatable cpu=4 (node-1, 3 node(s) known)"),
        since: ago(10 * MIN),
        remediation: { action: "resources", tier: "medium" },
      },
    ],
  },
  {
    name: "a request that fits an empty node: add capacity",
    objects: [big, ...nodes, event(big, "FailedScheduling", insufficient)],
    want: [{ summary: "Pod batch-2 cannot be scheduled: 3 Insufficient cpu.", evidence: evidenceWith("pod requests cpu=2 vs largest node allocatable cpu=4"), remediation: { action: "node", tier: "critical" } }],
  },
  {
    name: "taints and affinity: fix the spec",
    objects: [
      tainted,
      event(tainted, "FailedScheduling", "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", { first: ago(4 * MIN) }),
    ],
    want: [{ summary: expect.stringContaining("1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector"), since: ago(4 * MIN), remediation: { action: "config", tier: "medium" } }],
  },
  {
    name: "unbound PersistentVolumeClaims: storage",
    objects: [claimant, event(claimant, "FailedScheduling", "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")],
    want: [{ summary: "Pod db-0 cannot be scheduled: pod has unbound immediate PersistentVolumeClaims.", remediation: { action: "storage", tier: "critical" } }],
  },
  {
    name: "the condition alone, no event",
    objects: [requesting("batch-5", "500m")],
    want: [{ confidence: 0.95, since: ago(10 * MIN), evidence: evidenceWith("pod requests cpu=500m") }],
  },
  { name: "created 5 seconds ago, no scheduler verdict yet: none", objects: [fresh, ...nodes], want: [] },
  { name: "a running pod: none", objects: [pod("api-1")], want: [] },
]);

it("parses every clause of a scheduler message", () => {
  expect(parseSchedulerMessage("0/5 nodes are available: 1 Insufficient memory, 2 Insufficient cpu, 2 node(s) had volume node affinity conflict.")).toMatchObject([
    { count: 1, obstacle: "resource", resource: "memory" },
    { count: 2, obstacle: "resource", resource: "cpu" },
    { count: 2, obstacle: "storage" },
  ]);
});
