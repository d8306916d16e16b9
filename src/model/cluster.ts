/**
 * Kubernetes objects beyond the workloads of k8s.ts that the cluster-level rules read: CronJobs,
 * PodDisruptionBudgets, PersistentVolumes and StorageClasses. Plain JSON as the API server sends
 * it; only the fields the core reads are typed.
 */
import type { Condition, Job, KubeObject, LabelSelector, ObjectMeta } from "./k8s.ts";

export interface CronJob extends KubeObject {
  spec: {
    schedule: string;
    /** An IANA zone name; without it the schedule runs in kube-controller-manager's zone. */
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: string;
    suspend?: boolean;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate: { metadata?: Partial<ObjectMeta>; spec: Job["spec"] };
  };
  status?: {
    active?: { kind?: string; namespace?: string; name: string; uid?: string }[];
    lastScheduleTime?: string;
    lastSuccessfulTime?: string;
  };
}

export interface PodDisruptionBudget extends KubeObject {
  spec: {
    /** A count or a percentage ("50%"); at most one of minAvailable and maxUnavailable is set. */
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    /** Absent: selects no pod; `{}`: every pod of the namespace (policy/v1). */
    selector?: LabelSelector;
    unhealthyPodEvictionPolicy?: string;
  };
  status?: {
    currentHealthy?: number;
    desiredHealthy?: number;
    disruptionsAllowed?: number;
    expectedPods?: number;
    observedGeneration?: number;
    conditions?: Condition[];
  };
}

export interface PersistentVolume extends KubeObject {
  spec: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    storageClassName?: string;
    claimRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
    volumeMode?: string;
  };
  status?: { phase?: string; reason?: string; message?: string; lastPhaseTransitionTime?: string };
}

export interface StorageClass extends KubeObject {
  provisioner: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowVolumeExpansion?: boolean;
  parameters?: Record<string, string>;
}
