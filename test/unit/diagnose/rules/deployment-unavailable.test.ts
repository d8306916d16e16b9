import { expect } from "vitest";
import { deploymentUnavailable } from "../../../../src/diagnose/rules/deployment-unavailable.ts";
import { ago, cond, DAY, deployment, event, evidenceWith, MIN, pod, ref, replicaSet, running, term, testRule, waiting } from "../../../helpers/objects.ts";
import { notReadySince, withRevision } from "../../../helpers/workload-objects.ts";

const stuck = deployment("api", {
  replicas: 3,
  ready: 3,
  available: 3,
  unavailable: 1,
  updated: 1,
  conditions: [
    cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", ago(10 * DAY)),
    cond("Progressing", "False", "ProgressDeadlineExceeded", 'ReplicaSet "api-new" has timed out progressing.', ago(5 * MIN)),
  ],
});
const newRs = replicaSet("api-new", { owner: stuck, labels: { app: "api" }, replicas: 1, ready: 0 });
const badPod = pod("api-new-1", { owner: newRs, labels: { app: "api" }, phase: "Pending", statuses: [waiting("app", "ImagePullBackOff")] });

// Replicas lost after a finished rollout; the pods only fail their readiness probe (no definite failure).
const down = deployment("web", {
  replicas: 2,
  ready: 0,
  available: 0,
  unavailable: 2,
  conditions: [
    cond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", ago(20 * MIN)),
    { ...cond("Progressing", "True", "NewReplicaSetAvailable", 'ReplicaSet "web-7d9f" has successfully progressed.', ago(10 * DAY)), lastUpdateTime: ago(10 * DAY) },
  ],
});
const webRs = replicaSet("web-7d9f", { owner: down, labels: { app: "web" }, ready: 0 });
const unreadyFor = (seconds: number) => ["a", "b"].map((s) => pod(`web-7d9f-${s}`, { owner: webRs, labels: { app: "web" }, statuses: [running("app", { ready: false })], conditions: notReadySince(ago(seconds)) }));
const downRecently = { ...down, status: { ...down.status, conditions: [cond("Available", "False", "MinimumReplicasUnavailable", undefined, ago(3 * MIN))] } };

// The same Deployment whose pods crash-loop: unavailable now, not after the deadline.
const crashing = deployment("web", {
  replicas: 2,
  ready: 0,
  available: 0,
  unavailable: 2,
  conditions: [cond("Available", "False", "MinimumReplicasUnavailable", undefined, ago(2 * MIN)), { ...cond("Progressing", "True", "NewReplicaSetAvailable", undefined, ago(10 * DAY)), lastUpdateTime: ago(10 * DAY) }],
});
const crashingRs = replicaSet("web-7d9f", { owner: crashing, labels: { app: "web" }, ready: 0 });
const crashingPods = ["a", "b"].map((s) =>
  pod(`web-7d9f-${s}`, { owner: crashingRs, labels: { app: "web" }, statuses: [waiting("app", "CrashLoopBackOff", { restarts: 4, last: term(1, "Error", ago(MIN)) })], conditions: notReadySince(ago(2 * MIN)) }),
);
const oomPods = ["a", "b"].map((s) =>
  pod(`web-7d9f-${s}`, { owner: crashingRs, labels: { app: "web" }, statuses: [waiting("app", "CrashLoopBackOff", { restarts: 3, last: term(137, "OOMKilled", ago(MIN)) })], conditions: notReadySince(ago(2 * MIN)) }),
);

// A rollout finished days ago; its (newest) ReplicaSet's pods now run out of memory.
const settled = deployment("worker", { replicas: 2, ready: 1, available: 1, unavailable: 1 });
const settledOld = withRevision(replicaSet("worker-1", { owner: settled, labels: { app: "worker" }, replicas: 0 }), 1);
const settledNew = withRevision(replicaSet("worker-2", { owner: settled, labels: { app: "worker" }, replicas: 2, ready: 1 }), 2);
const settledPods = [
  pod("worker-2-a", { owner: settledNew, labels: { app: "worker" } }),
  pod("worker-2-b", { owner: settledNew, labels: { app: "worker" }, statuses: [waiting("app", "CrashLoopBackOff", { restarts: 5, last: term(137, "OOMKilled", ago(MIN)) })], conditions: notReadySince(ago(10 * MIN)) }),
];

// A rollout one minute in: the old revision serves, the new one crash-loops.
const rolloutConditions = [cond("Available", "True", "MinimumReplicasAvailable", undefined, ago(DAY)), { ...cond("Progressing", "True", "ReplicaSetUpdated", 'ReplicaSet "shop-2" is progressing.', ago(2 * MIN)), lastUpdateTime: ago(MIN) }];
const rolling = deployment("shop", { unavailable: 1, updated: 1, conditions: rolloutConditions });
const oldRs = withRevision(replicaSet("shop-1", { owner: rolling, labels: { app: "shop" }, replicas: 3 }), 1);
const freshRs = withRevision(replicaSet("shop-2", { owner: rolling, labels: { app: "shop" }, replicas: 1, ready: 0 }), 2);
const oldPods = [1, 2, 3].map((i) => pod(`shop-1-${i}`, { owner: oldRs, labels: { app: "shop" } }));
const freshCrashing = pod("shop-2-1", { owner: freshRs, labels: { app: "shop" }, created: ago(2 * MIN), statuses: [waiting("app", "CrashLoopBackOff", { restarts: 2, last: term(1, "Error", ago(30)) })], conditions: notReadySince(ago(2 * MIN)) });
const freshCreating = pod("shop-2-1", { owner: freshRs, labels: { app: "shop" }, created: ago(20), phase: "Pending", statuses: [waiting("app", "ContainerCreating")], conditions: notReadySince(ago(20)) });
const freshWaiting = pod("shop-2-1", { owner: freshRs, labels: { app: "shop" }, created: ago(20), phase: "Pending", statuses: [], conditions: [] });
// The new ReplicaSet cannot create its pod at all.
const refused = event(freshRs, "FailedCreate", 'Error creating: pods "shop-2-x" is forbidden: exceeded quota: compute, requested: cpu=500m, used: cpu=2, limited: cpu=2', { last: ago(30) });

const paused = { ...deployment("cart", { unavailable: 1, conditions: [cond("Available", "True", "MinimumReplicasAvailable", undefined, ago(DAY)), { ...cond("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", ago(DAY)), lastUpdateTime: ago(DAY) }] }) };
paused.spec = { ...paused.spec, paused: true };
const patient = deployment("slow", {
  ready: 0,
  available: 0,
  unavailable: 3,
  progressDeadlineSeconds: 1800,
  conditions: [cond("Available", "False", "MinimumReplicasUnavailable", undefined, ago(20 * MIN)), { ...cond("Progressing", "True", "ReplicaSetUpdated", undefined, ago(20 * MIN)), lastUpdateTime: ago(2 * MIN) }],
});
const healthyWithExtra = deployment("extra", { replicas: 2 });
const extraRs = replicaSet("extra-1", { owner: healthyWithExtra, labels: { app: "extra" }, replicas: 2 });

testRule(deploymentUnavailable, [
  {
    name: "rollout past its progress deadline whose new pod cannot pull its image: failing now, roll back",
    objects: [stuck, newRs, badPod],
    want: [
      {
        id: "deployment.unavailable",
        category: "DeploymentUnavailable",
        object: ref("Deployment", "api"),
        severity: "high",
        confidence: 0.95,
        summary: "Deployment api is unavailable: 1 of 3 replica(s) unavailable, its rollout exceeded the 600s progress deadline; its pods fail now: ImagePullError (api-new-1).",
        evidence: evidenceWith("status: replicas=3 updated=1 ready=3 available=3 unavailable=1", "status.conditions[Progressing]: False reason=ProgressDeadlineExceeded", "spec.progressDeadlineSeconds: 600 (default)", "pod api-new-1: ImagePullError: Image shop/app:1.0 of container app cannot be pulled"),
        remediation: { action: "rollback", tier: "medium" },
      },
    ],
  },
  {
    name: "every pod crash-looping two minutes after losing availability: unavailable at once, not after the deadline",
    objects: [crashing, crashingRs, ...crashingPods],
    want: [
      {
        severity: "critical",
        confidence: 0.9,
        summary: "Deployment web is unavailable: 2 of 2 replica(s) unavailable; its pods fail now: CrashLoopBackOff (web-7d9f-a, web-7d9f-b).",
        evidence: evidenceWith("pod web-7d9f-a: CrashLoopBackOff: Container app is crash-looping (4 restarts)", "pod web-7d9f-b: CrashLoopBackOff"),
        since: ago(MIN),
        remediation: { action: "config", summary: expect.stringContaining("Every pod fails the same way") },
      },
    ],
  },
  {
    name: "pods OOM-killed in a crash loop: the cause's fix (resources), not a rollback",
    objects: [crashing, crashingRs, ...oomPods],
    want: [{ summary: expect.stringContaining("its pods fail now: OOMKilled (web-7d9f-a, web-7d9f-b)"), remediation: { action: "resources", tier: "medium" } }],
  },
  {
    name: "a rollout one minute in, stalled on its new ReplicaSet's crash-looping pod: at once, roll back",
    objects: [rolling, oldRs, freshRs, ...oldPods, freshCrashing],
    want: [
      {
        severity: "high",
        summary: "Deployment shop is unavailable: 1 of 3 replica(s) unavailable, its rollout is stalled on ReplicaSet shop-2; its pods fail now: CrashLoopBackOff (shop-2-1).",
        evidence: evidenceWith("rollout: the failing pods all belong to the new ReplicaSet shop-2 (revision 2); ReplicaSet shop-1 (revision 1) is the one before"),
        remediation: { action: "rollback", summary: expect.stringContaining("Roll back Deployment/shop") },
      },
    ],
  },
  {
    name: "long after a finished rollout, pods of the newest ReplicaSet OOM-killed: no rollout stall, the cause's fix",
    objects: [settled, settledOld, settledNew, ...settledPods],
    want: [{ severity: "high", summary: "Deployment worker is unavailable: 1 of 2 replica(s) unavailable; its pods fail now: OOMKilled (worker-2-b).", remediation: { action: "resources" } }],
  },
  {
    name: "a rollout whose new ReplicaSet is refused its pods by a quota: at once, from the FailedCreate event",
    objects: [rolling, oldRs, freshRs, ...oldPods, refused],
    want: [{ summary: expect.stringContaining("pods cannot be created (FailedCreate)"), evidence: evidenceWith("ReplicaSet/shop-2 event Warning FailedCreate", "exceeded quota"), remediation: { action: "investigate" } }],
  },
  // The progress deadline still applies when the pods show no definite failure.
  {
    name: "pods only failing readiness for 20 min after a finished rollout: past the 600s deadline",
    objects: [down, webRs, ...unreadyFor(20 * MIN)],
    want: [{ severity: "critical", confidence: 0.85, summary: expect.stringContaining("2 of 2 replica(s) have been unavailable for longer than the 600s progress deadline (pods: app running but not ready)"), since: ago(20 * MIN), remediation: { action: "investigate" } }],
  },
  { name: "pods only failing readiness for 3 min: within the deadline, none", objects: [downRecently, webRs, ...unreadyFor(3 * MIN)], want: [] },
  { name: "a rollout within its deadline whose new pod is still being created: none", objects: [rolling, oldRs, freshRs, ...oldPods, freshCreating], want: [] },
  { name: "a rollout within its deadline whose new pod waits for the scheduler: none", objects: [rolling, oldRs, freshRs, ...oldPods, freshWaiting], want: [] },
  { name: "a rollout within its deadline, no pods in the snapshot: none", objects: [rolling], want: [] },
  { name: "a FailedCreate of a ReplicaSet that has all its pods by now: none", objects: [rolling, oldRs, freshRs, ...oldPods, freshCreating, refused], want: [] },
  { name: "unavailable for 20 min with a 30 min deadline: none", objects: [patient], want: [] },
  {
    name: "every replica available while a surplus pod crash-loops: the pod's finding, not the Deployment's",
    objects: [healthyWithExtra, extraRs, pod("extra-1-a", { owner: extraRs, labels: { app: "extra" } }), pod("extra-1-b", { owner: extraRs, labels: { app: "extra" } }), pod("extra-1-c", { owner: extraRs, labels: { app: "extra" }, statuses: [waiting("app", "CrashLoopBackOff", { restarts: 3 })] })],
    want: [],
  },
  {
    name: "a paused rollout with a replica unavailable for a day is noted as paused",
    objects: [paused],
    want: [{ severity: "medium", confidence: 0.7, summary: expect.stringContaining("the rollout is paused"), evidence: evidenceWith("spec.paused: true"), remediation: { action: "investigate", summary: expect.stringContaining("Resume") } }],
  },
  { name: "created seconds ago, no status yet: none", objects: [{ ...deployment("new"), metadata: { ...deployment("new").metadata, creationTimestamp: ago(5) }, status: {} }], want: [] },
  { name: "scaled to zero: none", objects: [deployment("idle", { replicas: 0, ready: 0, available: 0, conditions: [cond("Available", "True")] })], want: [] },
]);
