import { nodePressure } from "../../../../src/diagnose/rules/node-pressure.ts";
import { ago, cond, evidenceWith, MIN, node, clusterRef, testRule } from "../../../helpers/objects.ts";

const full = node("node-1", {
  conditions: [cond("MemoryPressure", "False"), cond("DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure", ago(9 * MIN)), cond("PIDPressure", "False"), cond("Ready", "True")],
  taints: [{ key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" }],
});
const both = node("node-2", { conditions: [cond("MemoryPressure", "True", "KubeletHasInsufficientMemory", undefined, ago(MIN)), cond("PIDPressure", "True", "KubeletHasInsufficientPID", undefined, ago(2 * MIN)), cond("Ready", "True")] });

testRule(nodePressure, [
  {
    name: "disk pressure",
    objects: [full],
    want: [
      {
        id: "node.pressure",
        category: "NodePressure",
        object: clusterRef("Node", "node-1"),
        severity: "high",
        confidence: 0.95,
        summary: "Node node-1 has DiskPressure: disk space or inodes are low: images are garbage-collected and pods evicted.",
        evidence: evidenceWith("status.conditions[DiskPressure]: True reason=KubeletHasDiskPressure", "spec.taints: node.kubernetes.io/disk-pressure:NoSchedule"),
        since: ago(9 * MIN),
        remediation: { action: "node", tier: "critical" },
      },
    ],
  },
  { name: "one finding per pressure condition", objects: [both], want: [{ summary: "Node node-2 has MemoryPressure: memory is low: the kubelet evicts pods that use more than they request." }, { since: ago(2 * MIN), summary: "Node node-2 has PIDPressure: process IDs are running out." }] },
  { name: "network unavailable is critical", objects: [node("node-3", { conditions: [cond("NetworkUnavailable", "True", "NoRouteCreated"), cond("Ready", "True")] })], want: [{ severity: "critical" }] },
  { name: "no pressure: none", objects: [node("node-4")], want: [] },
]);
