import type { KubeApi } from "../../kube/workloads.ts";
import type { SelectedSource } from "../../metrics/select.ts";
import type { KubeObject } from "../../model/k8s.ts";
import type { Policy } from "../../policy/policy-file.ts";
import type { ActionInput } from "../../policy/tiers.ts";
import type { History } from "../../records/history.ts";
import type { PatchPlan, ProcedureOptions } from "../../recommend/patch.ts";

export const PROPOSE_ACTIONS = ["resources", "scale", "hpa", "restart", "rollback"] as const;
export type ProposeAction = (typeof PROPOSE_ACTIONS)[number];

export interface ProposeRequest {
  action: ProposeAction;
  kind: string;
  name: string;
  /** scale: the replica count asked for; absent = from utilisation. */
  replicas?: number;
  /** resources: only this container. */
  container?: string;
  /** resources: only these resources (an OOM kill is about memory: its proposal leaves cpu alone). */
  only?: ("cpu" | "memory")[];
  /** From a diagnosis: its category (a label) and record (a link). */
  category?: string;
  diagnosisRecord?: string;
  /** OOM kills seen by a diagnosis, per container (added to what the metrics source knows). */
  oomKills?: Record<string, number>;
}

/**
 * Everything a proposal reads from the world, passed in so the use-case runs in tests against a
 * recorded API, a fixed clock and a real temporary git repository.
 */
export interface ProposeContext {
  api: KubeApi;
  namespace: string;
  cluster: { context: string; server: string };
  policy: Policy;
  /** The policy file read, for the evidence; undefined = defaults. */
  policyFile: string | undefined;
  history: History;
  command: string;
  now(): Date;
  warn(message: string): void;
  /** The identity the API server authenticates (SelfSubjectReview). */
  identify(): Promise<string>;
  /** The usage source, chosen on first use (Prometheus flag/policy, else metrics-server). */
  metrics(): Promise<SelectedSource>;
  windowSeconds: number;
  allowShortHistory: boolean;
}

/** What each action builder returns; the shared pipeline adds tier, dry run, window and record. */
export interface ProposalDraft {
  action: ProposeAction;
  title: string;
  /** The object read for the proposal (its uid/resourceVersion/generation guard against drift). */
  object: KubeObject | undefined;
  plan: PatchPlan;
  tierInput: Omit<ActionInput, "lowConfidence">;
  lowConfidence: boolean;
  /** Markdown: the proposal as the approver reads it. */
  snapshot: string;
  /** Markdown: figures, queries, their source and confidence. */
  evidence: string;
  metricsPre: Record<string, unknown>;
  notes: string[];
  procedure: ProcedureOptions;
  /** Change in requested cpu/memory across all replicas, as quantities (signed). */
  delta?: { cpu: string; memory: string; replicas: number; text?: string };
  /** Rows for the terminal table (container, resource, current, p95, peak, proposed). */
  rows?: string[][];
}
