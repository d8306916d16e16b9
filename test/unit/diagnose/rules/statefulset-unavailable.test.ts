import { expect } from "vitest";
import { statefulSetUnavailable } from "../../../../src/diagnose/rules/statefulset-unavailable.ts";
import { ago, cond, event, evidenceWith, HOUR, MIN, node, ref, running, term, testRule, waiting } from "../../../helpers/objects.ts";
import { memberPod, notReadySince, readySince, sts } from "../../../helpers/workload-objects.ts";

const crashLoop = () => [waiting("app", "CrashLoopBackOff", { restarts: 5, last: term(1, "Error", ago(MIN)) })];

// 0/3: the first ordinal crash-loops, so OrderedReady never creates the others.
const db = sts("db", { ready: 0 });
const db0 = memberPod(db, 0, { statuses: crashLoop(), conditions: notReadySince(ago(3 * MIN)) });

// 1/3: the second ordinal cannot be scheduled; the third waits for it.
const queue = sts("queue", { ready: 1 });
const queue0 = memberPod(queue, 0);
const queue1 = memberPod(queue, 1, {
  phase: "Pending",
  statuses: [],
  conditions: [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.", ago(2 * MIN))],
});

// 2/3 for 40 min: a pod only failing its readiness probe, on a node that went NotReady.
const cache = sts("cache", { ready: 2 });
const cachePods = [memberPod(cache, 0), memberPod(cache, 1), memberPod(cache, 2, { node: "node-2", statuses: [running("app", { ready: false })], conditions: notReadySince(ago(40 * MIN)) })];
const downNode = node("node-2", { conditions: [cond("Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", ago(40 * MIN))] });

// The controller cannot create pods: a quota refuses them.
const refused = sts("ledger", { ready: 0, replicas: 2 });
const refusal = event(refused, "FailedCreate", 'create Pod ledger-0 in StatefulSet ledger failed error: pods "ledger-0" is forbidden: exceeded quota: compute', { last: ago(MIN) });

// Scaling up: the new ordinal became not ready a minute ago.
const scaling = sts("search", { ready: 2 });
const scalingPods = [memberPod(scaling, 0), memberPod(scaling, 1), memberPod(scaling, 2, { created: ago(MIN), statuses: [running("app", { ready: false })], conditions: notReadySince(ago(MIN)) })];
// Between two ordinals: pod 1 became ready 20 s ago, pod 2 is not created yet.
const ordered = sts("events", { ready: 1 });
const orderedPods = [memberPod(ordered, 0), memberPod(ordered, 1, { conditions: readySince(ago(20)) })];
// The status was written before the last pod became ready.
const stale = sts("stale", { ready: 2 });
const stalePods = [0, 1, 2].map((i) => memberPod(stale, i));
// A scale-up the controller has not seen yet.
const unseen = sts("unseen", { replicas: 5, ready: 3, generation: 4, observedGeneration: 3 });

testRule(statefulSetUnavailable, [
  {
    name: "0/3 available, the first ordinal crash-looping: unavailable at once, the pod finding as cause",
    objects: [db, db0],
    want: [
      {
        id: "statefulset.unavailable",
        category: "StatefulSetUnavailable",
        object: ref("StatefulSet", "db"),
        severity: "critical",
        confidence: 0.9,
        summary: "StatefulSet db is unavailable: 0/3 replica(s) available, its pods fail now: CrashLoopBackOff (db-0).",
        evidence: evidenceWith("status: replicas=3 ready=0 available=0", "1 of 3 pod(s) exist: db-0", "pod db-0: CrashLoopBackOff: Container app is crash-looping (5 restarts)"),
        since: ago(MIN),
        remediation: { action: "config", tier: "medium" },
      },
    ],
  },
  {
    name: "1/3 available, the second ordinal unschedulable: at once",
    objects: [queue, queue0, queue1],
    want: [{ severity: "high", summary: "StatefulSet queue is unavailable: 1/3 replica(s) available, its pods fail now: Unschedulable (queue-1).", evidence: evidenceWith("2 of 3 pod(s) exist: queue-0, queue-1", "pod queue-1: Unschedulable"), remediation: { action: "node" } }],
  },
  {
    name: "2/3 ready for 40 min, a pod not ready on a node that is down: after the threshold, saying how long",
    objects: [cache, ...cachePods, downNode],
    want: [
      {
        severity: "high",
        confidence: 0.8,
        summary: "StatefulSet cache is unavailable: 2/3 replica(s) available, for 40m (pods: app running but not ready).",
        evidence: evidenceWith("pod cache-2: app running but not ready (on node node-2, Ready=Unknown)"),
        since: ago(40 * MIN),
        remediation: { action: "investigate", tier: "trivial" },
      },
    ],
  },
  {
    name: "no pod can be created (FailedCreate, quota): at once",
    objects: [refused, refusal],
    want: [{ severity: "critical", summary: "StatefulSet ledger is unavailable: 0/2 replica(s) available, its pods fail now: pods cannot be created (FailedCreate).", evidence: evidenceWith("0 of 2 pod(s) exist", "StatefulSet/ledger event Warning FailedCreate"), remediation: { action: "investigate" } }],
  },
  {
    name: "availableReplicas below ready (minReadySeconds) for an hour counts",
    objects: [sts("slowready", { ready: 3, available: 2 }), ...[0, 1].map((i) => memberPod(sts("slowready", { ready: 3, available: 2 }), i)), memberPod(sts("slowready"), 2, { statuses: [running("app", { ready: false })], conditions: notReadySince(ago(HOUR)) })],
    want: [{ summary: expect.stringContaining("2/3 replica(s) available, for 1h") }],
  },
  { name: "a new ordinal not ready for a minute: still starting, none", objects: [scaling, ...scalingPods], want: [] },
  { name: "between two ordinals (the last became ready 20 s ago): none", objects: [ordered, ...orderedPods], want: [] },
  { name: "a status older than the pods, which are all ready: none", objects: [stale, ...stalePods], want: [] },
  { name: "a scale-up the controller has not observed yet: none", objects: [unseen], want: [] },
  { name: "all replicas available: none", objects: [sts("ok"), ...[0, 1, 2].map((i) => memberPod(sts("ok"), i))], want: [] },
  { name: "scaled to zero: none", objects: [sts("idle", { replicas: 0, ready: 0 })], want: [] },
]);
