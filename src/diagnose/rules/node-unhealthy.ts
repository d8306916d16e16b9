import type { Condition, Node } from "../../model/k8s.ts";
import { describeCondition, makeFinding, remediate } from "../finding.ts";
import type { Rule, Severity } from "../types.ts";

/** Conditions the kubelet sets, reported by node-not-ready.ts and node-pressure.ts. */
const KUBELET_CONDITIONS = new Set(["Ready", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"]);

/** node-problem-detector's problem conditions, what each means and how much it hurts. */
const KNOWN: Record<string, { text: string; severity: Severity }> = {
  KernelDeadlock: { text: "a kernel task is hung (the runtime and its containers may be stuck)", severity: "high" },
  ReadonlyFilesystem: { text: "a filesystem was remounted read-only (disk errors): pods cannot write", severity: "high" },
  CorruptDockerOverlay2: { text: "the container runtime's overlay storage is corrupt", severity: "high" },
  FrequentKubeletRestart: { text: "the kubelet keeps restarting", severity: "medium" },
  FrequentContainerdRestart: { text: "containerd keeps restarting", severity: "medium" },
  FrequentDockerRestart: { text: "the Docker daemon keeps restarting", severity: "medium" },
  FrequentUnregisterNetDevice: { text: "network devices repeatedly fail to unregister (a kernel bug that hangs pod teardown)", severity: "medium" },
  ContainerRuntimeProblem: { text: "the container runtime reports a problem", severity: "high" },
  KubeletProblem: { text: "the kubelet reports a problem", severity: "high" },
};

/**
 * Words that make a condition type name a problem when it is True. Types that name health
 * (k3s's EtcdIsVoter, a vendor's "...Ready") do not match and are never reported.
 */
const PROBLEM_NAME = /problem|deadlock|read-?only|corrupt|unhealthy|unavailable|pressure|frequent\w*restart|fail|error|broken|degraded|notready/i;

/**
 * Node conditions beyond the kubelet's own, as node-problem-detector and cloud agents add them.
 * The rule: a condition other than Ready and the four kubelet conditions (NetworkUnavailable
 * included, which node-pressure.ts reports) is a problem when its status is True and its type is
 * a known node-problem-detector problem or its name states one (problem, deadlock, read-only,
 * corrupt, unhealthy, unavailable, pressure, frequent ... restart, fail, error, broken, degraded,
 * not ready). False and Unknown are not: the detector sets Unknown when it cannot check. One
 * finding per node lists every such condition.
 */
export const nodeUnhealthy: Rule = {
  id: "node.unhealthy",
  category: "NodeUnhealthy",
  kinds: ["Node"],
  evaluate(object, ctx) {
    const node = object as Node;
    const problems = (node.status?.conditions ?? []).filter(
      (c) => c.status === "True" && !KUBELET_CONDITIONS.has(c.type) && (KNOWN[c.type] !== undefined || PROBLEM_NAME.test(c.type)),
    );
    if (problems.length === 0) return [];
    const severity: Severity = problems.some((c) => (KNOWN[c.type]?.severity ?? "medium") === "high") ? "high" : "medium";
    const since = problems.map((c) => c.lastTransitionTime ?? "").filter((t) => t !== "").sort()[0];
    const name = node.metadata.name;
    return [
      makeFinding(nodeUnhealthy, {
        object: node,
        severity,
        confidence: 0.9,
        summary: `Node ${name} reports ${problems.map((c) => `${c.type}: ${meaning(c)}`).join("; ")}.`,
        evidence: problems.map((c) => describeCondition(c)),
        since,
        remediation: remediate(ctx, "node", `Check ${name} for what its conditions name (kernel log, disks, runtime and kubelet restarts); cordon and drain it, then repair or replace it.`, node),
      }),
    ];
  },
};

function meaning(c: Condition): string {
  return KNOWN[c.type]?.text ?? c.reason ?? (c.message !== undefined && c.message !== "" ? c.message : "a problem condition is True");
}
