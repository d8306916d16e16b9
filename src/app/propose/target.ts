import { UsageError } from "../../errors.ts";
import { resolveKind } from "../../kube/kinds.ts";
import { apiVersionOf, readObject, type KubeApi } from "../../kube/workloads.ts";
import type { DaemonSet, KubeObject, PodTemplate } from "../../model/k8s.ts";
import type { PatchTarget } from "../../recommend/patch.ts";
import type { ProposeAction } from "./types.ts";

/** Which kinds each action changes, and why the others are refused. */
const ALLOWED: Record<ProposeAction, readonly string[]> = {
  resources: ["Deployment", "StatefulSet", "DaemonSet"],
  scale: ["Deployment", "StatefulSet"],
  hpa: ["Deployment", "StatefulSet"],
  restart: ["Pod", "Deployment", "StatefulSet", "DaemonSet"],
  rollback: ["Deployment"],
};

const REFUSAL: Record<ProposeAction, string> = {
  resources: "resources are proposed for the pod template of a Deployment, StatefulSet or DaemonSet (a pod's resources are set by its controller)",
  scale: "only Deployments and StatefulSets have a replica count (a DaemonSet runs one pod per node)",
  hpa: "an HPA scales a Deployment or a StatefulSet",
  restart: "restart takes pod/NAME (deletes that pod; its controller replaces it) or deployment|statefulset|daemonset/NAME (rolling restart)",
  rollback: "rollback returns a Deployment to its previous ReplicaSet revision (kubectl rollout undo); StatefulSet and DaemonSet revisions are not supported",
};

/** Parses KIND/NAME (or KIND NAME) and checks the kind fits the action; usage errors otherwise. */
export function parseTarget(action: ProposeAction, word: string | undefined, second: string | undefined): { kind: string; name: string } {
  if (word === undefined || word === "") throw new UsageError(`name the object: kubectl aiops propose ${action} KIND/NAME`, `e.g. kubectl aiops propose ${action} ${action === "restart" ? "pod/api-7d9f-x2k" : "deployment/web"} -n NAMESPACE`);
  let kindWord = word;
  let name = second;
  if (word.includes("/")) {
    if (second !== undefined) throw new UsageError(`give either KIND/NAME or KIND NAME, not both ("${word}" "${second}")`);
    [kindWord, name] = word.split("/", 2) as [string, string];
  }
  // kubectl's names and short names (src/kube/kinds.ts); ALLOWED says which kinds the action takes.
  const kind = resolveKind(kindWord)?.kind;
  const allowed = ALLOWED[action];
  if (kind === undefined || !allowed.includes(kind)) {
    throw new UsageError(`propose ${action} does not take kind "${kindWord}": ${REFUSAL[action]}`, `use one of: ${allowed.map((k) => `${k.toLowerCase()}/NAME`).join(", ")}`);
  }
  if (name === undefined || name === "") throw new UsageError(`name the ${kindWord}: kubectl aiops propose ${action} ${kindWord}/NAME`, `list them with kubectl get ${kindWord}`);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) throw new UsageError(`"${name}" is not a valid object name (lowercase letters, digits, '-' and '.')`);
  return { kind, name };
}

export interface Workload {
  object: KubeObject;
  kind: string;
  namespace: string;
  name: string;
  template: PodTemplate;
  /** Pods the workload runs now (spec.replicas, or the DaemonSet's scheduled count). */
  replicas: number;
}

export async function readWorkload(api: KubeApi, kind: string, namespace: string, name: string): Promise<Workload> {
  const object = await readObject<KubeObject>(api, kind, namespace, name);
  const spec = object.spec as { replicas?: number; template?: PodTemplate } | undefined;
  const template = spec?.template ?? { spec: { containers: [] } };
  const replicas = kind === "DaemonSet" ? ((object as DaemonSet).status?.desiredNumberScheduled ?? 0) : (spec?.replicas ?? 1);
  return { object, kind, namespace, name, template, replicas };
}

export function patchTargetOf(w: { kind: string; namespace: string; name: string }): PatchTarget {
  return { apiVersion: apiVersionOf(w.kind), kind: w.kind, namespace: w.namespace, name: w.name };
}

export function displayName(w: { namespace: string; name: string }): string {
  return `${w.namespace}/${w.name}`;
}
