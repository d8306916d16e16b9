import { expect } from "vitest";
import { nodeNotReady } from "../../../../src/diagnose/rules/node-not-ready.ts";
import { ago, cond, evidenceWith, MIN, node, pod, clusterRef, testRule } from "../../../helpers/objects.ts";

const lost = node("node-2", { conditions: [{ ...cond("Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", ago(7 * MIN)), lastHeartbeatTime: ago(8 * MIN) }] });
const broken = node("node-3", { conditions: [cond("Ready", "False", "KubeletNotReady", "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady", ago(3 * MIN))] });

testRule(nodeNotReady, [
  {
    name: "the kubelet stopped posting status",
    objects: [lost, pod("api-1", { node: "node-2" }), pod("api-2", { node: "node-1" })],
    want: [
      {
        id: "node.not-ready",
        category: "NodeNotReady",
        object: clusterRef("Node", "node-2"),
        severity: "critical",
        confidence: 0.95,
        summary: "Node node-2 stopped posting status (Ready=Unknown): the kubelet or the node is down or unreachable.",
        evidence: evidenceWith("status.conditions[Ready]: Unknown reason=NodeStatusUnknown", `last heartbeat: ${ago(8 * MIN)}`, "1 pod(s) scheduled on it"),
        since: ago(7 * MIN),
        remediation: { action: "node", tier: "critical" },
      },
    ],
  },
  { name: "NotReady with the kubelet's reason", objects: [broken], want: [{ summary: expect.stringContaining("is NotReady (KubeletNotReady): container runtime network not ready") }] },
  { name: "a Ready node: none", objects: [node("node-1")], want: [] },
]);
