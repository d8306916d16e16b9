import type { Node } from "../../model/k8s.ts";
import { describeCondition, makeFinding, remediate } from "../finding.ts";
import type { Rule } from "../types.ts";

const PRESSURE: Record<string, string> = {
  MemoryPressure: "memory is low: the kubelet evicts pods that use more than they request",
  DiskPressure: "disk space or inodes are low: images are garbage-collected and pods evicted",
  PIDPressure: "process IDs are running out",
  NetworkUnavailable: "the node's network is not configured (CNI/routes)",
};

/** A node condition that makes the kubelet evict pods or refuse new ones. One finding each. */
export const nodePressure: Rule = {
  id: "node.pressure",
  category: "NodePressure",
  kinds: ["Node"],
  evaluate(object, ctx) {
    const node = object as Node;
    return (node.status?.conditions ?? [])
      .filter((c) => c.status === "True" && PRESSURE[c.type] !== undefined)
      .map((c) =>
        makeFinding(nodePressure, {
          object: node,
          severity: c.type === "NetworkUnavailable" ? "critical" : "high",
          confidence: 0.95,
          summary: `Node ${node.metadata.name} has ${c.type}: ${PRESSURE[c.type] ?? c.type}.`,
          evidence: [describeCondition(c), ...(node.spec?.taints ?? []).filter((t) => /pressure|unavailable/i.test(t.key)).map((t) => `spec.taints: ${t.key}:${t.effect}`)],
          since: c.lastTransitionTime,
          remediation: remediate(ctx, "node", `Relieve ${c.type} on ${node.metadata.name}: free or add ${c.type === "DiskPressure" ? "disk" : c.type === "NetworkUnavailable" ? "network configuration" : "capacity"}, or move workloads away.`, node),
        }),
      );
  },
};
