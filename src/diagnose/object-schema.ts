import { z } from "zod";
import type {
  DaemonSet,
  Deployment,
  EndpointSlice,
  Endpoints,
  HorizontalPodAutoscaler,
  Job,
  KubeEvent,
  KubeObject,
  Node,
  PersistentVolumeClaim,
  Pod,
  ReplicaSet,
  ResourceQuota,
  Service,
  StatefulSet,
} from "../model/k8s.ts";

/**
 * The shape the rules rely on, checked where objects enter from a file (`diagnose -f`): every
 * field src/model/k8s.ts types, with its type and whether it is required. A rule may then write
 * `pod.spec.containers.find(...)` without a guard. Other fields are not checked and pass through:
 * the object kept is the input itself, not zod's (stripped) output, which also saves a copy.
 * The `satisfies` clauses make the compiler hold each schema to its model type (a field the
 * model adds must still be added here by hand).
 */

const strings = z.record(z.string(), z.string());
const stringList = z.array(z.string());
const intOrString = z.union([z.number(), z.string()]);
/** Events print absent times as null. */
const optionalTime = z.string().nullable().optional();

const ownerReference = z.object({ apiVersion: z.string().optional(), kind: z.string(), name: z.string(), uid: z.string().optional(), controller: z.boolean().optional() });

const metadata = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: strings.optional(),
  annotations: strings.optional(),
  ownerReferences: z.array(ownerReference).optional(),
});

const condition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  lastUpdateTime: z.string().optional(),
  lastHeartbeatTime: z.string().optional(),
});
const conditions = z.array(condition).optional();

const labelSelector = z.object({
  matchLabels: strings.optional(),
  matchExpressions: z.array(z.object({ key: z.string(), operator: z.string(), values: stringList.optional() })).optional(),
});

const resources = z.object({ requests: strings.optional(), limits: strings.optional() });

const probe = z.object({
  initialDelaySeconds: z.number().optional(),
  periodSeconds: z.number().optional(),
  failureThreshold: z.number().optional(),
  timeoutSeconds: z.number().optional(),
  httpGet: z.object({ path: z.string().optional(), port: intOrString.optional() }).optional(),
  tcpSocket: z.object({ port: intOrString.optional() }).optional(),
  exec: z.object({ command: stringList.optional() }).optional(),
  grpc: z.object({ port: z.number().optional() }).optional(),
});

const keyRef = z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() });
const nameRef = z.object({ name: z.string(), optional: z.boolean().optional() });

const container = z.object({
  name: z.string(),
  image: z.string().optional(),
  command: stringList.optional(),
  args: stringList.optional(),
  env: z
    .array(
      z.object({
        name: z.string(),
        value: z.string().optional(),
        valueFrom: z.object({ secretKeyRef: keyRef.optional(), configMapKeyRef: keyRef.optional(), fieldRef: z.unknown().optional(), resourceFieldRef: z.unknown().optional() }).optional(),
      }),
    )
    .optional(),
  envFrom: z.array(z.object({ secretRef: nameRef.optional(), configMapRef: nameRef.optional() })).optional(),
  resources: resources.optional(),
  livenessProbe: probe.optional(),
  readinessProbe: probe.optional(),
  startupProbe: probe.optional(),
  restartPolicy: z.string().optional(),
  securityContext: z.object({ privileged: z.boolean().optional(), runAsNonRoot: z.boolean().optional(), runAsUser: z.number().optional() }).optional(),
  ports: z.array(z.object({ containerPort: z.number(), name: z.string().optional(), protocol: z.string().optional() })).optional(),
});

const containerState = z.object({
  waiting: z.object({ reason: z.string().optional(), message: z.string().optional() }).optional(),
  running: z.object({ startedAt: z.string().optional() }).optional(),
  terminated: z
    .object({ exitCode: z.number(), reason: z.string().optional(), message: z.string().optional(), startedAt: z.string().optional(), finishedAt: z.string().optional(), signal: z.number().optional() })
    .optional(),
});

const containerStatus = z.object({
  name: z.string(),
  ready: z.boolean(),
  started: z.boolean().optional(),
  restartCount: z.number(),
  image: z.string().optional(),
  imageID: z.string().optional(),
  state: containerState.optional(),
  lastState: containerState.optional(),
});

const podSpec = z.object({
  containers: z.array(container),
  initContainers: z.array(container).optional(),
  nodeName: z.string().optional(),
  nodeSelector: strings.optional(),
  imagePullSecrets: z.array(z.object({ name: z.string() })).optional(),
  serviceAccountName: z.string().optional(),
  volumes: z
    .array(
      z.object({
        name: z.string(),
        persistentVolumeClaim: z.object({ claimName: z.string() }).optional(),
        secret: z.object({ secretName: z.string() }).optional(),
        configMap: z.object({ name: z.string() }).optional(),
      }),
    )
    .optional(),
  restartPolicy: z.string().optional(),
  tolerations: z.array(z.unknown()).optional(),
  affinity: z.unknown().optional(),
});

const podTemplate = z.object({ metadata: metadata.partial().optional(), spec: podSpec });

const object = z.object({ apiVersion: z.string().optional(), kind: z.string().optional(), metadata, spec: z.unknown().optional(), status: z.unknown().optional() });

const pod = object.extend({
  spec: podSpec,
  status: z
    .object({
      phase: z.string().optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
      conditions,
      containerStatuses: z.array(containerStatus).optional(),
      initContainerStatuses: z.array(containerStatus).optional(),
      startTime: z.string().optional(),
      podIP: z.string().optional(),
      hostIP: z.string().optional(),
    })
    .optional(),
}) satisfies z.ZodType<Pod>;

const replicas = z.number().optional();

const deployment = object.extend({
  spec: z.object({ replicas, selector: labelSelector, template: podTemplate, progressDeadlineSeconds: z.number().optional(), paused: z.boolean().optional(), strategy: z.unknown().optional() }),
  status: z
    .object({
      replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      unavailableReplicas: replicas,
      updatedReplicas: replicas,
      observedGeneration: z.number().optional(),
      conditions,
    })
    .optional(),
}) satisfies z.ZodType<Deployment>;

const replicaSet = object.extend({
  spec: z.object({ replicas, selector: labelSelector, template: podTemplate.optional() }),
  status: z.object({ replicas, readyReplicas: replicas, availableReplicas: replicas, conditions }).optional(),
}) satisfies z.ZodType<ReplicaSet>;

const statefulSet = object.extend({
  spec: z.object({ replicas, selector: labelSelector, template: podTemplate, serviceName: z.string().optional() }),
  status: z.object({ replicas, readyReplicas: replicas, availableReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, conditions }).optional(),
}) satisfies z.ZodType<StatefulSet>;

const daemonSet = object.extend({
  spec: z.object({ selector: labelSelector, template: podTemplate }),
  status: z
    .object({ desiredNumberScheduled: replicas, numberReady: replicas, numberAvailable: replicas, numberUnavailable: replicas, numberMisscheduled: replicas, conditions })
    .optional(),
}) satisfies z.ZodType<DaemonSet>;

const job = object.extend({
  spec: z.object({
    backoffLimit: z.number().optional(),
    completions: z.number().optional(),
    parallelism: z.number().optional(),
    activeDeadlineSeconds: z.number().optional(),
    selector: labelSelector.optional(),
    template: podTemplate,
  }),
  status: z
    .object({ active: replicas, succeeded: replicas, failed: replicas, startTime: z.string().optional(), completionTime: z.string().optional(), conditions })
    .optional(),
}) satisfies z.ZodType<Job>;

const service = object.extend({
  spec: z.object({
    selector: strings.optional(),
    type: z.string().optional(),
    ports: z.array(z.object({ port: z.number(), targetPort: intOrString.optional(), name: z.string().optional(), protocol: z.string().optional() })).optional(),
    clusterIP: z.string().optional(),
    externalName: z.string().optional(),
  }),
}) satisfies z.ZodType<Service>;

const targetRef = z.object({ kind: z.string().optional(), name: z.string().optional(), namespace: z.string().optional(), uid: z.string().optional() });
const endpointAddresses = z.array(z.object({ ip: z.string(), targetRef: targetRef.optional() })).optional();

const endpoints = object.extend({
  subsets: z.array(z.object({ addresses: endpointAddresses, notReadyAddresses: endpointAddresses, ports: z.array(z.unknown()).optional() })).optional(),
}) satisfies z.ZodType<Endpoints>;

const endpointSlice = object.extend({
  endpoints: z
    .array(
      z.object({
        addresses: stringList,
        conditions: z.object({ ready: z.boolean().optional(), serving: z.boolean().optional(), terminating: z.boolean().optional() }).optional(),
        targetRef: targetRef.optional(),
      }),
    )
    .optional(),
}) satisfies z.ZodType<EndpointSlice>;

const persistentVolumeClaim = object.extend({
  spec: z.object({ storageClassName: z.string().optional(), accessModes: stringList.optional(), resources: resources.optional(), volumeName: z.string().optional() }),
  status: z.object({ phase: z.string().optional(), conditions }).optional(),
}) satisfies z.ZodType<PersistentVolumeClaim>;

const node = object.extend({
  spec: z.object({ unschedulable: z.boolean().optional(), taints: z.array(z.object({ key: z.string(), value: z.string().optional(), effect: z.string() })).optional() }).optional(),
  status: z
    .object({ conditions, allocatable: strings.optional(), capacity: strings.optional(), nodeInfo: z.object({ kubeletVersion: z.string().optional() }).optional() })
    .optional(),
}) satisfies z.ZodType<Node>;

const horizontalPodAutoscaler = object.extend({
  spec: z.object({
    scaleTargetRef: z.object({ apiVersion: z.string().optional(), kind: z.string(), name: z.string() }),
    minReplicas: replicas,
    maxReplicas: z.number(),
    metrics: z
      .array(
        z.object({
          type: z.string(),
          resource: z
            .object({ name: z.string(), target: z.object({ type: z.string(), averageUtilization: z.number().optional(), averageValue: z.string().optional() }) })
            .optional(),
        }),
      )
      .optional(),
  }),
  status: z.object({ currentReplicas: replicas, desiredReplicas: replicas, conditions, currentMetrics: z.array(z.unknown()).optional() }).optional(),
}) satisfies z.ZodType<HorizontalPodAutoscaler>;

const resourceQuota = object.extend({
  spec: z.object({ hard: strings.optional() }).optional(),
  status: z.object({ hard: strings.optional(), used: strings.optional() }).optional(),
}) satisfies z.ZodType<ResourceQuota>;

const event = object.extend({
  involvedObject: z.object({ kind: z.string().optional(), name: z.string().optional(), namespace: z.string().optional(), uid: z.string().optional(), fieldPath: z.string().optional() }),
  reason: z.string().optional(),
  message: z.string().optional(),
  type: z.string().optional(),
  count: z.number().optional(),
  firstTimestamp: optionalTime,
  lastTimestamp: optionalTime,
  eventTime: optionalTime,
  series: z.object({ count: z.number().optional(), lastObservedTime: z.string().optional() }).optional(),
  source: z.object({ component: z.string().optional(), host: z.string().optional() }).optional(),
  reportingComponent: z.string().optional(),
}) satisfies z.ZodType<KubeEvent>;

/**
 * One schema per kind the diagnosis reads; kinds read only by name and namespace (Secret,
 * ConfigMap, ServiceAccount, Namespace, CronJob) need only their metadata.
 */
const SCHEMAS: Record<string, z.ZodType<KubeObject>> = {
  Pod: pod,
  Deployment: deployment,
  ReplicaSet: replicaSet,
  StatefulSet: statefulSet,
  DaemonSet: daemonSet,
  Job: job,
  Service: service,
  Endpoints: endpoints,
  EndpointSlice: endpointSlice,
  PersistentVolumeClaim: persistentVolumeClaim,
  Node: node,
  HorizontalPodAutoscaler: horizontalPodAutoscaler,
  ResourceQuota: resourceQuota,
  Event: event,
};

/**
 * One object of a known kind as the rules may read it, or the problem in words: the first field
 * that is missing or of the wrong type, as a path. The API server prints some unset fields as
 * null (a template's `creationTimestamp: null`): null means unset, so null fields are dropped
 * first; an object without one is returned as it came.
 */
export function readObject(kind: string, value: Record<string, unknown>): { object: KubeObject } | { problem: string } {
  const schema = SCHEMAS[kind] ?? object;
  if (schema.safeParse(value).success) return { object: value as KubeObject };
  const cleaned = withoutNulls(value) as Record<string, unknown>;
  const result = schema.safeParse(cleaned);
  if (result.success) return { object: cleaned as KubeObject };
  const issue = result.error.issues[0];
  return { problem: issue === undefined ? "invalid" : `${issue.path.length === 0 ? "(object)" : issue.path.map(String).join(".")}: ${issue.message}` };
}

/**
 * A copy without the object fields whose value is null (array items stay); fromEntries keeps a
 * key named `__proto__` as data. Input depth is bounded (DIAGNOSE_INPUT_LIMITS).
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== null)
      .map(([key, field]) => [key, withoutNulls(field)]),
  );
}
