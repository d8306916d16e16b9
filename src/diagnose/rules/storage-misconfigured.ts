import type { PersistentVolume, StorageClass } from "../../model/cluster.ts";
import type { PersistentVolumeClaim, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeEvent, eventsWith, makeFinding, remediate } from "../finding.ts";
import type { Finding, Rule, Severity } from "../types.ts";
import { listedIn } from "./services.ts";
import { conditionOf, PVC_GRACE_S } from "./shared.ts";

/** A Released volume kept by reclaimPolicy Retain longer than this is forgotten data (and cost), not a pending reuse. */
export const RELEASED_RETAIN_S = 7 * 24 * 60 * 60;

const DEFAULT_CLASS = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];
const NO_PROVISIONER = "kubernetes.io/no-provisioner";

/**
 * Storage set up so that it cannot work; one finding per object, first cause wins.
 * Claims (Pending past PVC_GRACE_S, judged only when the snapshot holds the StorageClasses):
 * - it names a StorageClass that does not exist;
 * - it names none while the cluster has no default class (and no class-less volume is free);
 * - its class has no provisioner (kubernetes.io/no-provisioner) and binds Immediately: nothing
 *   ever creates its volume, and local volumes would bind before the pod has a node;
 * - it is Lost: its PersistentVolume is gone.
 * Volumes: phase Failed (the reclaim policy could not be carried out); Released under Retain
 * for more than RELEASED_RETAIN_S (by status.lastPhaseTransitionTime); still held by an earlier
 * claim of the name a new claim has (the classic "re-created the claim, the data does not come
 * back"); Bound to a claim that no longer exists (only when the snapshot lists that namespace). A Pending claim with one of these causes is reported here only: PVCPending defers to it.
 */
export const storageMisconfigured: Rule = {
  id: "storage.misconfigured",
  category: "StorageMisconfigured",
  kinds: ["PersistentVolumeClaim", "PersistentVolume"],
  evaluate(object, ctx) {
    return object.kind === "PersistentVolume" ? judgeVolume(object as PersistentVolume, ctx) : judgeClaim(object as PersistentVolumeClaim, ctx);
  },
};

function judgeClaim(claim: PersistentVolumeClaim, ctx: RuleContext): Finding[] {
  const name = claim.metadata.name;
  const phase = claim.status?.phase;
  const className = claim.spec.storageClassName;
  const evidence = [`status.phase: ${phase ?? "-"}; spec.storageClassName: ${className === undefined ? "(unset)" : className === "" ? '"" (no class: static binding)' : className}${claim.spec.volumeName === undefined ? "" : `; spec.volumeName: ${claim.spec.volumeName}`}`];
  const finding = (severity: Severity, confidence: number, summary: string, fix: string, extra: string[] = [], since?: string): Finding[] => [
    makeFinding(storageMisconfigured, { object: claim, severity, confidence, summary: `PersistentVolumeClaim ${name} ${summary}`, evidence: [...evidence, ...extra], ...(since === undefined ? {} : { since }), remediation: remediate(ctx, "storage", fix, claim) }),
  ];

  if (phase === "Lost") {
    const volume = claim.spec.volumeName;
    const gone = volume !== undefined && ctx.has("PersistentVolume") && ctx.get("PersistentVolume", undefined, volume) === undefined;
    return finding(
      "high",
      0.95,
      `lost its volume${volume === undefined ? "" : ` ${volume}`} (phase Lost): the PersistentVolume it was bound to is gone, and its data may be too.`,
      `Restore PersistentVolume ${volume ?? "-"} from a backup (or re-create it with spec.claimRef to this claim), or delete and re-create claim ${name} and restore the data.`,
      gone ? [`PersistentVolume ${volume ?? "-"}: not in the cluster`] : [],
      conditionOf(claim, "Lost")?.lastTransitionTime,
    );
  }
  if (phase !== "Pending" || ctx.ageSeconds(claim.metadata.creationTimestamp) <= PVC_GRACE_S) return [];
  if (claim.spec.volumeName !== undefined || className === "") return [];
  const classes = ctx.all<StorageClass>("StorageClass");
  if (classes.length === 0) return [];

  const event = eventsWith(ctx, claim, ["ProvisioningFailed", "FailedBinding", "ExternalProvisioning"]).at(-1);
  if (event !== undefined) evidence.push(describeEvent(event));
  const blocked = blockedConsumers(claim, ctx);
  for (const pod of blocked.slice(0, 3)) evidence.push(`pod ${pod.metadata.name} uses it and cannot be scheduled`);
  const severity = (otherwise: Severity): Severity => (blocked.length > 0 ? "critical" : otherwise);
  const known = classes.map((c) => c.metadata.name).sort().join(", ");
  const since = claim.metadata.creationTimestamp;

  if (className === undefined) {
    if (classes.some(isDefault)) return [];
    // It can still bind to a class-less volume an administrator made.
    if (ctx.all<PersistentVolume>("PersistentVolume").some((pv) => pv.status?.phase === "Available" && (pv.spec.storageClassName ?? "") === "")) return [];
    return finding(
      severity("medium"),
      0.8,
      `sets no storageClassName and the cluster has no default StorageClass: nothing provisions a volume for it.`,
      `Set spec.storageClassName of claim ${name} to one of ${known}, or mark one class as the default (annotation storageclass.kubernetes.io/is-default-class: "true").`,
      [`StorageClasses: ${known}; none has storageclass.kubernetes.io/is-default-class=true`],
      since,
    );
  }
  const storageClass = ctx.get<StorageClass>("StorageClass", undefined, className);
  if (storageClass === undefined) {
    return finding(
      severity("high"),
      0.95,
      `names StorageClass ${className}, which does not exist: it never binds.`,
      `Create StorageClass ${className}, or re-create claim ${name} with an existing class (${known}); storageClassName cannot be changed on a claim.`,
      [`StorageClass ${className}: not in the cluster (classes: ${known})`],
      since,
    );
  }
  if (storageClass.provisioner === NO_PROVISIONER && (storageClass.volumeBindingMode ?? "Immediate") === "Immediate") {
    const available = ctx.all<PersistentVolume>("PersistentVolume").filter((pv) => pv.status?.phase === "Available" && pv.spec.storageClassName === className).length;
    return finding(
      severity("medium"),
      0.85,
      `uses StorageClass ${className}, which has no provisioner and binds Immediately: nothing creates a volume for it, and no PersistentVolume of that class matches.`,
      `Create a matching PersistentVolume of class ${className}, and set volumeBindingMode: WaitForFirstConsumer on StorageClass ${className} so local volumes bind on the node the pod is scheduled to.`,
      [`StorageClass ${className}: provisioner=${NO_PROVISIONER} volumeBindingMode=${storageClass.volumeBindingMode ?? "Immediate (default)"}; ${available} Available PersistentVolume(s) of the class`],
      since,
    );
  }
  return [];
}

function judgeVolume(pv: PersistentVolume, ctx: RuleContext): Finding[] {
  const name = pv.metadata.name;
  const phase = pv.status?.phase;
  const policy = pv.spec.persistentVolumeReclaimPolicy ?? "Retain";
  const ref = pv.spec.claimRef;
  const claimName = ref?.name === undefined ? undefined : `${ref.namespace ?? "-"}/${ref.name}`;
  const evidence = [
    `status.phase: ${phase ?? "-"}${pv.status?.lastPhaseTransitionTime === undefined ? "" : ` since ${pv.status.lastPhaseTransitionTime}`}; spec.persistentVolumeReclaimPolicy: ${policy}; spec.claimRef: ${claimName ?? "-"}${pv.spec.storageClassName === undefined ? "" : `; spec.storageClassName: ${pv.spec.storageClassName}`}`,
  ];
  if (pv.status?.message !== undefined) evidence.push(`status.message: ${pv.status.message}`);
  const finding = (severity: Severity, confidence: number, summary: string, fix: string, since?: string): Finding[] => [
    makeFinding(storageMisconfigured, { object: pv, severity, confidence, summary: `PersistentVolume ${name} ${summary}`, evidence, ...(since === undefined ? {} : { since }), remediation: remediate(ctx, "storage", fix, pv) }),
  ];

  if (phase === "Failed") {
    return finding(
      "medium",
      0.9,
      `failed (${pv.status?.message ?? pv.status?.reason ?? "phase Failed"}): its reclaim policy ${policy} could not be carried out, and the disk behind it may still exist.`,
      `Read the provisioner's logs for PersistentVolume ${name}, delete the backing disk by hand if it is still there, then kubectl delete pv ${name}.`,
      pv.status?.lastPhaseTransitionTime,
    );
  }
  const sameName = ref?.name === undefined ? undefined : ctx.pvc(ref.namespace, ref.name);
  if ((phase === "Bound" || phase === "Released") && sameName !== undefined && ref?.uid !== undefined && sameName.metadata.uid !== undefined && ref.uid !== sameName.metadata.uid) {
    return finding(
      "medium",
      0.85,
      `still belongs to an earlier claim named ${claimName ?? "-"} (uid ${ref.uid}): the claim of that name now (uid ${sameName.metadata.uid}) cannot bind to it.`,
      `To give the volume's data to the new claim, remove spec.claimRef from PersistentVolume ${name} (kubectl patch pv ${name} --type=json -p '[{"op":"remove","path":"/spec/claimRef"}]') and set spec.volumeName: ${name} on claim ${claimName ?? "-"}.`,
      pv.status?.lastPhaseTransitionTime,
    );
  }
  if (phase === "Released" && policy === "Retain" && ctx.ageSeconds(pv.status?.lastPhaseTransitionTime) !== Infinity && ctx.ageSeconds(pv.status?.lastPhaseTransitionTime) > RELEASED_RETAIN_S) {
    const days = Math.floor(ctx.ageSeconds(pv.status?.lastPhaseTransitionTime) / 86_400);
    return finding(
      "low",
      0.8,
      `has been Released for ${days} days: its claim ${claimName ?? "-"} was deleted and reclaimPolicy Retain keeps the volume and its data, unused.`,
      `Decide about the data of PersistentVolume ${name}: reuse it (remove spec.claimRef so a new claim can bind) or back it up and delete the volume and its disk.`,
      pv.status?.lastPhaseTransitionTime,
    );
  }
  if (phase === "Bound" && ref?.name !== undefined && sameName === undefined) {
    // Only a snapshot that lists the claim's namespace can tell that the claim is gone.
    if (ref.namespace === undefined || !listedIn(ctx, "PersistentVolumeClaim", ref.namespace)) return [];
    return finding(
      "medium",
      0.7,
      `is Bound to claim ${claimName ?? "-"}, which no longer exists: the volume controller did not release it.`,
      `Check kube-controller-manager (its persistentvolume-binder); then release PersistentVolume ${name} (remove spec.claimRef) or delete it according to its reclaim policy.`,
    );
  }
  return [];
}

function isDefault(sc: StorageClass): boolean {
  return DEFAULT_CLASS.some((key) => sc.metadata.annotations?.[key] === "true");
}

function blockedConsumers(claim: PersistentVolumeClaim, ctx: RuleContext): Pod[] {
  return ctx
    .all<Pod>("Pod", claim.metadata.namespace)
    .filter((p) => (p.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name))
    .filter((p) => conditionOf(p, "PodScheduled")?.status === "False");
}
