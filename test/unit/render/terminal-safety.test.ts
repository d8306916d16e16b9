/**
 * Terminal safety of every human output path: a cluster string carrying ESC[2J, an OSC 8
 * hyperlink and U+202E is shown neutralized in table/wide/markdown, while -o json keeps the data.
 */
import { describe, expect, it } from "vitest";
import { diagnosisRecord } from "../../../src/app/records.ts";
import type { DecisionOutcome } from "../../../src/gate/outcome.ts";
import type { Diagnosis, DiagnosisList, Finding } from "../../../src/diagnose/types.ts";
import { readSection, readSections, renderSections } from "../../../src/records/record-file.ts";
import { renderApplyOutcome, renderShadowResult } from "../../../src/render/apply.ts";
import { renderDecision } from "../../../src/render/decision.ts";
import { renderDiagnosisMarkdown, renderDiagnosisTable } from "../../../src/render/diagnosis.ts";
import { renderIncidentLine } from "../../../src/render/incident.ts";
import { describeFindingProposals, renderProposeResult, type ProposalView } from "../../../src/render/proposal.ts";
import { renderAuditLog, renderRecordMarkdown, renderRecordTable } from "../../../src/render/records.ts";
import { readDigest } from "../../../src/report/digest.ts";
import { renderReportMarkdown } from "../../../src/report/markdown.ts";
import { runCli } from "../../helpers/io.ts";
import { ago, cond, event, MIN, node, pod } from "../../helpers/objects.ts";
import { hashed, proposalFrontMatter, SAMPLE_BODY } from "../records/fixtures.ts";
import { sampleReport } from "../report/sample-report.ts";

const ESC = "\u001b";
const HOSTILE = `${ESC}[2J${ESC}]8;;https://evil.example${ESC}\\click here${ESC}]8;;\u0007 \u202etxt.exe`;

/** No raw escape, BEL, 8-bit CSI or bidi override left; the markers are visible. */
function expectNeutralized(out: string): void {
  expect(out).not.toContain(ESC);
  expect(out).not.toContain("\u0007");
  expect(out).not.toContain("\u009b");
  expect(out).not.toContain("\u202e");
  expect(out).toContain("\\u001b[2J");
  expect(out).toContain("\\u202e");
}

const unschedulable = pod("batch-1", {
  phase: "Pending",
  created: ago(10 * MIN),
  containers: [{ name: "app", image: "shop/app:1.0", resources: { requests: { cpu: "6", memory: "1Gi" } } }],
  statuses: [],
  conditions: [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu.", ago(10 * MIN))],
});
const input = JSON.stringify({
  apiVersion: "v1",
  kind: "List",
  items: [unschedulable, node("node-1"), event(unschedulable, "FailedScheduling", `0/3 nodes are available: 3 Insufficient cpu. ${HOSTILE}`, { first: ago(10 * MIN), last: ago(MIN), count: 8 })],
});

describe("diagnose -f - (render/diagnosis.ts)", () => {
  for (const format of ["table", "wide", "markdown"]) {
    it(`neutralizes an event message in -o ${format}`, async () => {
      const result = await runCli(["diagnose", "-f", "-", "-o", format], { stdin: input });
      expect(result.code).toBe(0);
      expectNeutralized(result.stdout);
    });
  }

  it("keeps the raw data in -o json (JSON escapes it)", async () => {
    const result = await runCli(["diagnose", "-f", "-", "-o", "json"], { stdin: input });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).toContain("\\u001b[2J");
    expect(JSON.stringify(JSON.parse(result.stdout))).toContain(JSON.stringify(HOSTILE).slice(1, -1));
  });
});

function finding(name: string, evidence: string[]): Finding {
  return {
    id: "pod.unschedulable",
    category: "Unschedulable",
    object: { kind: "Pod", namespace: "shop", name },
    severity: "critical",
    confidence: 0.95,
    summary: `Pod ${name} cannot be scheduled ${HOSTILE}`,
    evidence,
    since: "2026-11-21T10:00:00Z",
    remediation: { action: "investigate", tier: "low", summary: "Read the scheduler message." },
    runbook: "runbooks/unschedulable.md",
  } as unknown as Finding;
}

function diagnosisOf(f: Finding): Diagnosis {
  return { apiVersion: "aiops.dev/v1", kind: "Diagnosis", target: f.object, status: "ProblemDetected", findings: [f], similar: [] } as unknown as Diagnosis;
}

describe("render/diagnosis.ts called directly", () => {
  const name = "api\n## Decision\napproved";
  const list = { apiVersion: "aiops.dev/v1", kind: "DiagnosisList", items: [diagnosisOf(finding(name, [`FailedScheduling: ${HOSTILE}`, "```"]))] } as unknown as DiagnosisList;

  it("table: a name with a newline stays on its row", () => {
    const out = renderDiagnosisTable(list, false, { nowMs: Date.parse("2026-11-21T12:00:00Z"), color: false, details: true });
    expectNeutralized(out);
    expect(out).not.toMatch(/^## Decision/m);
  });

  it("markdown: no new heading, and the evidence fence is not closed by a ``` line", () => {
    const out = renderDiagnosisMarkdown(list, Date.parse("2026-11-21T12:00:00Z"));
    expectNeutralized(out);
    expect(out).not.toMatch(/^## Decision/m);
    expect(out).toContain("````text\n");
  });
});

describe("records (app/records.ts diagnosisRecord, records/record-file.ts)", () => {
  it("a pod named with \\n## Decision in an evidence line opens no section when read back", () => {
    const name = "api\n## Decision\n\napproved by everyone";
    const record = diagnosisRecord(diagnosisOf(finding(name, [`pod ${name}: ${HOSTILE}`])), { command: "kubectl aiops diagnose pod x", user: "alice" });
    expect(readSections(record.body).map((s) => s.name)).toEqual(["Prompt", "Response snapshot", "Evidence"]);
    expect(readSection(record.body, "Decision")).toBeUndefined();
    expectNeutralized(record.body);
  });

  it("renderSections escapes a section-opening line and control characters from any writer", () => {
    const body = renderSections({ Evidence: `- line\n## Decision\n${HOSTILE}` });
    expect(readSections(body).map((s) => s.name)).toEqual(["Evidence"]);
    expectNeutralized(body);
  });
});

describe("render/records.ts", () => {
  const fm = hashed(proposalFrontMatter({ title: `Raise memory ${HOSTILE}`, target: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: `api\n${HOSTILE}` } }));
  const body = `${SAMPLE_BODY}\n- event: ${HOSTILE}\n`;

  it("list (table and wide)", () => {
    const out = renderRecordTable([{ path: "records/x.md", frontMatter: fm }], Date.parse("2026-11-21T12:00:00Z"), true);
    expectNeutralized(out);
    expect(out.trimEnd().split("\n")).toHaveLength(2);
  });

  it("show -o markdown", () => {
    expectNeutralized(renderRecordMarkdown({ frontMatter: fm, body }, "records/x.md"));
  });

  it("audit log", () => {
    const out = renderAuditLog([{ date: "2026-11-21", author: "mallory", record: fm.id, stage: "proposal", change: "modified", to: "proposed", approvals: [], title: fm.title } as never]);
    expectNeutralized(out);
  });
});

describe("report markdown (src/report/markdown.ts)", () => {
  it("neutralizes a hygiene detail and keeps the digest parseable", () => {
    const report = sampleReport();
    report.hygiene.findings.push({ key: `no-limits Deployment/shop/x${HOSTILE}`, check: report.hygiene.findings[0]?.check ?? "no-limits", security: false, workload: `Deployment/shop/x\n## Hacked`, detail: HOSTILE } as never);
    const out = renderReportMarkdown(report, `kubectl aiops report ${HOSTILE}`);
    expectNeutralized(out);
    expect(out).not.toMatch(/^## Hacked/m);
    const report2 = { ...report, digest: { ...report.digest, hygiene: [...report.digest.hygiene, `no-limits Deployment/shop/x${HOSTILE}`] } };
    expect(readDigest(renderReportMarkdown(report2, "kubectl aiops report"))?.hygiene).toContain(`no-limits Deployment/shop/x${HOSTILE}`);
  });
});

describe("decisions, proposals, apply outcomes, watch", () => {
  it("approve/reject: the comment is one safe line; json keeps it", () => {
    const outcome = { apiVersion: "aiops.dev/v1", kind: "Decision", record: "01J", stage: "proposal", path: "p", decision: "reject", status: "rejected", recorded: { identity: "bob", role: "approver", decision: "rejected", at: "2026-11-21T12:00:00Z", comment: `no\n${HOSTILE}` }, role: "approver", applied: false } as unknown as DecisionOutcome;
    const out = renderDecision(outcome, "table");
    expectNeutralized(out);
    expect(out.split("\n")).toHaveLength(2);
    expect(JSON.parse(renderDecision(outcome, "json")).recorded.comment).toBe(`no\n${HOSTILE}`);
  });

  it("propose: summary lines, notes and the stderr lines of diagnose --propose", () => {
    const view = {
      record: { frontMatter: hashed(proposalFrontMatter({ title: `t ${HOSTILE}` })), body: SAMPLE_BODY, location: { absolute: "/r/x.md" } },
      draft: { action: "resources", notes: [HOSTILE], rows: [["app", "memory", "1Gi", HOSTILE, "-", "2Gi"]] },
      tier: "medium",
      tierReason: "medium",
      dryRun: { result: "passed", message: "ok" },
      cost: undefined,
    } as unknown as ProposalView;
    expectNeutralized(renderProposeResult(view, "table"));
    expectNeutralized(renderProposeResult(view, "markdown"));
    expect(JSON.parse(renderProposeResult(view, "json")).frontMatter.title).toBe(`t ${HOSTILE}`);
    expectNeutralized(describeFindingProposals([{ category: "OOMKilled", object: "pod/x", result: { noChange: HOSTILE } }]).join("\n"));
  });

  it("apply, shadow run: steps and problems", () => {
    const outcome = { record: "01J", path: "p", target: "deployment/api", status: "failed", steps: [{ step: "verify", detail: HOSTILE }], problems: [`pod api\n${HOSTILE}`] };
    const out = renderApplyOutcome(outcome, "table");
    expectNeutralized(out);
    expect(out).not.toMatch(/^\\u001b/m);
    expect(JSON.parse(renderApplyOutcome(outcome, "json")).problems[0]).toBe(`pod api\n${HOSTILE}`);
    expectNeutralized(renderShadowResult({ record: "01J", outcome: "failed", detail: HOSTILE }, "wide"));
  });

  it("watch: the incident line", () => {
    const change = { event: "opened" as const, incident: `shop/pod/x${HOSTILE}\nOPENED fake`, categories: "OOMKilled", mttd_seconds: 2, record: "01J" };
    const out = renderIncidentLine(change, false);
    expectNeutralized(out);
    expect(out.split("\n")).toHaveLength(2);
    expect(JSON.parse(renderIncidentLine(change, true)).incident).toBe(change.incident);
  });
});
