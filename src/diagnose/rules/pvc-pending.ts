import type { PersistentVolumeClaim, Pod } from "../../model/k8s.ts";
import { describeCondition, describeEvent, eventsWith, firstSeen, makeFinding, oneLine, remediate, truncate } from "../finding.ts";
import type { Rule } from "../types.ts";
import { conditionOf, PVC_GRACE_S } from "./shared.ts";
import { storageMisconfigured } from "./storage-misconfigured.ts";

const PVC_EVENTS = ["ProvisioningFailed", "FailedBinding", "WaitForFirstConsumer", "WaitForPodScheduled", "ExternalProvisioning", "Provisioning"];

/**
 * A claim that stays Pending. Provisioning failures always count. Waiting for a first consumer
 * (WaitForFirstConsumer) or for a PV an admin creates ("no persistent volumes available") is
 * how such claims normally look, so they count only when a pod using the claim cannot be
 * scheduled.
 */
export const pvcPending: Rule = {
  id: "pvc.pending",
  category: "PVCPending",
  kinds: ["PersistentVolumeClaim"],
  evaluate(object, ctx) {
    const claim = object as PersistentVolumeClaim;
    if (claim.status?.phase !== "Pending" || ctx.ageSeconds(claim.metadata.creationTimestamp) <= PVC_GRACE_S) return [];
    // A cause in the storage setup (missing class, no provisioner) is the one finding of the claim.
    if (storageMisconfigured.evaluate(claim, ctx).length > 0) return [];
    const events = eventsWith(ctx, claim, PVC_EVENTS);
    const failures = events.filter((e) => e.reason === "ProvisioningFailed");
    const consumers = ctx.all<Pod>("Pod", claim.metadata.namespace).filter((p) => (p.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name));
    const blocked = consumers.filter((p) => conditionOf(p, "PodScheduled")?.status === "False");
    if (failures.length === 0 && blocked.length === 0) return [];

    const last = (failures.length > 0 ? failures : events)[failures.length > 0 ? failures.length - 1 : events.length - 1];
    const evidence = [`status.phase: Pending since ${claim.metadata.creationTimestamp ?? "-"}; spec.storageClassName: ${claim.spec.storageClassName ?? "(unset: the default class, if any)"}`];
    if (last !== undefined) evidence.push(describeEvent(last));
    for (const pod of blocked.slice(0, 3)) {
      const scheduled = conditionOf(pod, "PodScheduled");
      if (scheduled !== undefined) evidence.push(`pod ${pod.metadata.name} uses it: ${describeCondition(scheduled)}`);
    }

    const message = last?.message ?? "";
    const cause = /storageclass[^"]*"([^"]+)" not found/i.exec(message)?.[1];
    const what =
      cause !== undefined
        ? `StorageClass ${cause} does not exist`
        : failures.length > 0
          ? `provisioning fails: ${truncate(oneLine(message), 160)}`
          : /no persistent volumes available/i.test(message)
            ? "no PersistentVolume matches it and no StorageClass provisions one"
            : `it is not bound and pod ${blocked[0]?.metadata.name ?? "-"} that needs it cannot be scheduled`;
    return [
      makeFinding(pvcPending, {
        object: claim,
        severity: blocked.length > 0 ? "critical" : "high",
        confidence: failures.length > 0 ? 0.9 : 0.75,
        summary: `PersistentVolumeClaim ${claim.metadata.name} stays Pending: ${what}.`,
        evidence,
        since: firstSeen(failures) || blocked.map((p) => conditionOf(p, "PodScheduled")?.lastTransitionTime).find((t) => t !== undefined) || claim.metadata.creationTimestamp,
        remediation: remediate(ctx, "storage", `Make claim ${claim.metadata.name} bindable: ${cause !== undefined ? `create StorageClass ${cause} or use an existing one` : "check its StorageClass, the provisioner's logs, or create a matching PersistentVolume"}.`, claim),
      }),
    ];
  },
};
