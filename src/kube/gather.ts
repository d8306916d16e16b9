import type { ContainerLogs, Snapshot } from "../diagnose/context.ts";
import { allContainerStatuses } from "../diagnose/finding.ts";
import { AiopsError, ForbiddenError, NotFoundError } from "../errors.ts";
import type { KubeObject, Pod } from "../model/k8s.ts";
import { redactLines } from "../util/redact.ts";
import type { KubeClient } from "./client.ts";
import { apiVersionOf, collectionPath, rbacResourceOf, requireKind, type KindSpec } from "./kinds.ts";

interface Collection {
  spec: KindSpec;
  /** Without it nothing can be diagnosed: a 403 is an error, not a warning. */
  required?: boolean;
  /** Not served by every cluster (CRDs): a 404 skips it with a note. */
  optional?: boolean;
}

/** Pods first: gatherSnapshot reads logs as soon as that list is in. */
const COLLECTIONS: readonly Collection[] = [
  { spec: requireKind("Pod"), required: true },
  ...["Event", "Service", "EndpointSlice", "PersistentVolumeClaim", "ResourceQuota", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "HorizontalPodAutoscaler", "Node"].map((kind) => ({ spec: requireKind(kind) })),
  // The kinds of k8sgpt's analyzers beyond workloads; a cluster without one (Gateway API CRDs)
  // or RBAC that refuses it skips it with a note.
  ...["CronJob", "Ingress", "IngressClass", "NetworkPolicy", "PodDisruptionBudget", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "PersistentVolume", "StorageClass", "Gateway", "HTTPRoute", "GatewayClass"].map((kind) => ({ spec: requireKind(kind), optional: true })),
];

export type GatherScope = { namespace: string } | { allNamespaces: true };

export interface GatherOptions {
  /** Log lines per container instance; 0 disables logs. */
  logLines: number;
  /** At most this many containers get their logs read (each costs one or two requests). */
  maxLogContainers: number;
  now: () => Date;
  warn: (message: string) => void;
}

/**
 * Reads everything a diagnosis needs with one paginated list per resource type for the whole
 * scope (never one call per object), so the request count does not grow with the number of
 * pods; and, as soon as the pods are in, the logs of a bounded number of failing containers.
 */
export async function gatherSnapshot(client: KubeClient, scope: GatherScope, options: GatherOptions): Promise<Snapshot> {
  const namespace = "namespace" in scope ? scope.namespace : undefined;
  const unserved: KindSpec[] = [];
  const lists = COLLECTIONS.map((c) => listCollection(client, c, namespace, options, unserved));
  // Which logs to read depends on the pods alone: read them while the other lists arrive.
  const pods = lists[0] as Promise<Pod[]>;
  const logs = options.logLines > 0 ? pods.then((p) => gatherLogs(client, p, options)) : Promise.resolve({});
  const [{ objects, now }, logsRead] = await Promise.all([Promise.all(lists).then((l) => ({ objects: l.flat(), now: options.now().toISOString() })), logs]);
  if (unserved.length > 0) options.warn(unservedNote(unserved));
  return { now, objects, logs: logsRead };
}

/** One line for every kind the cluster does not serve, grouped by API group, in a stable order. */
export function unservedNote(specs: readonly KindSpec[]): string {
  const byGroup = new Map<string, string[]>();
  for (const spec of specs) {
    const group = spec.group === "" ? "core" : spec.group;
    byGroup.set(group, [...(byGroup.get(group) ?? []), spec.plural]);
  }
  const parts = [...byGroup].sort(([a], [b]) => a.localeCompare(b)).map(([group, plurals]) => `${plurals.sort().join(", ")} (${group})`);
  return `note: this cluster does not serve ${parts.join("; ")}; not checked`;
}

async function listCollection(client: KubeClient, c: Collection, namespace: string | undefined, options: GatherOptions, unserved: KindSpec[]): Promise<KubeObject[]> {
  try {
    const items = await client.list<KubeObject>(collectionPath(c.spec, namespace), {
      verb: "list",
      resource: rbacResourceOf(c.spec),
      ...(c.spec.namespaced && namespace !== undefined ? { namespace } : {}),
    });
    for (const item of items) {
      item.kind = c.spec.kind;
      item.apiVersion = apiVersionOf(c.spec);
      slim(item);
    }
    return items;
  } catch (error) {
    if (c.required === true) throw error;
    if (error instanceof ForbiddenError) {
      options.warn(`warning: ${error.message}; ${c.spec.plural} not checked (${error.hint ?? ""})`);
      return [];
    }
    if (error instanceof NotFoundError) {
      if (c.optional === true) unserved.push(c.spec);
      return [];
    }
    throw error;
  }
}

/**
 * Drops what no rule reads and that weighs most in memory: managedFields (often a third of an
 * object) and the last-applied-configuration annotation (a second copy of the spec).
 */
function slim(object: KubeObject): void {
  delete (object.metadata as { managedFields?: unknown }).managedFields;
  const annotations = object.metadata.annotations;
  if (annotations !== undefined) delete annotations["kubectl.kubernetes.io/last-applied-configuration"];
}

/**
 * A container is worth its logs when it is failing now or failed recently. Which instances to
 * read: the current one only while it runs or has ended (the kubelet answers a read of a waiting
 * container with its last instance: in a crash loop both reads return the same lines), the
 * previous one when there was one.
 */
export function logReads(pod: Pod): { name: string; current: boolean; previous: boolean }[] {
  return allContainerStatuses(pod)
    .map(({ status }) => status)
    .filter((s) => s.state?.waiting?.reason === "CrashLoopBackOff" || (s.state?.terminated?.exitCode ?? 0) !== 0 || (s.restartCount > 0 && !s.ready) || s.state?.waiting?.reason === "RunContainerError")
    .map((s) => ({ name: s.name, current: s.state?.waiting === undefined, previous: s.restartCount > 0 || s.lastState?.terminated !== undefined }))
    .filter((c) => c.current || c.previous);
}

async function gatherLogs(client: KubeClient, pods: readonly Pod[], options: GatherOptions): Promise<Record<string, ContainerLogs>> {
  const wanted = pods.flatMap((pod) => logReads(pod).map((c) => ({ pod, ...c }))).slice(0, options.maxLogContainers);
  const logs: Record<string, ContainerLogs> = {};
  let forbidden = false;
  await forEachBounded(wanted, LOG_CONTAINERS_IN_FLIGHT, async ({ pod, name, current, previous }) => {
    const key = `${pod.metadata.namespace ?? ""}/${pod.metadata.name}/${name}`;
    const read = async (prev: boolean): Promise<string[] | undefined> => {
      try {
        const text = await client.request<string>(`/api/v1/namespaces/${pod.metadata.namespace ?? ""}/pods/${pod.metadata.name}/log`, {
          query: { container: name, tailLines: options.logLines, previous: prev ? true : undefined },
          verb: "get",
          resource: "pods/log",
          namespace: pod.metadata.namespace ?? "",
          text: true,
        });
        return redactLines(text.split("\n").filter((line) => line !== "").slice(-options.logLines));
      } catch (error) {
        if (error instanceof ForbiddenError && !forbidden) {
          forbidden = true;
          options.warn(`warning: ${error.message}; container logs not read`);
        }
        // A log that cannot be read (no previous instance, kubelet unreachable) is not an error.
        if (error instanceof AiopsError) return undefined;
        throw error;
      }
    };
    const [now, prev] = await Promise.all([current ? read(false) : undefined, previous ? read(true) : undefined]);
    const entry: ContainerLogs = {};
    if (now !== undefined && now.length > 0) entry.current = now;
    if (prev !== undefined && prev.length > 0) entry.previous = prev;
    if (entry.current !== undefined || entry.previous !== undefined) logs[key] = entry;
  });
  return logs;
}

/**
 * Containers whose logs are read at a time (up to two requests each, current and previous). The log
 * reads go through the kubelets; more in flight only queue behind the lists on the client's
 * connections (kube/client.ts) and on the API server.
 */
const LOG_CONTAINERS_IN_FLIGHT = 4;

/** Runs `fn` over `items` with at most `limit` calls in flight; rejects with the first failure. */
async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
