import { expect } from "vitest";
import { pvcPending } from "../../../../src/diagnose/rules/pvc-pending.ts";
import { ago, cond, event, evidenceWith, MIN, pod, pvc, ref, testRule } from "../../../helpers/objects.ts";

const noClass = pvc("data", { phase: "Pending", storageClass: "fast", created: ago(20 * MIN) });
const lazy = pvc("cache", { phase: "Pending", storageClass: "local-path", created: ago(20 * MIN) });
const lazyUser = pvc("logs", { phase: "Pending", storageClass: "local-path", created: ago(20 * MIN) });
const user = pod("logger-0", {
  phase: "Pending",
  statuses: [],
  spec: { volumes: [{ name: "logs", persistentVolumeClaim: { claimName: "logs" } }] },
  conditions: [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind.", ago(12 * MIN))],
});
const staticClaim = pvc("archive", { phase: "Pending", created: ago(20 * MIN) });
const young = pvc("new", { phase: "Pending", storageClass: "fast", created: ago(30) });

testRule(pvcPending, [
  {
    name: "provisioning fails: the StorageClass does not exist",
    objects: [noClass, event(noClass, "ProvisioningFailed", 'storageclass.storage.k8s.io "fast" not found', { first: ago(19 * MIN), last: ago(MIN), count: 60 })],
    want: [
      {
        id: "pvc.pending",
        category: "PVCPending",
        object: ref("PersistentVolumeClaim", "data"),
        severity: "high",
        confidence: 0.9,
        summary: "PersistentVolumeClaim data stays Pending: StorageClass fast does not exist.",
        evidence: evidenceWith("status.phase: Pending", "spec.storageClassName: fast", "ProvisioningFailed x60"),
        since: ago(19 * MIN),
        remediation: { action: "storage", tier: "critical", summary: expect.stringContaining("create StorageClass fast") },
      },
    ],
  },
  { name: "waiting for a first consumer, no pod yet: none", objects: [lazy, event(lazy, "WaitForFirstConsumer", "waiting for first consumer to be created before binding", { type: "Normal" })], want: [] },
  {
    name: "waiting for a first consumer that cannot be scheduled",
    objects: [lazyUser, user, event(lazyUser, "WaitForFirstConsumer", "waiting for first consumer to be created before binding", { type: "Normal" })],
    want: [{ severity: "critical", confidence: 0.75, summary: expect.stringContaining("pod logger-0 that needs it cannot be scheduled"), evidence: evidenceWith("pod logger-0 uses it: status.conditions[PodScheduled]: False"), since: ago(12 * MIN) }],
  },
  { name: "no persistent volumes available, nobody uses it: none", objects: [staticClaim, event(staticClaim, "FailedBinding", "no persistent volumes available for this claim and no storage class is set")], want: [] },
  { name: "failing for 30 seconds: none", objects: [young, event(young, "ProvisioningFailed", 'storageclass.storage.k8s.io "fast" not found')], want: [] },
  { name: "a Bound claim: none", objects: [pvc("bound")], want: [] },
]);
