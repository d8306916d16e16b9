/**
 * Kubernetes objects as plain JSON, exactly as the API server sends them (timestamps are
 * RFC 3339 strings). Only the fields the core reads are typed; everything else passes through.
 * The kube layer converts what @kubernetes/client-node returns into this shape, so the pure
 * core never depends on the client library.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion?: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface Probe {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
  timeoutSeconds?: number;
  httpGet?: { path?: string; port?: number | string };
  tcpSocket?: { port?: number | string };
  exec?: { command?: string[] };
  grpc?: { port?: number };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: unknown;
    resourceFieldRef?: unknown;
  };
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { secretRef?: { name: string; optional?: boolean }; configMapRef?: { name: string; optional?: boolean } }[];
  resources?: ResourceRequirements;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  restartPolicy?: string;
  securityContext?: { privileged?: boolean; runAsNonRoot?: boolean; runAsUser?: number };
  ports?: { containerPort: number; name?: string; protocol?: string }[];
}

export interface ContainerStateTerminated {
  exitCode: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  signal?: number;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  image?: string;
  imageID?: string;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastHeartbeatTime?: string;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  imagePullSecrets?: { name: string }[];
  serviceAccountName?: string;
  /** Pod scheduling readiness: the scheduler leaves the pod alone while any gate remains. */
  schedulingGates?: { name: string }[];
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; secret?: { secretName: string }; configMap?: { name: string } }[];
  restartPolicy?: string;
  tolerations?: unknown[];
  affinity?: unknown;
}

export interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  startTime?: string;
  podIP?: string;
  hostIP?: string;
}

export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: PodStatus;
}

export interface PodTemplate {
  metadata?: Partial<ObjectMeta>;
  spec: PodSpec;
}

export interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    selector: LabelSelector;
    template: PodTemplate;
    progressDeadlineSeconds?: number;
    paused?: boolean;
    strategy?: unknown;
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    updatedReplicas?: number;
    observedGeneration?: number;
    conditions?: Condition[];
  };
}

export interface ReplicaSet extends KubeObject {
  spec: { replicas?: number; selector: LabelSelector; template?: PodTemplate };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; conditions?: Condition[] };
}

export interface StatefulSet extends KubeObject {
  spec: { replicas?: number; selector: LabelSelector; template: PodTemplate; serviceName?: string; volumeClaimTemplates?: { metadata?: { name?: string }; spec?: { storageClassName?: string | null } }[] };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; currentReplicas?: number; updatedReplicas?: number; observedGeneration?: number; conditions?: Condition[] };
}

export interface DaemonSet extends KubeObject {
  spec: { selector: LabelSelector; template: PodTemplate };
  status?: { desiredNumberScheduled?: number; currentNumberScheduled?: number; updatedNumberScheduled?: number; numberReady?: number; numberAvailable?: number; numberUnavailable?: number; numberMisscheduled?: number; observedGeneration?: number; conditions?: Condition[] };
}

export interface Job extends KubeObject {
  spec: { backoffLimit?: number; completions?: number; parallelism?: number; activeDeadlineSeconds?: number; suspend?: boolean; selector?: LabelSelector; template: PodTemplate };
  status?: { active?: number; succeeded?: number; failed?: number; startTime?: string; completionTime?: string; conditions?: Condition[] };
}

export interface Service extends KubeObject {
  spec: { selector?: Record<string, string>; type?: string; ports?: { port: number; targetPort?: number | string; name?: string; protocol?: string }[]; clusterIP?: string; externalName?: string };
}

export interface EndpointAddress {
  ip: string;
  targetRef?: { kind?: string; name?: string; namespace?: string; uid?: string };
}

export interface Endpoints extends KubeObject {
  subsets?: { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[]; ports?: unknown[] }[];
}

export interface EndpointSlice extends KubeObject {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean }; targetRef?: { kind?: string; name?: string; namespace?: string } }[];
}

export interface PersistentVolumeClaim extends KubeObject {
  spec: { storageClassName?: string; accessModes?: string[]; resources?: ResourceRequirements; volumeName?: string };
  status?: { phase?: string; conditions?: Condition[] };
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: { key: string; value?: string; effect: string }[] };
  status?: { conditions?: Condition[]; allocatable?: Record<string, string>; capacity?: Record<string, string>; nodeInfo?: { kubeletVersion?: string } };
}

export interface HorizontalPodAutoscaler extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: {
      type: string;
      resource?: { name: string; target: { type: string; averageUtilization?: number; averageValue?: string } };
      containerResource?: { name: string; container: string; target: { type: string; averageUtilization?: number; averageValue?: string } };
    }[];
  };
  status?: { currentReplicas?: number; desiredReplicas?: number; conditions?: Condition[]; currentMetrics?: unknown[] };
}

export interface ResourceQuota extends KubeObject {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export interface KubeEvent extends KubeObject {
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
}

/** Kinds the rules diagnose directly (docs/cli.md, failure categories). */
export const DIAGNOSED_KINDS = [
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "Service",
  "PersistentVolumeClaim",
  "Node",
  "HorizontalPodAutoscaler",
  "CronJob",
  "Ingress",
  "NetworkPolicy",
  "PodDisruptionBudget",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "PersistentVolume",
  "Gateway",
  "HTTPRoute",
] as const;
export type DiagnosedKind = (typeof DIAGNOSED_KINDS)[number];

/** Kinds read only as evidence for the diagnosed ones. */
export const EVIDENCE_KINDS = ["Event", "Endpoints", "EndpointSlice", "ResourceQuota", "Secret", "ConfigMap", "ServiceAccount", "Namespace", "IngressClass", "StorageClass", "GatewayClass"] as const;
