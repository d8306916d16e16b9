/**
 * Which pods belong to a workload, by name: metrics carry pod names, not owner references.
 * A controller names its pods after itself plus a generated part; the generated parts never
 * contain "-" (Deployment: "<hash>-<5 chars>", StatefulSet: "<ordinal>"), so "web" does not
 * match the pods of "web-api". The same pattern is a PromQL regex (fully anchored there) and a
 * JavaScript RegExp (anchored here).
 */
import type { WorkloadRef } from "./source.ts";

const GENERATED: Record<WorkloadRef["kind"], string> = {
  Deployment: "-[a-z0-9]+-[a-z0-9]+",
  ReplicaSet: "-[a-z0-9]+",
  DaemonSet: "-[a-z0-9]+",
  Job: "-[a-z0-9]+",
  CronJob: "-[0-9]+-[a-z0-9]+",
  StatefulSet: "-[0-9]+",
  Pod: "",
};

/** Regex (unanchored source) for the names of a workload's pods; the name's metacharacters quoted. */
export function podNamePattern(workload: Pick<WorkloadRef, "kind" | "name">): string {
  return `${escapeRegex(workload.name)}${GENERATED[workload.kind]}`;
}

export function podNameMatcher(workload: Pick<WorkloadRef, "kind" | "name">): RegExp {
  return new RegExp(`^(?:${podNamePattern(workload)})$`);
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
