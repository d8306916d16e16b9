/**
 * One coordination.k8s.io/v1 Lease, read and written with optimistic concurrency: an update
 * carries the resourceVersion it read, and a 409 (someone wrote in between, or created it first)
 * is "lost the race", not an error. The decisions are in src/app/watch/lease-decision.ts.
 */
import { AiopsError } from "../errors.ts";
import type { KubeClient } from "./client.ts";

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  /** MicroTime: RFC 3339 with six fraction digits. */
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string> };
  spec: LeaseSpec;
}

/** The three calls leader election makes; `create` and `update` answer undefined on a 409. */
export interface LeaseApi {
  readonly name: string;
  readonly namespace: string;
  get(): Promise<Lease | undefined>;
  create(spec: LeaseSpec): Promise<Lease | undefined>;
  update(lease: Lease): Promise<Lease | undefined>;
}

const RESOURCE = "leases.coordination.k8s.io";

export function leaseApi(client: KubeClient, namespace: string, name: string): LeaseApi {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const object = `${collection}/${encodeURIComponent(name)}`;
  const options = (verb: string) => ({ verb, resource: RESOURCE, namespace });
  return {
    name,
    namespace,
    get: () => client.request<Lease>(object, options("get")).catch((error: unknown) => (status(error) === 404 ? undefined : Promise.reject(error))),
    create: (spec) =>
      onConflict(
        client.request<Lease>(collection, {
          method: "POST",
          body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace, labels: { "app.kubernetes.io/name": "kubectl-aiops" } }, spec },
          ...options("create"),
        }),
      ),
    update: (lease) => onConflict(client.request<Lease>(object, { method: "PUT", body: lease, ...options("update") })),
  };
}

function status(error: unknown): number | undefined {
  return error instanceof AiopsError ? error.httpStatus : undefined;
}

async function onConflict(request: Promise<Lease>): Promise<Lease | undefined> {
  try {
    return await request;
  } catch (error) {
    if (status(error) === 409) return undefined;
    throw error;
  }
}

/** Lease times are MicroTime: the API server parses exactly six fraction digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/Z$/, "000Z");
}
