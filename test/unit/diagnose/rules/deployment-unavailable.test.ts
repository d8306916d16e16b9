import { expect } from "vitest";
import { deploymentUnavailable } from "../../../../src/diagnose/rules/deployment-unavailable.ts";
import { ago, cond, DAY, deployment, evidenceWith, MIN, pod, ref, replicaSet, testRule, waiting } from "../../../helpers/objects.ts";

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
const webPods = ["a", "b"].map((s) => pod(`web-7d9f-${s}`, { owner: webRs, labels: { app: "web" }, statuses: [waiting("app", "CrashLoopBackOff", { restarts: 9 })] }));

const rolling = deployment("shop", {
  unavailable: 1,
  updated: 1,
  conditions: [cond("Available", "True", "MinimumReplicasAvailable", undefined, ago(DAY)), { ...cond("Progressing", "True", "ReplicaSetUpdated", undefined, ago(3 * MIN)), lastUpdateTime: ago(MIN) }],
});
const paused = { ...deployment("cart", { unavailable: 1, conditions: [cond("Available", "True", "MinimumReplicasAvailable", undefined, ago(DAY)), { ...cond("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", ago(DAY)), lastUpdateTime: ago(DAY) }] }) };
paused.spec = { ...paused.spec, paused: true };
const patient = deployment("slow", {
  ready: 0,
  available: 0,
  unavailable: 3,
  progressDeadlineSeconds: 1800,
  conditions: [cond("Available", "False", "MinimumReplicasUnavailable", undefined, ago(20 * MIN)), { ...cond("Progressing", "True", "ReplicaSetUpdated", undefined, ago(20 * MIN)), lastUpdateTime: ago(2 * MIN) }],
});

testRule(deploymentUnavailable, [
  {
    name: "rollout past its progress deadline, with the failing pod named",
    objects: [stuck, newRs, badPod],
    want: [
      {
        id: "deployment.unavailable",
        category: "DeploymentUnavailable",
        object: ref("Deployment", "api"),
        severity: "high",
        confidence: 0.95,
        summary: "Deployment api is unavailable: its rollout exceeded the 600s progress deadline (pods: app ImagePullBackOff).",
        evidence: evidenceWith("status: replicas=3 updated=1 ready=3 available=3 unavailable=1", "status.conditions[Progressing]: False reason=ProgressDeadlineExceeded", "spec.progressDeadlineSeconds: 600 (default)", "pod api-new-1: app ImagePullBackOff"),
        since: ago(5 * MIN),
        remediation: { action: "rollback", tier: "medium" },
      },
    ],
  },
  {
    name: "no replica available for longer than the deadline after a finished rollout",
    objects: [down, webRs, ...webPods],
    want: [{ severity: "critical", confidence: 0.85, summary: expect.stringContaining("2 of 2 replica(s) have been unavailable for longer than the 600s progress deadline (pods: app CrashLoopBackOff)"), since: ago(20 * MIN), remediation: { action: "investigate" } }],
  },
  { name: "a rollout within its deadline: none", objects: [rolling], want: [] },
  { name: "unavailable for 20 min with a 30 min deadline: none", objects: [patient], want: [] },
  {
    name: "a paused rollout with a replica unavailable for a day is noted as paused",
    objects: [paused],
    want: [{ severity: "medium", confidence: 0.7, summary: expect.stringContaining("the rollout is paused"), evidence: evidenceWith("spec.paused: true"), remediation: { action: "investigate", summary: expect.stringContaining("Resume") } }],
  },
  { name: "created seconds ago, no status yet: none", objects: [{ ...deployment("new"), metadata: { ...deployment("new").metadata, creationTimestamp: ago(5) }, status: {} }], want: [] },
  { name: "scaled to zero: none", objects: [deployment("idle", { replicas: 0, ready: 0, available: 0, conditions: [cond("Available", "True")] })], want: [] },
]);
