/**
 * The health verdict of a workload during an apply (pure): from its pods' states and the
 * findings the diagnosis engine gives on them, compared with a baseline taken before the
 * change. A change fails when it makes things worse: a finding category that was not there
 * before, restarts that go up, or (once the rollout is over) pods that are not ready.
 * Findings that were there before the change (the incident being fixed) are not the change's
 * fault; they are reported as still present.
 */
import type { Finding } from "../../diagnose/types.ts";
import { allContainerStatuses } from "../../diagnose/finding.ts";
import type { Pod } from "../../model/k8s.ts";

export type HealthPhase = "rollout" | "verify";

export interface HealthBaseline {
  /** Restart counts per pod uid before the change. */
  restarts: Record<string, number>;
  /** Finding categories before the change. */
  categories: string[];
}

export interface HealthInput {
  phase: HealthPhase;
  pods: readonly Pod[];
  findings: readonly Finding[];
  baseline: HealthBaseline;
}

export interface HealthVerdict {
  healthy: boolean;
  problems: string[];
  /** Findings that were present before the change and still are. */
  preexisting: string[];
  ready: number;
  total: number;
  restarts: number;
}

/** Findings a rollout in progress shows by design (old pods leaving, new ones not yet available). */
const TRANSIENT_DURING_ROLLOUT = new Set(["DeploymentUnavailable", "ServiceEndpointsNotReady"]);

export function judgeHealth(input: HealthInput): HealthVerdict {
  const pods = input.pods.filter((p) => p.metadata.deletionTimestamp === undefined);
  const problems: string[] = [];
  let ready = 0;
  let restarts = 0;
  for (const pod of pods) {
    const count = restartsOf(pod);
    restarts += count;
    const before = input.baseline.restarts[pod.metadata.uid ?? ""] ?? 0;
    if (count > before) problems.push(`pod ${pod.metadata.name} restarted ${count - before} time(s) since the change (restartCount ${before} -> ${count})`);
    if (isReady(pod)) ready++;
    else if (input.phase === "verify") problems.push(`pod ${pod.metadata.name} is not ready (phase ${pod.status?.phase ?? "unknown"}${waitingReason(pod)})`);
  }
  const known = new Set(input.baseline.categories);
  const preexisting: string[] = [];
  for (const f of input.findings) {
    const line = `${f.category} on ${f.object.kind.toLowerCase()}/${f.object.name}${f.container === undefined ? "" : ` [${f.container}]`}: ${f.summary}`;
    if (known.has(f.category)) preexisting.push(line);
    else if (!(input.phase === "rollout" && TRANSIENT_DURING_ROLLOUT.has(f.category))) problems.push(`new finding ${line}`);
  }
  return { healthy: problems.length === 0, problems: unique(problems), preexisting: unique(preexisting), ready, total: pods.length, restarts };
}

/** The baseline before the change: restart counts and finding categories as they are now. */
export function baselineOf(pods: readonly Pod[], findings: readonly Finding[]): HealthBaseline {
  return {
    restarts: Object.fromEntries(pods.map((p) => [p.metadata.uid ?? "", restartsOf(p)])),
    categories: [...new Set(findings.map((f) => f.category))].sort(),
  };
}

export function restartsOf(pod: Pod): number {
  return allContainerStatuses(pod).reduce((sum, s) => sum + s.status.restartCount, 0);
}

export function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

function waitingReason(pod: Pod): string {
  const reason = allContainerStatuses(pod).map((s) => s.status.state?.waiting?.reason).find((r) => r !== undefined);
  return reason === undefined ? "" : `, ${reason}`;
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}
