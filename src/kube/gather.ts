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
}

const COLLECTIONS: readonly Collection[] = [
  { spec: requireKind("Pod"), required: true },
  ...["Event", "Service", "EndpointSlice", "PersistentVolumeClaim", "ResourceQuota", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "HorizontalPodAutoscaler", "Node"].map((kind) => ({ spec: requireKind(kind) })),
];

export type GatherScope = { namespace: string } | { allNamespaces: true };

export interface GatherOptions {
  /** Log lines per container instance; 0 disables logs. */
  logLines: number;
  /** At most this many containers get their logs read (each costs two requests). */
  maxLogContainers: number;
  now: () => Date;
  warn: (message: string) => void;
}

/**
 * Reads everything a diagnosis needs with one paginated list per resource type for the whole
 * scope (never one call per object), so the request count does not grow with the number of
 * pods; then the logs of a bounded number of failing containers.
 */
export async function gatherSnapshot(client: KubeClient, scope: GatherScope, options: GatherOptions): Promise<Snapshot> {
  const namespace = "namespace" in scope ? scope.namespace : undefined;
  const lists = await Promise.all(COLLECTIONS.map((c) => listCollection(client, c, namespace, options)));
  const objects = lists.flat();
  const now = options.now().toISOString();
  const logs = options.logLines > 0 ? await gatherLogs(client, objects, options) : {};
  return { now, objects, logs };
}

async function listCollection(client: KubeClient, c: Collection, namespace: string | undefined, options: GatherOptions): Promise<KubeObject[]> {
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
    if (error instanceof NotFoundError) return [];
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

/** A container is worth its logs when it is failing now or failed recently. */
function failingContainers(pod: Pod): { name: string; previous: boolean }[] {
  return allContainerStatuses(pod)
    .map(({ status }) => status)
    .filter((s) => s.state?.waiting?.reason === "CrashLoopBackOff" || (s.state?.terminated?.exitCode ?? 0) !== 0 || (s.restartCount > 0 && !s.ready) || s.state?.waiting?.reason === "RunContainerError")
    .map((s) => ({ name: s.name, previous: s.restartCount > 0 || s.lastState?.terminated !== undefined }));
}

async function gatherLogs(client: KubeClient, objects: readonly KubeObject[], options: GatherOptions): Promise<Record<string, ContainerLogs>> {
  const wanted = objects
    .filter((o): o is Pod => o.kind === "Pod")
    .flatMap((pod) => failingContainers(pod).map((c) => ({ pod, ...c })))
    .slice(0, options.maxLogContainers);
  const logs: Record<string, ContainerLogs> = {};
  let forbidden = false;
  await Promise.all(
    wanted.map(async ({ pod, name, previous }) => {
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
      const [current, prev] = await Promise.all([read(false), previous ? read(true) : Promise.resolve(undefined)]);
      const entry: ContainerLogs = {};
      if (current !== undefined && current.length > 0) entry.current = current;
      if (prev !== undefined && prev.length > 0) entry.previous = prev;
      if (entry.current !== undefined || entry.previous !== undefined) logs[key] = entry;
    }),
  );
  return logs;
}
