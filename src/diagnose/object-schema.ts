import { z } from "zod";
import type { CronJob, PersistentVolume, PodDisruptionBudget, StorageClass } from "../model/cluster.ts";
import type {
  DaemonSet,
  Deployment,
  DiagnosedKind,
  EndpointSlice,
  Endpoints,
  EVIDENCE_KINDS,
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
import type {
  Gateway,
  GatewayClass,
  HTTPRoute,
  Ingress,
  MutatingWebhookConfiguration,
  NetworkPolicy,
  ValidatingWebhookConfiguration,
  WebhookConfiguration,
} from "../model/network.ts";

/**
 * The shape the rules rely on, checked where objects enter from a file (`diagnose -f`): every
 * field src/model/k8s.ts types, and the fields the rules read of the kinds of
 * src/model/cluster.ts and network.ts, each with its type and whether it is required. A rule may
 * then write `pod.spec.containers.find(...)` without a guard. Other fields are not checked and
 * pass through: the object kept is the input itself, not zod's (stripped) output, which also
 * saves a copy. The `satisfies` clauses make the compiler hold each schema to its model type
 * (a field the model adds, or a rule starts to read, must still be added here by hand).
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
  schedulingGates: z.array(z.object({ name: z.string() })).optional(),
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
  spec: z.object({
    replicas,
    selector: labelSelector,
    template: podTemplate,
    serviceName: z.string().optional(),
    // A manifest may write `storageClassName: null`: unset, the default class, as the rule reads it.
    volumeClaimTemplates: z.array(z.object({ metadata: z.object({ name: z.string().optional() }).optional(), spec: z.object({ storageClassName: z.string().nullable().optional() }).optional() })).optional(),
  }),
  status: z
    .object({ replicas, readyReplicas: replicas, availableReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, observedGeneration: z.number().optional(), conditions })
    .optional(),
}) satisfies z.ZodType<StatefulSet>;

const daemonSet = object.extend({
  spec: z.object({ selector: labelSelector, template: podTemplate }),
  status: z
    .object({
      desiredNumberScheduled: replicas,
      currentNumberScheduled: replicas,
      updatedNumberScheduled: replicas,
      numberReady: replicas,
      numberAvailable: replicas,
      numberUnavailable: replicas,
      numberMisscheduled: replicas,
      observedGeneration: z.number().optional(),
      conditions,
    })
    .optional(),
}) satisfies z.ZodType<DaemonSet>;

const jobSpec = z.object({
  backoffLimit: z.number().optional(),
  completions: z.number().optional(),
  parallelism: z.number().optional(),
  activeDeadlineSeconds: z.number().optional(),
  suspend: z.boolean().optional(),
  selector: labelSelector.optional(),
  template: podTemplate,
});

const job = object.extend({
  spec: jobSpec,
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

const metricTarget = z.object({ type: z.string(), averageUtilization: z.number().optional(), averageValue: z.string().optional() });

const horizontalPodAutoscaler = object.extend({
  spec: z.object({
    scaleTargetRef: z.object({ apiVersion: z.string().optional(), kind: z.string(), name: z.string() }),
    minReplicas: replicas,
    maxReplicas: z.number(),
    metrics: z
      .array(
        z.object({
          type: z.string(),
          resource: z.object({ name: z.string(), target: metricTarget }).optional(),
          containerResource: z.object({ name: z.string(), container: z.string(), target: metricTarget }).optional(),
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

const cronJob = object.extend({
  spec: z.object({
    schedule: z.string(),
    timeZone: z.string().optional(),
    startingDeadlineSeconds: z.number().optional(),
    concurrencyPolicy: z.string().optional(),
    suspend: z.boolean().optional(),
    // The labels of its pods-to-be count for the selectors of PDBs and NetworkPolicies.
    jobTemplate: z.object({ metadata: metadata.partial().optional(), spec: jobSpec }),
  }),
  status: z.object({ active: z.array(z.object({ name: z.string() })).optional(), lastScheduleTime: z.string().optional(), lastSuccessfulTime: z.string().optional() }).optional(),
}) satisfies z.ZodType<CronJob>;

const podDisruptionBudget = object.extend({
  spec: z.object({ minAvailable: intOrString.optional(), maxUnavailable: intOrString.optional(), selector: labelSelector.optional() }),
  status: z
    .object({ currentHealthy: replicas, desiredHealthy: replicas, disruptionsAllowed: replicas, expectedPods: replicas, observedGeneration: z.number().optional(), conditions })
    .optional(),
}) satisfies z.ZodType<PodDisruptionBudget>;

const persistentVolume = object.extend({
  spec: z.object({
    persistentVolumeReclaimPolicy: z.string().optional(),
    storageClassName: z.string().optional(),
    claimRef: z.object({ namespace: z.string().optional(), name: z.string().optional(), uid: z.string().optional() }).optional(),
  }),
  status: z.object({ phase: z.string().optional(), reason: z.string().optional(), message: z.string().optional(), lastPhaseTransitionTime: z.string().optional() }).optional(),
}) satisfies z.ZodType<PersistentVolume>;

const storageClass = object.extend({ provisioner: z.string(), volumeBindingMode: z.string().optional() }) satisfies z.ZodType<StorageClass>;

const ingressBackend = z.object({ service: z.object({ name: z.string(), port: z.object({ number: z.number().optional(), name: z.string().optional() }).optional() }).optional() });

const ingress = object.extend({
  spec: z.object({
    ingressClassName: z.string().optional(),
    defaultBackend: ingressBackend.optional(),
    rules: z.array(z.object({ host: z.string().optional(), http: z.object({ paths: z.array(z.object({ path: z.string().optional(), backend: ingressBackend })) }).optional() })).optional(),
    tls: z.array(z.object({ hosts: stringList.optional(), secretName: z.string().optional() })).optional(),
  }),
  status: z.object({ loadBalancer: z.object({ ingress: z.array(z.object({ ip: z.string().optional(), hostname: z.string().optional() })).optional() }).optional() }).optional(),
}) satisfies z.ZodType<Ingress>;

const networkPolicyPeer = z.object({ podSelector: labelSelector.optional(), namespaceSelector: labelSelector.optional(), ipBlock: z.object({ cidr: z.string() }).optional() });

const networkPolicy = object.extend({
  spec: z.object({
    podSelector: labelSelector,
    policyTypes: stringList.optional(),
    ingress: z
      .array(z.object({ from: z.array(networkPolicyPeer).optional(), ports: z.array(z.object({ protocol: z.string().optional(), port: intOrString.optional(), endPort: z.number().optional() })).optional() }))
      .optional(),
    // Only counted: egress rules make a policy without policyTypes an Egress policy too.
    egress: z.array(z.object({})).optional(),
  }),
}) satisfies z.ZodType<NetworkPolicy>;

const webhookConfiguration = object.extend({
  webhooks: z
    .array(
      z.object({
        name: z.string(),
        clientConfig: z.object({ service: z.object({ namespace: z.string(), name: z.string(), path: z.string().optional(), port: z.number().optional() }).optional() }),
        rules: z.array(z.object({ operations: stringList.optional(), resources: stringList.optional() })).optional(),
        failurePolicy: z.string().optional(),
        namespaceSelector: labelSelector.optional(),
        objectSelector: labelSelector.optional(),
      }),
    )
    .optional(),
}) satisfies z.ZodType<WebhookConfiguration>;

const validatingWebhookConfiguration = webhookConfiguration.extend({ kind: z.literal("ValidatingWebhookConfiguration").optional() }) satisfies z.ZodType<ValidatingWebhookConfiguration>;
const mutatingWebhookConfiguration = webhookConfiguration.extend({ kind: z.literal("MutatingWebhookConfiguration").optional() }) satisfies z.ZodType<MutatingWebhookConfiguration>;

const gatewayClass = object.extend({ spec: z.object({ controllerName: z.string() }), status: z.object({ conditions }).optional() }) satisfies z.ZodType<GatewayClass>;

const gateway = object.extend({
  spec: z.object({
    gatewayClassName: z.string(),
    listeners: z
      .array(
        z.object({
          name: z.string(),
          port: z.number(),
          protocol: z.string(),
          allowedRoutes: z.object({ namespaces: z.object({ from: z.string().optional(), selector: labelSelector.optional() }).optional() }).optional(),
        }),
      )
      .optional(),
  }),
  status: z.object({ conditions, listeners: z.array(z.object({ name: z.string(), conditions })).optional() }).optional(),
}) satisfies z.ZodType<Gateway>;

const parentReference = z.object({ group: z.string().optional(), kind: z.string().optional(), namespace: z.string().optional(), name: z.string(), sectionName: z.string().optional() });

const httpRoute = object.extend({
  spec: z.object({
    parentRefs: z.array(parentReference).optional(),
    rules: z
      .array(z.object({ backendRefs: z.array(z.object({ group: z.string().optional(), kind: z.string().optional(), name: z.string(), namespace: z.string().optional(), port: z.number().optional() })).optional() }))
      .optional(),
  }),
  status: z.object({ parents: z.array(z.object({ parentRef: parentReference, conditions })).optional() }).optional(),
}) satisfies z.ZodType<HTTPRoute>;

type KnownKind = DiagnosedKind | (typeof EVIDENCE_KINDS)[number];

/**
 * One schema per kind parse-input keeps: the compiler asks for an entry when a kind joins
 * DIAGNOSED_KINDS or EVIDENCE_KINDS. Kinds the rules know by name, namespace and labels only
 * take the metadata schema, said here rather than left to a default. So do Secret (its `type`)
 * and ServiceAccount (its `imagePullSecrets`): pull-secret-missing.ts checks those fields
 * itself, and a Secret skipped for a broken field would read as a Secret that does not exist.
 */
const SCHEMAS: Record<KnownKind, z.ZodType<KubeObject>> = {
  Pod: pod,
  Deployment: deployment,
  ReplicaSet: replicaSet,
  StatefulSet: statefulSet,
  DaemonSet: daemonSet,
  Job: job,
  CronJob: cronJob,
  Service: service,
  Endpoints: endpoints,
  EndpointSlice: endpointSlice,
  PersistentVolumeClaim: persistentVolumeClaim,
  PersistentVolume: persistentVolume,
  StorageClass: storageClass,
  Node: node,
  HorizontalPodAutoscaler: horizontalPodAutoscaler,
  PodDisruptionBudget: podDisruptionBudget,
  Ingress: ingress,
  NetworkPolicy: networkPolicy,
  ValidatingWebhookConfiguration: validatingWebhookConfiguration,
  MutatingWebhookConfiguration: mutatingWebhookConfiguration,
  Gateway: gateway,
  GatewayClass: gatewayClass,
  HTTPRoute: httpRoute,
  ResourceQuota: resourceQuota,
  Event: event,
  IngressClass: object,
  Namespace: object,
  ConfigMap: object,
  Secret: object,
  ServiceAccount: object,
};

/**
 * One object of a known kind as the rules may read it, or the problem in words: the first field
 * that is missing or of the wrong type, as a path. The API server prints some unset fields as
 * null (a template's `creationTimestamp: null`): null means unset, so null fields are dropped
 * first; an object without one is returned as it came.
 */
export function readObject(kind: string, value: Record<string, unknown>): { object: KubeObject } | { problem: string } {
  const schema = Object.hasOwn(SCHEMAS, kind) ? SCHEMAS[kind as KnownKind] : object;
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
