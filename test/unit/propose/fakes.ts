import { AiopsError, ForbiddenError, NotFoundError } from "../../../src/errors.ts";
import type { ProposeContext } from "../../../src/app/propose.ts";
import type { KubeApi } from "../../../src/kube/workloads.ts";
import type { MetricsSource, WorkloadUsage } from "../../../src/metrics/source.ts";
import type { Deployment, KubeObject, Pod } from "../../../src/model/k8s.ts";
import { defaultPolicy, type Policy } from "../../../src/policy/policy-file.ts";
import { resolveHistory } from "../../../src/records/history.ts";

export interface Call {
  method: string;
  path: string;
  query: Record<string, unknown>;
  contentType?: string;
  body?: unknown;
}

/**
 * A recorded API server: objects by path, every request logged. A PATCH/DELETE answers what
 * `patchAnswer` says (default: accepted), so tests can play a 403 or a 422.
 */
export function fakeApi(objects: KubeObject[], options: { patchAnswer?: (call: Call) => unknown } = {}): KubeApi & { calls: Call[] } {
  const calls: Call[] = [];
  const pathOf = (o: KubeObject): string => {
    const group = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
    const plural = { Deployment: "deployments", ReplicaSet: "replicasets", Pod: "pods", HorizontalPodAutoscaler: "horizontalpodautoscalers", StatefulSet: "statefulsets", DaemonSet: "daemonsets" }[o.kind ?? ""] ?? "unknown";
    return `${group}/namespaces/${o.metadata.namespace}/${plural}`;
  };
  const api = {
    calls,
    async request<T>(path: string, o: { method?: string; query?: Record<string, unknown>; body?: unknown; contentType?: string; verb: string; resource: string; namespace?: string }): Promise<T> {
      const call: Call = { method: o.method ?? "GET", path, query: o.query ?? {}, ...(o.contentType === undefined ? {} : { contentType: o.contentType }), ...(o.body === undefined ? {} : { body: o.body }) };
      calls.push(call);
      if (call.method !== "GET") {
        const answer = options.patchAnswer?.(call);
        if (answer instanceof Error) throw answer;
        return (answer ?? {}) as T;
      }
      const found = objects.find((x) => `${pathOf(x)}/${x.metadata.name}` === path);
      if (found === undefined) throw new NotFoundError(`${o.resource} not found`);
      return structuredClone(found) as T;
    },
    async list<T>(path: string, o: { query?: Record<string, unknown> }): Promise<T[]> {
      calls.push({ method: "LIST", path, query: o.query ?? {} });
      return objects.filter((x) => pathOf(x) === path).map((x) => structuredClone(x) as T);
    },
  };
  return api as unknown as KubeApi & { calls: Call[] };
}

export const forbiddenPatch = (call: Call): unknown => (call.method === "PATCH" ? new ForbiddenError("patch", "deployments.apps", "rightsizing", "viewer", "deployments.apps \"web\" is forbidden") : undefined);
export const invalidPatch = (call: Call): unknown => (call.method === "PATCH" ? new AiopsError("the API server answered 422 to patch deployments.apps: Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit", { httpStatus: 422 }) : undefined);

export function webDeployment(o: { namespace?: string; resources?: Record<string, Record<string, string>>; replicas?: number; initContainers?: Deployment["spec"]["template"]["spec"]["initContainers"] } = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: o.namespace ?? "rightsizing", uid: "uid-web", resourceVersion: "4711", generation: 3, annotations: { "deployment.kubernetes.io/revision": "2" } },
    spec: {
      replicas: o.replicas ?? 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [{ name: "web", image: "nginx:1.27.3", resources: o.resources ?? { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } } }],
          ...(o.initContainers === undefined ? {} : { initContainers: o.initContainers }),
        },
      },
    },
  };
}

export function webPod(name: string, o: { namespace?: string; oom?: boolean; ready?: boolean; rs?: string } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: o.namespace ?? "rightsizing", uid: `uid-${name}`, labels: { app: "web" }, ownerReferences: [{ kind: "ReplicaSet", name: o.rs ?? "web-7d9f", uid: "uid-rs", controller: true }] },
    spec: { containers: [{ name: "web" }] },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }],
      containerStatuses: [{ name: "web", ready: o.ready !== false, restartCount: o.oom === true ? 3 : 0, ...(o.oom === true ? { lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } } } : {}) }],
    },
  };
}

/** The rightsizing scenario's figures: memory p95 120Mi, peak 150Mi, cpu p95 200m. */
export function seedUsage(overrides: Partial<WorkloadUsage> = {}): WorkloadUsage {
  return {
    source: "prometheus",
    origin: "http://prometheus:9090",
    workload: { kind: "Deployment", namespace: "rightsizing", name: "web" },
    windowSeconds: 7 * 86400,
    at: "2026-11-21T12:00:00.000Z",
    containers: [{ container: "web", cpu: { p50: "150m", p95: "200m", max: "350m", samples: 20160 }, memory: { p50: "100Mi", p95: "120Mi", max: "150Mi", samples: 20160 }, firstSample: "2026-11-14T09:00:00.000Z", lastSample: "2026-11-21T09:00:00.000Z", historySeconds: 7 * 86400 }],
    confidence: "high",
    reasons: [],
    queries: ["max by (container) (quantile_over_time(0.95, container_memory_working_set_bytes{...}[7d]))"],
    ...overrides,
  };
}

export function fakeSource(usage: WorkloadUsage | Error): MetricsSource {
  return {
    kind: usage instanceof Error ? "prometheus" : usage.source,
    describe: () => (usage instanceof Error || usage.source === "prometheus" ? "Prometheus at http://prometheus:9090" : "metrics-server (metrics.k8s.io/v1beta1)"),
    usage: async () => {
      if (usage instanceof Error) throw usage;
      return usage;
    },
  };
}

export function testContext(repo: string, api: KubeApi, source: MetricsSource, o: { policy?: Policy; warnings?: string[]; namespace?: string } = {}): ProposeContext {
  return {
    api,
    namespace: o.namespace ?? "rightsizing",
    cluster: { context: "testbed", server: "https://127.0.0.1:6443" },
    policy: o.policy ?? defaultPolicy(),
    policyFile: undefined,
    history: resolveHistory({ cwd: repo, env: {} }),
    command: "kubectl aiops propose resources deployment/web -n rightsizing",
    now: () => new Date("2026-11-21T12:00:00Z"),
    warn: (message) => void o.warnings?.push(message),
    identify: async () => "alice",
    metrics: async () => ({ source, reason: "--prometheus" }),
    windowSeconds: 7 * 86400,
    allowShortHistory: false,
  };
}
