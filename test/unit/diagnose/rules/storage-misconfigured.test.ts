import { describe, expect, it } from "vitest";
import { pvcPending } from "../../../../src/diagnose/rules/pvc-pending.ts";
import { storageMisconfigured } from "../../../../src/diagnose/rules/storage-misconfigured.ts";
import { pv, storageClass } from "../../../helpers/cluster-objects.ts";
import { ago, clusterRef, cond, DAY, event, evidenceWith, findingsOf, MIN, pod, pvc, ref, testRule } from "../../../helpers/objects.ts";

const classes = [storageClass("gp3", { isDefault: true }), storageClass("standard", { provisioner: "rancher.io/local-path" })];
const noDefault = [storageClass("gp3"), storageClass("standard", { provisioner: "rancher.io/local-path" })];
const local = storageClass("local", { provisioner: "kubernetes.io/no-provisioner", bindingMode: "Immediate" });
const localLazy = storageClass("local-lazy", { provisioner: "kubernetes.io/no-provisioner" });

const typo = pvc("data", { phase: "Pending", storageClass: "fast", created: ago(20 * MIN) });
const consumer = pod("db-0", {
  phase: "Pending",
  statuses: [],
  spec: { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] },
  conditions: [cond("PodScheduled", "False", "Unschedulable", 'persistentvolumeclaim "data" not bound', ago(15 * MIN))],
});
const classless = pvc("cache", { phase: "Pending", created: ago(20 * MIN) });
const onLocal = pvc("scratch", { phase: "Pending", storageClass: "local", created: ago(20 * MIN) });
const lost = pvc("data", { phase: "Lost", storageClass: "gp3", volumeName: "pvc-123" });
const recreated = pvc("data", { phase: "Pending", storageClass: "gp3", created: ago(10 * MIN) });
recreated.metadata.uid = "uid-new-data";

testRule(storageMisconfigured, [
  {
    name: "a claim names a StorageClass that does not exist",
    objects: [typo, ...classes, event(typo, "ProvisioningFailed", 'storageclass.storage.k8s.io "fast" not found', { first: ago(19 * MIN), last: ago(MIN), count: 60 })],
    want: [
      {
        id: "storage.misconfigured",
        category: "StorageMisconfigured",
        object: ref("PersistentVolumeClaim", "data"),
        severity: "high",
        confidence: 0.95,
        summary: "PersistentVolumeClaim data names StorageClass fast, which does not exist: it never binds.",
        evidence: evidenceWith("status.phase: Pending; spec.storageClassName: fast", "ProvisioningFailed x60", "StorageClass fast: not in the cluster (classes: gp3, standard)"),
        since: ago(20 * MIN),
        remediation: { action: "storage", tier: "critical", summary: expect.stringContaining("Create StorageClass fast") },
        runbook: "runbooks/storagemisconfigured.md",
      },
    ],
  },
  { name: "... and a pod waits for it: critical", objects: [typo, consumer, ...classes], want: [{ severity: "critical", evidence: evidenceWith("pod db-0 uses it and cannot be scheduled") }] },
  {
    name: "no class named and no default class",
    objects: [classless, ...noDefault],
    want: [{ severity: "medium", confidence: 0.8, summary: "PersistentVolumeClaim cache sets no storageClassName and the cluster has no default StorageClass: nothing provisions a volume for it.", evidence: evidenceWith("spec.storageClassName: (unset)", "StorageClasses: gp3, standard; none has") }],
  },
  { name: "no class named, a default exists (it is being assigned): none", objects: [classless, ...classes], want: [] },
  { name: "no class named, no default, but a class-less volume is free: none", objects: [classless, ...noDefault, pv("pv-manual", { phase: "Available", claim: undefined })], want: [] },
  {
    name: "a class without provisioner that binds Immediately",
    objects: [onLocal, local, pv("pv-local-1", { phase: "Available", storageClass: "local", claim: undefined })],
    want: [{ severity: "medium", confidence: 0.85, summary: expect.stringContaining("uses StorageClass local, which has no provisioner and binds Immediately"), evidence: evidenceWith("provisioner=kubernetes.io/no-provisioner volumeBindingMode=Immediate; 1 Available PersistentVolume(s) of the class"), remediation: { summary: expect.stringContaining("WaitForFirstConsumer") } }],
  },
  { name: "a class without provisioner that waits for the first consumer: none", objects: [pvc("scratch", { phase: "Pending", storageClass: "local-lazy", created: ago(20 * MIN) }), localLazy], want: [] },
  { name: "no StorageClass in the snapshot: not judged here", objects: [typo], want: [] },
  { name: "storageClassName \"\" (static binding): none", objects: [pvc("static", { phase: "Pending", storageClass: "", created: ago(20 * MIN) }), ...classes], want: [] },
  { name: "pending for 30 seconds: none", objects: [pvc("new", { phase: "Pending", storageClass: "fast", created: ago(30) }), ...classes], want: [] },
  { name: "a Bound claim whose class was deleted since: none", objects: [pvc("old", { storageClass: "retired", volumeName: "pvc-9" }), ...classes], want: [] },
  {
    name: "a claim whose volume is gone (Lost)",
    objects: [lost, pv("pvc-other", { claim: { name: "other" } }), pvc("other", { volumeName: "pvc-other" })],
    want: [{ severity: "high", confidence: 0.95, summary: "PersistentVolumeClaim data lost its volume pvc-123 (phase Lost): the PersistentVolume it was bound to is gone, and its data may be too.", evidence: evidenceWith("status.phase: Lost", "PersistentVolume pvc-123: not in the cluster") }],
  },
  {
    name: "a volume whose reclaim failed",
    objects: [pv("pvc-77", { phase: "Failed", claim: { name: "old" }, message: "error deleting EBS volume \"vol-0abc\": VolumeInUse", since: ago(3 * DAY) })],
    want: [
      {
        object: clusterRef("PersistentVolume", "pvc-77"),
        severity: "medium",
        confidence: 0.9,
        summary: expect.stringContaining('PersistentVolume pvc-77 failed (error deleting EBS volume "vol-0abc": VolumeInUse): its reclaim policy Delete could not be carried out'),
        evidence: evidenceWith("status.message: error deleting EBS volume"),
        since: ago(3 * DAY),
        remediation: { action: "storage", tier: "critical" },
      },
    ],
  },
  { name: "Released under Retain for 30 days", objects: [pv("pv-old", { phase: "Released", reclaim: "Retain", claim: { name: "gone" }, since: ago(30 * DAY) })], want: [{ severity: "low", confidence: 0.8, summary: expect.stringContaining("has been Released for 30 days: its claim shop/gone was deleted") }] },
  { name: "Released under Retain for 2 days: none", objects: [pv("pv-recent", { phase: "Released", reclaim: "Retain", claim: { name: "gone" }, since: ago(2 * DAY) })], want: [] },
  {
    name: "Released from a claim that was re-created under the same name",
    objects: [pv("pvc-123", { phase: "Released", reclaim: "Retain", claim: { name: "data" }, since: ago(10 * MIN) }), recreated, ...classes],
    want: [
      { object: clusterRef("PersistentVolume", "pvc-123"), severity: "medium", confidence: 0.85, summary: expect.stringContaining("still belongs to an earlier claim named shop/data (uid uid-PersistentVolumeClaim-data): the claim of that name now (uid uid-new-data) cannot bind to it") },
    ],
  },
  { name: "Bound to a claim that no longer exists (its namespace is listed)", objects: [pv("pvc-5", { claim: { name: "deleted" } }), pvc("other")], want: [{ confidence: 0.7, summary: expect.stringContaining("is Bound to claim shop/deleted, which no longer exists") }] },
  { name: "Bound to a claim of a namespace not in the snapshot: none", objects: [pv("pvc-6", { claim: { namespace: "elsewhere", name: "x" } }), pvc("other")], want: [] },
  { name: "Bound to its claim: none", objects: [pv("pvc-123", { storageClass: "gp3" }), pvc("data", { storageClass: "gp3", volumeName: "pvc-123" }), ...classes], want: [] },
  { name: "Released under Delete (being deleted): none", objects: [pv("pvc-8", { phase: "Released", claim: { name: "gone" }, since: ago(30 * DAY) })], want: [] },
]);

describe("PVCPending defers to StorageMisconfigured", () => {
  it("reports a missing class once, as StorageMisconfigured", () => {
    const objects = [typo, consumer, ...classes, event(typo, "ProvisioningFailed", 'storageclass.storage.k8s.io "fast" not found', { first: ago(19 * MIN), last: ago(MIN) })];
    expect(findingsOf(pvcPending, objects)).toEqual([]);
    expect(findingsOf(storageMisconfigured, objects).map((f) => f.category)).toEqual(["StorageMisconfigured"]);
  });

  it("still reports what the storage setup does not explain", () => {
    const objects = [typo, ...classes.slice(0, 1), storageClass("fast"), event(typo, "ProvisioningFailed", "rpc error: code = ResourceExhausted desc = volume limit reached", { first: ago(19 * MIN), last: ago(MIN) })];
    expect(findingsOf(storageMisconfigured, objects)).toEqual([]);
    expect(findingsOf(pvcPending, objects).map((f) => f.category)).toEqual(["PVCPending"]);
  });
});
