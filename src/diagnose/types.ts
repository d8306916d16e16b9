import type { DiagnosedKind, KubeObject } from "../model/k8s.ts";
import type { ActionType, Tier } from "../policy/tiers.ts";
import type { RuleContext } from "./context.ts";

/** The stable failure vocabulary (docs/cli.md, failure categories). A finding has exactly one. */
export const CATEGORIES = [
  "CrashLoopBackOff",
  "OOMKilled",
  "ImagePullError",
  "ContainerConfigError",
  "ContainerCreateError",
  "ContainerExitError",
  "InitContainerFailure",
  "LivenessProbeFailure",
  "ReadinessProbeFailure",
  "StartupProbeFailure",
  "Unschedulable",
  "StuckContainerCreating",
  "Evicted",
  "DeploymentUnavailable",
  "ReplicaFailure",
  "JobFailed",
  "ServiceNoEndpoints",
  "ServiceEndpointsNotReady",
  "PVCPending",
  "NodeNotReady",
  "NodePressure",
  "HPALimited",
  // Added with the coverage of k8sgpt's analyzers (docs/cli.md, failure categories).
  "StatefulSetUnavailable",
  "DaemonSetUnavailable",
  "StatefulSetMisconfigured",
  "CronJobFailed",
  "HPAMisconfigured",
  "IngressMisconfigured",
  "GatewayMisconfigured",
  "NetworkPolicyIsolation",
  "PDBBlocking",
  "WebhookUnavailable",
  "StorageMisconfigured",
  "PullSecretMissing",
  "SchedulingGated",
  "NodeUnhealthy",
  "ErrorLogs",
] as const;
export type Category = (typeof CATEGORIES)[number];

export type Severity = "critical" | "high" | "medium" | "low";

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export interface Remediation {
  action: ActionType;
  summary: string;
  tier: Tier;
}

/** "Failing since revision N rolled out at T". */
export interface RolloutCorrelation {
  deployment: string;
  revision: number;
  replicaSet: string;
  rolledOutAt?: string;
  previousRevision?: number;
}

export interface Finding {
  id: string;
  category: Category;
  severity: Severity;
  confidence: number;
  object: ObjectRef;
  container?: string;
  summary: string;
  evidence: string[];
  since?: string;
  remediation: Remediation;
  runbook: string;
  rollout?: RolloutCorrelation;
}

/**
 * A diagnosis rule: a pure function of one object and the snapshot around it.
 * Rules never do I/O and never read the clock (use `ctx.now`). A rule returns the findings it
 * is sure of, with the exact fields and events it read as evidence, and no finding for a
 * healthy object.
 */
export interface Rule {
  /** Stable id, e.g. "pod.oomkilled"; becomes the finding id. */
  id: string;
  category: Category;
  /** Kinds this rule is called for. */
  kinds: readonly DiagnosedKind[];
  evaluate(object: KubeObject, ctx: RuleContext): Finding[];
}

export interface SimilarIncident {
  record: string;
  category: Category;
  target?: string;
  outcome: string;
  action?: string;
  score: number;
}

export interface Diagnosis {
  apiVersion: "aiops.dev/v1";
  kind: "Diagnosis";
  target: ObjectRef;
  status: "OK" | "ProblemDetected";
  findings: Finding[];
  similar: SimilarIncident[];
  /** "resolved 3 times by raising the memory limit (resources), 2 verified". */
  similarSummary?: string;
  /** Added by an LLM when one is reachable; never changes findings, tiers or actions. */
  explanation?: Explanation;
}

export interface Explanation {
  model: string;
  summary: string;
  likelyCause: string;
  nextSteps: string[];
}

export interface DiagnosisList {
  apiVersion: "aiops.dev/v1";
  kind: "DiagnosisList";
  /** The time the objects were judged at (file time or the clock). */
  judgedAt?: string;
  items: Diagnosis[];
  explanation?: Explanation;
}
