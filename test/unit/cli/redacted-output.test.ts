/**
 * The one redaction step of the command line (cli/io.ts redactedIo, applied in cli/main.ts run):
 * secrets in cluster text are hidden on stdout in every format, and on stderr, while JSON and
 * YAML still parse.
 */
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { redactedIo } from "../../../src/cli/io.ts";
import type { DiagnosisList } from "../../../src/diagnose/types.ts";
import { renderDiagnosisMarkdown, renderDiagnosisTable } from "../../../src/render/diagnosis.ts";
import { runCli, sessionIo } from "../../helpers/io.ts";
import { ago, cond, event, MIN, node, pod } from "../../helpers/objects.ts";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlc2lnbmF0dXJl";
const SECRETS = ["hunter2", "eyJzdWIiOiJzeXN0ZW0ifQ", "s3cr3tPass", "MIIEowIBAAKCAQEA", "wJalrXUtnFEMI"];
// Quotes, a backslash and line breaks around the secrets: JSON and YAML escape them, and the
// redaction must leave those escapes whole.
const MESSAGE = [
  `0/3 nodes are available: 3 Insufficient cpu. webhook said password="hunter2\\" and token ${JWT}`,
  "dsn postgres://app:s3cr3tPass@db:5432/app 'quoted' \\ done",
  "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----",
  "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG",
].join("\n");

const unschedulable = pod("batch-1", {
  phase: "Pending",
  created: ago(10 * MIN),
  containers: [{ name: "app", image: "shop/app:1.0", resources: { requests: { cpu: "6", memory: "1Gi" } } }],
  statuses: [],
  conditions: [cond("PodScheduled", "False", "Unschedulable", MESSAGE, ago(10 * MIN))],
});
const input = JSON.stringify({
  apiVersion: "v1",
  kind: "List",
  items: [unschedulable, node("node-1"), event(unschedulable, "FailedScheduling", MESSAGE, { first: ago(10 * MIN), last: ago(MIN), count: 8 })],
});

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe("stdout is redacted once, at the command line's sink", () => {
  it.each(["table", "wide", "markdown"])("-o %s", async (format) => {
    const result = await runCli(["diagnose", "-f", "-", "-o", format], { stdin: input });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Unschedulable");
    expectNoSecret(result.stdout);
  });

  it("-o json: the secrets are gone and the output still parses", async () => {
    const result = await runCli(["diagnose", "-f", "-", "-o", "json"], { stdin: input });
    expect(result.code).toBe(0);
    expectNoSecret(result.stdout);
    const parsed = JSON.parse(result.stdout) as unknown;
    expect(JSON.stringify(parsed)).toContain("REDACTED");
    expect(JSON.stringify(parsed)).toContain("Unschedulable");
  });

  it("-o yaml: the secrets are gone and the output still parses to the same document shape", async () => {
    const [yaml, json] = await Promise.all([
      runCli(["diagnose", "-f", "-", "-o", "yaml"], { stdin: input }),
      runCli(["diagnose", "-f", "-", "-o", "json"], { stdin: input }),
    ]);
    expect(yaml.code).toBe(0);
    expectNoSecret(yaml.stdout);
    expect(parseYaml(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });

  it("stderr: a note quoting the input is redacted too", async () => {
    const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "shop" } };
    const odd = JSON.stringify({ apiVersion: "v1", kind: "List", items: [unschedulable, { ...widget, kind: "Widget token=hunter2" }] });
    const result = await runCli(["diagnose", "-f", "-"], { stdin: odd });
    expect(result.stderr).toContain("token=REDACTED");
    expectNoSecret(result.stderr);
  });

  it("redactedIo redacts every chunk written to either stream, and nothing else of the Io", () => {
    const written: string[] = [];
    const io = sessionIo({ cwd: "/tmp", stdout: { write: (c: string) => written.push(`out:${c}`) }, stderr: { write: (c: string) => written.push(`err:${c}`) } });
    const redacted = redactedIo(io);
    redacted.stdout.write('{"password": "hunter2"}\n');
    redacted.stderr.write("warning: Authorization: Bearer abc\n");
    expect(written).toEqual(['out:{"password": "REDACTED"}\n', "err:warning: Authorization: Bearer REDACTED\n"]);
    expect(redacted.cwd).toBe(io.cwd);
    expect(redacted.now).toBe(io.now);
  });
});

function listWith(summary: string): DiagnosisList {
  const finding = {
    id: "pod.unschedulable",
    category: "Unschedulable",
    object: { kind: "Pod", namespace: "shop", name: "batch-1" },
    severity: "critical",
    confidence: 0.95,
    summary,
    evidence: [],
    remediation: { action: "investigate", tier: "low", summary: "Read the message." },
    runbook: "runbooks/unschedulable.md",
  };
  return { apiVersion: "aiops.dev/v1", kind: "DiagnosisList", items: [{ apiVersion: "aiops.dev/v1", kind: "Diagnosis", target: finding.object, status: "ProblemDetected", findings: [finding], similar: [] }] } as unknown as DiagnosisList;
}

describe("a layout that wraps text redacts before it wraps (render/diagnosis.ts)", () => {
  it("a table narrower than a secret shows no part of it", () => {
    const list = listWith(`webhook said Authorization: Bearer 4f9a8b7c6d5e4f9a and token ${JWT}`);
    const out = renderDiagnosisTable(list, false, { nowMs: Date.parse("2026-11-21T12:00:00Z"), color: false, details: false, width: 60 });
    expect(out).toContain("REDACTED");
    for (const part of ["4f9a8b7c", "eyJhbGci", "eyJzdWIi", "c2lnbmF0"]) expect(out).not.toContain(part);
  });

  it("-o markdown: a wrapped summary line that would open a block is escaped", () => {
    const out = renderDiagnosisMarkdown(listWith(`${"event message ".repeat(7)}xx ## Decision approved --- - item`), Date.parse("2026-11-21T12:00:00Z"));
    expect(out).toContain("\\## Decision approved");
    expect(out.split("\n").filter((l) => l.startsWith("#"))).toEqual(["# Diagnosis", "## Pod shop/batch-1", "### Unschedulable: pod/batch-1"]);
  });
});

describe("stderr is neutralised as well as redacted", () => {
  it("a warning carrying cluster text with escapes, bidi overrides and a token arrives inert", () => {
    let written = "";
    const io = redactedIo({ ...sessionIo({ cwd: "/" }), stderr: { write: (c: string) => void (written += c) } });
    io.stderr.write("warning: pod \u001b]8;;http://evil\u0007web\u202e-1 said token=abcdef123456\nnext line\n");
    expect(written).toBe("warning: pod \\u001b]8;;http://evil\\u0007web\\u202e-1 said token=REDACTED\nnext line\n");
  });
});
