/** The outcome of an apply and the body sections it appends to the record (pure); render/apply.ts prints the outcome. */
import type { HealthVerdict } from "./health.ts";

export interface Step {
  at: string;
  step: string;
  detail: string;
}

export interface ApplyOutcome {
  apiVersion: "aiops.dev/v1";
  kind: "ApplyResult";
  record: string;
  path: string;
  target: string;
  status: string;
  steps: Step[];
  problems: string[];
  /** Milliseconds per step (audit, access, dryRun, patch, records, rollout, verify ...). */
  timings: Record<string, number>;
}

export function executionSection(steps: readonly Step[]): string {
  return `## Execution\n\n${steps.map((s) => `- ${s.at} **${s.step}**: ${s.detail}`).join("\n")}\n`;
}

export function validationSection(outcome: "verified" | "failed", verdict: HealthVerdict | undefined, facts: { windowSeconds: number; polls: number; seconds: number; note?: string; reason?: string }): string {
  const lines = [
    outcome === "verified"
      ? `Verified: healthy for the whole verification window (${facts.windowSeconds}s, ${facts.polls} check(s)).`
      : `Not verified after ${facts.seconds}s: ${facts.reason ?? "the change made the workload unhealthy"}.`,
  ];
  if (facts.note !== undefined) lines.push("", facts.note);
  if (verdict !== undefined) {
    lines.push("", `- pods ready: ${verdict.ready}/${verdict.total}`, `- container restarts (all pods): ${verdict.restarts}`);
    if (verdict.problems.length > 0) lines.push(`- problems:`, ...verdict.problems.map((p) => `  - ${p}`));
    if (verdict.preexisting.length > 0) lines.push(`- findings present before the change and still present:`, ...verdict.preexisting.map((p) => `  - ${p}`));
  }
  return `## Validation\n\n${lines.join("\n")}\n`;
}
