/**
 * The data of a health report (docs/cli.md, report and watch): what `report -o json` prints and what the
 * Markdown renders. Field names are a contract with scripts reading `-o json`: keep them.
 */
import type { Category, Severity } from "../diagnose/types.ts";
import type { ReportPeriod } from "../records/paths.ts";

export interface PeriodWindow {
  kind: ReportPeriod;
  /** "2026-W47" (ISO week of the end) or "2026-11-21" (UTC date of the end). */
  key: string;
  /** RFC 3339 UTC. */
  start: string;
  end: string;
}

export interface MetricsInfo {
  source: "prometheus" | "metrics-server" | "none";
  origin?: string;
  /** metrics-server: one sample now, no history. */
  pointInTime: boolean;
  /** Days of metric history Prometheus holds (up to 30 looked at); undefined when unknown. */
  historyDays?: number;
  notes: string[];
}

export interface ReliabilityEvent {
  /** Stable key the next report diffs on: "<category> <kind>/<namespace>/<name>". */
  key: string;
  category: Category;
  severity: Severity;
  object: string;
  container?: string;
  summary: string;
  since?: string;
  /** What fixes it (the finding's remediation), and its runbook. */
  remediation?: string;
  runbook?: string;
}

export interface ReliabilityCounts {
  oomKills: number;
  crashLoops: number;
  restarts: number;
  evictions: number;
  pending: number;
  failedJobs: number;
  nodeConditions: number;
}

export interface Reliability {
  counts: ReliabilityCounts;
  /** Current problems found by the diagnosis engine, worst first. */
  problems: ReliabilityEvent[];
  /** Node conditions other than Ready=True (e.g. "kwok-node-1 MemoryPressure"). */
  nodeConditions: string[];
}

export interface ResourceCapacity {
  resource: "cpu" | "memory";
  /** Quantities as strings (cpu: cores, memory: bytes), exact. */
  allocatable: string;
  requests: string;
  limits: string;
  /** Sum over pods of their p95; undefined without metrics. */
  p95Usage?: string;
  requestsPercent: number;
  p95Percent?: number;
  /** Allocatable without the largest node. */
  allocatableWithoutLargest: string;
  survivesLargestNodeLoss: boolean;
}

export interface Capacity {
  nodes: number;
  schedulableNodes: number;
  largestNode?: string;
  resources: ResourceCapacity[];
  podsRunning: number;
  podsAllocatable: number;
  /** True when requests of every resource fit on the nodes left after losing the largest. */
  survivesLargestNodeLoss: boolean;
}

export interface RightsizingRow {
  /** "Deployment/rightsizing/web". */
  workload: string;
  container: string;
  replicas: number;
  current: { cpuRequest?: string; cpuLimit?: string; memoryRequest?: string; memoryLimit?: string };
  p95: { cpu?: string; memory?: string };
  peak: { cpu?: string; memory?: string };
  proposed: { cpuRequest?: string; cpuLimit?: string; memoryRequest?: string; memoryLimit?: string };
  confidence: "high" | "low";
  oom: boolean;
  hpa: boolean;
  /** Requested change for the whole workload (proposed - current) x replicas: cores / bytes. */
  deltaCpu: string;
  deltaMemory: string;
}

export interface RightsizingTotals {
  /** Sum of the decreases (positive numbers): what the cluster gets back. */
  reclaimableCpu: string;
  reclaimableMemory: string;
  /** Sum of the increases (under-provisioned containers). */
  addedCpu: string;
  addedMemory: string;
}

export interface Rightsizing {
  rows: RightsizingRow[];
  /** Rows not shown in the Markdown table (it shows the largest changes). */
  omitted: number;
  totals: RightsizingTotals;
  /** Workloads without usage data. */
  withoutUsage: number;
}

export const HYGIENE_CHECKS = [
  "no-requests",
  "no-limits",
  "no-probes",
  "latest-image",
  "no-pdb",
  "single-replica",
  "privileged",
  "runs-as-root",
  "secret-in-env",
] as const;
export type HygieneCheck = (typeof HYGIENE_CHECKS)[number];

export interface HygieneFinding {
  /** "<check> <kind>/<namespace>/<name>[/<container>][/<variable>]". */
  key: string;
  check: HygieneCheck;
  security: boolean;
  workload: string;
  container?: string;
  /** The environment variable's NAME for secret-in-env; its value is never kept. */
  variable?: string;
  detail: string;
}

export interface Hygiene {
  findings: HygieneFinding[];
  counts: Record<HygieneCheck, number>;
  workloads: number;
  /** Containers that do not forbid running as root (counted, not listed). */
  rootNotPrevented: number;
}

export interface ScoreComponent {
  name: string;
  penalty: number;
  cap: number;
  explanation: string;
}

export interface Score {
  value: number;
  grade: "A" | "B" | "C" | "D" | "F";
  components: ScoreComponent[];
  formula: string;
}

export interface TopAction {
  rank: number;
  /** The kind of work: fix, rightsize, capacity, hygiene, security. */
  kind: "fix" | "rightsize" | "capacity" | "hygiene" | "security";
  summary: string;
  /** Score points the action would win back (estimate) or another weight used for ranking. */
  weight: number;
  command?: string;
}

export interface RecordsSummary {
  diagnoses: number;
  proposals: number;
  byStatus: Record<string, number>;
  approvals: number;
  /** Seconds from proposal to each approval decision. */
  approvalLatencyMedianSeconds?: number;
  approvalLatencyMaxSeconds?: number;
  verified: number;
  rolledBack: number;
  rejected: number;
  expired: number;
  failed: number;
  /** Median MTTD of watch-recorded incidents (metrics.pre.mttd_seconds). */
  mttdMedianSeconds?: number;
}

/** What the next report compares with; also embedded at the end of the Markdown. */
export interface ReportDigest {
  aiopsReport: 1;
  period: string;
  key: string;
  end: string;
  score: number;
  grade: string;
  problems: string[];
  hygiene: string[];
  rightsizing: { row: string; cpuRequest?: string; memoryRequest?: string; memoryLimit?: string }[];
  reclaimable: { cpu: string; memory: string };
}

export interface ReportChange {
  previousId?: string;
  previousKey: string;
  scoreDelta: number;
  gradeBefore: string;
  newProblems: string[];
  resolvedProblems: string[];
  newHygiene: string[];
  resolvedHygiene: string[];
  rightsizing: { added: string[]; removed: string[]; changed: string[] };
  reclaimableBefore: { cpu: string; memory: string };
}

export interface HealthReport {
  apiVersion: "aiops.dev/v1";
  kind: "HealthReport";
  period: PeriodWindow;
  generatedAt: string;
  cluster: { context: string; server: string; version: string };
  metrics: MetricsInfo;
  score: Score;
  actions: TopAction[];
  reliability: Reliability;
  capacity: Capacity;
  rightsizing: Rightsizing;
  hygiene: Hygiene;
  records: RecordsSummary;
  change?: ReportChange;
  digest: ReportDigest;
}
