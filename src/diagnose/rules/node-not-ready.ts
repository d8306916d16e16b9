import type { Node, Pod } from "../../model/k8s.ts";
import { describeCondition, makeFinding, remediate } from "../finding.ts";
import type { Rule } from "../types.ts";
import { conditionOf } from "./shared.ts";

/**
 * A node whose kubelet reports NotReady (False) or stopped reporting at all (Unknown: the node
 * is down, partitioned or the kubelet died). Its pods are evicted after the toleration timeout.
 */
export const nodeNotReady: Rule = {
  id: "node.not-ready",
  category: "NodeNotReady",
  kinds: ["Node"],
  evaluate(object, ctx) {
    const node = object as Node;
    const ready = conditionOf(node, "Ready");
    if (ready === undefined || ready.status === "True") return [];
    const unknown = ready.status === "Unknown";
    const evidence = [describeCondition(ready)];
    if (ready.lastHeartbeatTime !== undefined) evidence.push(`last heartbeat: ${ready.lastHeartbeatTime}`);
    if (node.spec?.unschedulable === true) evidence.push("spec.unschedulable: true (cordoned)");
    const pods = ctx.all<Pod>("Pod").filter((p) => p.spec.nodeName === node.metadata.name && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
    if (pods.length > 0) evidence.push(`${pods.length} pod(s) scheduled on it`);

    return [
      makeFinding(nodeNotReady, {
        object: node,
        severity: "critical",
        confidence: 0.95,
        summary: unknown
          ? `Node ${node.metadata.name} stopped posting status (Ready=Unknown): the kubelet or the node is down or unreachable.`
          : `Node ${node.metadata.name} is NotReady${ready.reason === undefined ? "" : ` (${ready.reason})`}: ${ready.message ?? "the kubelet reports it cannot run pods"}.`,
        evidence,
        since: ready.lastTransitionTime,
        remediation: remediate(ctx, "node", `Check the kubelet and container runtime on ${node.metadata.name} (journalctl -u kubelet), or drain and replace the node.`, node),
      }),
    ];
  },
};
