/**
 * The workloads a report judges: Deployments, StatefulSets, DaemonSets, and pods no controller
 * owns. Jobs and the ReplicaSets and pods of a controller are covered through their owner.
 */
import type { RuleContext } from "../diagnose/context.ts";
import type { HorizontalPodAutoscaler, KubeObject, Pod, PodSpec, PodTemplate } from "../model/k8s.ts";

export type ReportWorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "Pod";

export interface WorkloadInfo {
  kind: ReportWorkloadKind;
  namespace: string;
  name: string;
  /** "Deployment/shop/api": stable text used in keys and tables. */
  ref: string;
  /** Desired replicas (DaemonSet: desired scheduled; Pod: 1). */
  replicas: number;
  spec: PodSpec;
  podLabels: Record<string, string>;
  pods: Pod[];
  hpa?: HorizontalPodAutoscaler;
}

const CONTROLLED = ["Deployment", "StatefulSet", "DaemonSet"] as const;

export function workloadRef(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

export function collectWorkloads(ctx: RuleContext): WorkloadInfo[] {
  const result: WorkloadInfo[] = [];
  for (const kind of CONTROLLED) {
    for (const object of ctx.all(kind)) {
      const template = (object.spec as { template?: PodTemplate } | undefined)?.template;
      if (template === undefined) continue;
      const info: WorkloadInfo = {
        kind,
        namespace: object.metadata.namespace ?? "",
        name: object.metadata.name,
        ref: workloadRef(kind, object.metadata.namespace, object.metadata.name),
        replicas: replicasOf(object),
        spec: template.spec,
        podLabels: template.metadata?.labels ?? {},
        pods: ctx.podsOf(object),
      };
      const hpa = ctx.hpaFor(object);
      if (hpa !== undefined) info.hpa = hpa;
      result.push(info);
    }
  }
  for (const pod of ctx.all<Pod>("Pod")) {
    if ((pod.metadata.ownerReferences ?? []).length > 0) continue;
    result.push({
      kind: "Pod",
      namespace: pod.metadata.namespace ?? "",
      name: pod.metadata.name,
      ref: workloadRef("Pod", pod.metadata.namespace, pod.metadata.name),
      replicas: 1,
      spec: pod.spec,
      podLabels: pod.metadata.labels ?? {},
      pods: [pod],
    });
  }
  return result;
}

function replicasOf(object: KubeObject): number {
  if (object.kind === "DaemonSet") return (object.status as { desiredNumberScheduled?: number } | undefined)?.desiredNumberScheduled ?? 0;
  return (object.spec as { replicas?: number } | undefined)?.replicas ?? 1;
}
