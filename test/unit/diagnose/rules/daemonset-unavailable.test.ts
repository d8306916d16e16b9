import { expect } from "vitest";
import { daemonSetUnavailable } from "../../../../src/diagnose/rules/daemonset-unavailable.ts";
import { ago, evidenceWith, MIN, ref, running, term, testRule, waiting } from "../../../helpers/objects.ts";
import { ds, memberPod, notReadySince } from "../../../helpers/workload-objects.ts";

// 2/3 ready: the agent on node-3 is OOM-killed in a loop.
const agent = ds("agent", { ready: 2, unavailable: 1 });
const agentPods = [
  memberPod(agent, "a", { node: "node-1" }),
  memberPod(agent, "b", { node: "node-2" }),
  memberPod(agent, "c", { node: "node-3", statuses: [waiting("app", "CrashLoopBackOff", { restarts: 7, last: term(137, "OOMKilled", ago(2 * MIN)) })], conditions: notReadySince(ago(10 * MIN)) }),
];

// 0/3 ready: the image does not exist.
const logs = ds("logs", { ready: 0 });
const logsPods = ["a", "b", "c"].map((s, i) => memberPod(logs, s, { node: `node-${i + 1}`, phase: "Pending", statuses: [waiting("app", "ImagePullBackOff")], conditions: notReadySince(ago(MIN)) }));

// 2/3 ready for 30 min, the third only failing readiness.
const proxy = ds("proxy", { ready: 2 });
const proxyPods = [memberPod(proxy, "a", { node: "node-1" }), memberPod(proxy, "b", { node: "node-2" }), memberPod(proxy, "c", { node: "node-3", statuses: [running("app", { ready: false })], conditions: notReadySince(ago(30 * MIN)) })];
const proxyRecent = [...proxyPods.slice(0, 2), memberPod(proxy, "c", { node: "node-3", statuses: [running("app", { ready: false })], conditions: notReadySince(ago(2 * MIN)) })];

testRule(daemonSetUnavailable, [
  {
    name: "2/3 ready, one pod OOM-killed in a loop: unavailable at once",
    objects: [agent, ...agentPods],
    want: [
      {
        id: "daemonset.unavailable",
        category: "DaemonSetUnavailable",
        object: ref("DaemonSet", "agent"),
        severity: "high",
        confidence: 0.9,
        summary: "DaemonSet agent is unavailable on 1 of 3 node(s): 2/3 ready, its pods fail now: OOMKilled (agent-c).",
        evidence: evidenceWith("status: desiredNumberScheduled=3", "numberReady=2", "pod agent-c: OOMKilled"),
        since: ago(2 * MIN),
        remediation: { action: "resources", tier: "medium" },
      },
    ],
  },
  {
    name: "0/3 ready, every pod failing its image pull: critical",
    objects: [logs, ...logsPods],
    want: [{ severity: "critical", summary: "DaemonSet logs is unavailable on 3 of 3 node(s): 0/3 ready, its pods fail now: ImagePullError (logs-a, logs-b, logs-c).", remediation: { action: "image" } }],
  },
  {
    name: "2/3 ready for 30 min without a definite failure: after the threshold",
    objects: [proxy, ...proxyPods],
    want: [{ severity: "high", confidence: 0.8, summary: "DaemonSet proxy is unavailable on 1 of 3 node(s): 2/3 ready, for 30m (pods: app running but not ready).", since: ago(30 * MIN), remediation: { action: "investigate" } }],
  },
  {
    name: "misscheduled pods only: low",
    objects: [ds("exporter", { misscheduled: 1 })],
    want: [{ severity: "low", summary: "DaemonSet exporter runs 1 pod(s) on nodes that should not run it (numberMisscheduled).", evidence: evidenceWith("numberMisscheduled: 1 pod(s) run on nodes that no longer fit"), remediation: { action: "investigate" } }],
  },
  {
    name: "unavailable and misscheduled: one finding, the misscheduled count in its evidence",
    objects: [{ ...agent, status: { ...agent.status, numberMisscheduled: 2 } }, ...agentPods],
    want: [{ summary: expect.stringContaining("its pods fail now: OOMKilled"), evidence: evidenceWith("numberMisscheduled: 2") }],
  },
  { name: "2/3 ready for 2 min without a definite failure: none yet", objects: [proxy, ...proxyRecent], want: [] },
  { name: "misscheduled in a status the controller wrote before the latest spec: none", objects: [ds("moving", { misscheduled: 1, generation: 3, observedGeneration: 2 })], want: [] },
  { name: "no node to run on (desired 0): none", objects: [ds("gpu", { desired: 0, ready: 0 })], want: [] },
  { name: "ready on every node: none", objects: [ds("ok"), ...["a", "b", "c"].map((s) => memberPod(ds("ok"), s))], want: [] },
]);
