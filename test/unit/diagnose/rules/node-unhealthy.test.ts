import { expect } from "vitest";
import { nodeUnhealthy } from "../../../../src/diagnose/rules/node-unhealthy.ts";
import type { Condition } from "../../../../src/model/k8s.ts";
import { ago, clusterRef, cond, DAY, HOUR, MIN, node, testRule } from "../../../helpers/objects.ts";

const KUBELET = [
  cond("MemoryPressure", "False", "KubeletHasSufficientMemory"),
  cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
  cond("PIDPressure", "False", "KubeletHasSufficientPID"),
  cond("Ready", "True", "KubeletReady", "kubelet is posting ready status", ago(10 * DAY)),
];
const withConditions = (name: string, extra: Condition[]) => node(name, { conditions: [...extra, ...KUBELET] });
// node-problem-detector's conditions on a healthy node: all False.
const NPD_OK = [
  cond("KernelDeadlock", "False", "KernelHasNoDeadlock", "kernel has no deadlock"),
  cond("ReadonlyFilesystem", "False", "FilesystemIsNotReadOnly", "Filesystem is not read-only"),
  cond("FrequentKubeletRestart", "False", "NoFrequentKubeletRestart", "kubelet is functioning properly"),
  cond("FrequentContainerdRestart", "False", "NoFrequentContainerdRestart", "containerd is functioning properly"),
  cond("CorruptDockerOverlay2", "False", "NoCorruptDockerOverlay2", "docker overlay2 is functioning properly"),
];

testRule(nodeUnhealthy, [
  {
    name: "a read-only filesystem (node-problem-detector)",
    objects: [withConditions("node-1", [cond("ReadonlyFilesystem", "True", "FilesystemIsReadOnly", "Filesystem is read-only", ago(HOUR)), ...NPD_OK.slice(0, 1)])],
    want: [
      {
        id: "node.unhealthy",
        category: "NodeUnhealthy",
        object: clusterRef("Node", "node-1"),
        severity: "high",
        confidence: 0.9,
        summary: "Node node-1 reports ReadonlyFilesystem: a filesystem was remounted read-only (disk errors): pods cannot write.",
        evidence: [`status.conditions[ReadonlyFilesystem]: True reason=FilesystemIsReadOnly message="Filesystem is read-only" (since ${ago(HOUR)})`],
        since: ago(HOUR),
        remediation: { action: "node", tier: "critical" },
      },
    ],
  },
  {
    name: "a kernel deadlock and a restarting kubelet: one finding, both conditions, the earliest since",
    objects: [withConditions("node-2", [cond("KernelDeadlock", "True", "DockerHung", "task docker:7 blocked for more than 120 seconds.", ago(2 * HOUR)), cond("FrequentKubeletRestart", "True", "FrequentKubeletRestart", "Found 6 matching logs", ago(30 * MIN))])],
    want: [{ severity: "high", summary: expect.stringMatching(/^Node node-2 reports KernelDeadlock: .*; FrequentKubeletRestart: the kubelet keeps restarting\.$/), evidence: [expect.stringContaining("KernelDeadlock]: True"), expect.stringContaining("FrequentKubeletRestart]: True")], since: ago(2 * HOUR) }],
  },
  { name: "only restarts: medium", objects: [withConditions("node-3", [cond("FrequentContainerdRestart", "True", "FrequentContainerdRestart", undefined, ago(MIN))])], want: [{ severity: "medium", summary: "Node node-3 reports FrequentContainerdRestart: containerd keeps restarting." }] },
  { name: "an unknown type whose name states a problem: by its reason", objects: [withConditions("node-4", [cond("GPUUnhealthy", "True", "XidError79", "GPU has fallen off the bus", ago(MIN))])], want: [{ severity: "medium", summary: "Node node-4 reports GPUUnhealthy: XidError79." }] },
  { name: "node-problem-detector conditions all False: none", objects: [withConditions("node-5", NPD_OK)], want: [] },
  { name: "a problem condition Unknown (the detector cannot check): none", objects: [withConditions("node-6", [cond("KernelDeadlock", "Unknown", "NoData")])], want: [] },
  { name: "a condition naming health True (k3s EtcdIsVoter): none", objects: [withConditions("node-7", [cond("EtcdIsVoter", "True", "MemberNotLearner")])], want: [] },
  { name: "kubelet conditions are other rules' (NotReady, pressure, NetworkUnavailable): none", objects: [node("node-8", { conditions: [cond("Ready", "False", "KubeletNotReady"), cond("DiskPressure", "True"), cond("NetworkUnavailable", "True", "NoRouteCreated")] })], want: [] },
]);
