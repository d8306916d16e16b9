/**
 * Records of `watch`: ONE diagnosis record when an incident opens, with its MTTD (first evidence
 * to the record) in `metrics.pre.mttd_seconds` and as events; the same record moves to
 * `resolved` when the incident ends. Labels `detector: watch` and `incident: <key>` let the next
 * run adopt the incidents still open instead of recording them twice.
 */
import type { Diagnosis } from "../../diagnose/types.ts";
import { renderSections } from "../../records/record-file.ts";
import { evidenceSha256 } from "../../records/hash.ts";
import type { History } from "../../records/history.ts";
import type { RecordEvent } from "../../records/schema.ts";
import { appendToRecord, utcSeconds, writeRecord, type ListedRecord, type NewRecord, type StoreDeps } from "../../records/store.ts";
import { redactText } from "../../util/redact.ts";
import { diagnosisRecord } from "../records.ts";
import { trivialFindings, type TrivialApplier } from "./auto-apply.ts";
import type { Incident } from "./incidents.ts";
import type { RuleFiring } from "./alert-rules.ts";

export interface RecorderContext {
  history: History;
  command: string;
  cluster: { context: string; server: string };
  user: string;
  store: StoreDeps;
  autoApplyTrivial: boolean;
  applyTrivial: TrivialApplier;
}

export interface Opened {
  id: string;
  path: string;
  mttdSeconds: number;
}

function mttdOf(incident: Incident, detectedMs: number): number {
  return Math.max(0, Math.round((detectedMs - incident.firstEvidenceMs) / 100) / 10);
}

function detectionFields(incident: Incident, detectedMs: number, what: string): Pick<NewRecord, "metrics" | "events"> {
  const firstEvidence = utcSeconds(new Date(incident.firstEvidenceMs));
  const detected = utcSeconds(new Date(detectedMs));
  const mttd = mttdOf(incident, detectedMs);
  return {
    metrics: { pre: { mttd_seconds: mttd, first_evidence: firstEvidence, detected_at: detected } },
    events: [
      { at: firstEvidence, type: "first-evidence", detail: what },
      { at: detected, type: "detected", detail: `kubectl aiops watch recorded the incident ${mttd}s after its first evidence` },
    ],
  };
}

export async function recordWorkloadIncident(ctx: RecorderContext, incident: Incident, diagnosis: Diagnosis, detectedMs: number): Promise<Opened> {
  const input = diagnosisRecord(diagnosis, { command: ctx.command, cluster: ctx.cluster, user: ctx.user });
  input.labels = { ...input.labels, detector: "watch", incident: incident.key };
  const first = diagnosis.findings.find((f) => f.since !== undefined && Date.parse(f.since) === incident.firstEvidenceMs) ?? diagnosis.findings[0];
  const fields = detectionFields(incident, detectedMs, first === undefined ? "first seen failing" : `${first.category}: ${redactText(first.summary)}`);
  const events: RecordEvent[] = [...(fields.events ?? [])];
  if (ctx.autoApplyTrivial) {
    for (const finding of trivialFindings(diagnosis.findings)) {
      const result = await ctx.applyTrivial(finding);
      events.push({ at: utcSeconds(new Date(detectedMs)), type: result.applied ? "auto-applied" : "auto-apply-recorded", detail: redactText(result.detail) });
    }
  }
  const written = await writeRecord(ctx.history, { ...input, ...fields, events }, ctx.store);
  return { id: written.frontMatter.id, path: written.location.absolute, mttdSeconds: mttdOf(incident, detectedMs) };
}

export async function recordRuleIncident(ctx: RecorderContext, incident: Incident, firing: RuleFiring, detectedMs: number, prometheus: string): Promise<Opened> {
  const { rule } = firing;
  const evidence = `- rule ${rule.name}: \`${rule.expr}\` answered ${firing.values.length} series (values ${firing.values.slice(0, 10).join(", ")}) at ${utcSeconds(new Date(detectedMs))}, firing since ${utcSeconds(new Date(firing.firingSinceMs))} (for: ${rule.for}s)`;
  const body = renderSections({
    Prompt: `\`\`\`\n${redactText(ctx.command)}\n\`\`\``,
    "Response snapshot": `- **Rule ${rule.name}** fired for at least ${rule.for}s against Prometheus at ${prometheus}.`,
    Evidence: evidence,
  });
  const input: NewRecord = {
    title: `Rule ${rule.name} firing`,
    stage: "diagnosis",
    command: redactText(ctx.command),
    user: { cluster: ctx.user },
    cluster: ctx.cluster,
    labels: { detector: "watch", incident: incident.key, rule: rule.name, categories: "" },
    evidence_sha256: evidenceSha256(evidence),
    body,
    ...detectionFields(incident, detectedMs, `rule ${rule.name} first answered a series`),
  };
  const written = await writeRecord(ctx.history, input, ctx.store);
  return { id: written.frontMatter.id, path: written.location.absolute, mttdSeconds: mttdOf(incident, detectedMs) };
}

export async function recordResolution(ctx: RecorderContext, incident: Incident, atMs: number): Promise<void> {
  if (incident.recordId === undefined) return;
  const healthy = utcSeconds(new Date(incident.healthySinceMs ?? atMs));
  const duration = Math.round((atMs - incident.firstEvidenceMs) / 1000);
  await appendToRecord(
    ctx.history,
    incident.recordId,
    {
      status: "resolved",
      events: [{ at: utcSeconds(new Date(atMs)), type: "resolved", detail: `healthy again since ${healthy}; the incident lasted about ${duration}s from its first evidence` }],
      metricsPost: { resolved_at: utcSeconds(new Date(atMs)), healthy_since: healthy, duration_seconds: duration },
    },
    ctx.store,
  );
}

/** Open incidents recorded by an earlier run, to adopt instead of recording them again. */
export function openWatchIncidents(records: readonly ListedRecord[]): { key: string; scope: string; recordId: string; firstEvidenceMs: number; openedMs: number }[] {
  return records
    .filter((r) => r.frontMatter.stage === "diagnosis" && r.frontMatter.status === "recorded" && r.frontMatter.labels?.["detector"] === "watch" && r.frontMatter.labels["incident"] !== undefined)
    .map((r) => {
      const key = r.frontMatter.labels?.["incident"] ?? "";
      const first = r.frontMatter.metrics?.pre?.["first_evidence"];
      const openedMs = Date.parse(r.frontMatter.date);
      return {
        key,
        scope: key.startsWith("rule/") ? "rules" : (key.split("/")[1] ?? ""),
        recordId: r.frontMatter.id,
        firstEvidenceMs: typeof first === "string" && !Number.isNaN(Date.parse(first)) ? Date.parse(first) : openedMs,
        openedMs,
      };
    });
}
