/**
 * Human tables (render/text.ts renderColumns) are linear, fit the width they are given, and
 * `diagnose -o table` gives a workload's pods failing alike one row; json keeps every finding.
 */
import { describe, expect, it } from "vitest";
import { diagnoseSnapshot } from "../../../src/diagnose/engine.ts";
import type { Diagnosis, DiagnosisList, Finding } from "../../../src/diagnose/types.ts";
import { renderDiagnoseResult } from "../../../src/render/diagnosis.ts";
import { displayWidth, fitLines, renderColumns, tableWidth, wrap } from "../../../src/render/text.ts";
import { ago, deployment, MIN, NOW, pod, replicaSet, term, terminated } from "../../helpers/objects.ts";

function finding(name: string, o: Partial<Finding> = {}): Finding {
  return {
    id: "pod.oomkilled",
    category: "OOMKilled",
    severity: "critical",
    confidence: 0.95,
    object: { kind: "Pod", namespace: "shop", name },
    container: "api",
    summary: "Container api was OOMKilled (exit 137) at its 256Mi memory limit; 3 restart(s).",
    evidence: ["status.containerStatuses[api]: reason=OOMKilled exitCode=137"],
    since: "2026-11-21T11:30:00Z",
    remediation: { action: "resources", summary: "Raise the memory limit of api.", tier: "medium" },
    runbook: "runbooks/oomkilled.md",
    ...o,
  };
}

function item(target: Diagnosis["target"], findings: Finding[]): Diagnosis {
  return { apiVersion: "aiops.dev/v1", kind: "Diagnosis", target, status: findings.length === 0 ? "OK" : "ProblemDetected", findings, similar: [] };
}

function listOf(...items: Diagnosis[]): DiagnosisList {
  return { apiVersion: "aiops.dev/v1", kind: "DiagnosisList", items };
}

const now = "2026-11-21T12:00:00Z";
const lines = (text: string): string[] => text.replace(/\n$/, "").split("\n");
const widest = (text: string): number => Math.max(...lines(text).map(displayWidth));

describe("tableWidth: the width a human table fits", () => {
  it.each([
    { name: "COLUMNS wins, even on a terminal", env: { COLUMNS: "80" }, tty: 200, want: 80 },
    { name: "COLUMNS through a pipe", env: { COLUMNS: "80" }, tty: undefined, want: 80 },
    { name: "the terminal's width", env: {}, tty: 132, want: 132 },
    { name: "a pipe without COLUMNS: no limit (one line per row, like kubectl)", env: {}, tty: undefined, want: undefined },
    { name: "COLUMNS that is not a number is ignored", env: { COLUMNS: "wide" }, tty: undefined, want: undefined },
    { name: "COLUMNS=0 is ignored", env: { COLUMNS: "0" }, tty: 100, want: 100 },
  ])("$name", ({ env, tty, want }) => {
    expect(tableWidth(env, tty)).toBe(want);
  });
});

describe("renderColumns", () => {
  it("pads columns two apart and leaves no trailing space", () => {
    expect(renderColumns(["A", "BB", "C"], [["x", "", ""], ["long", "y", "z"]])).toBe("A     BB  C\nx\nlong  y   z\n");
  });

  it("with no width, keeps one line per row however long", () => {
    const out = renderColumns(["NAME", "SUMMARY"], [["a", "word ".repeat(100).trim()]]);
    expect(lines(out)).toHaveLength(2);
  });

  it("wraps the flex column first, and moves it under its row when the others leave it too little room", () => {
    const beside = renderColumns(["NAME", "SUMMARY", "AGE"], [["api", "word ".repeat(30).trim(), "5m"]], { width: 60, flexColumn: 1 });
    expect(widest(beside)).toBeLessThanOrEqual(60);
    expect(lines(beside)[1]).toMatch(/^api {3}word.* {2}5m$/);
    const under = renderColumns(["NAME", "SUMMARY"], [["x".repeat(50), "word ".repeat(30).trim()]], { width: 60 });
    expect(widest(under)).toBeLessThanOrEqual(60);
    expect(lines(under).slice(0, 3)).toEqual(["NAME", "SUMMARY", "x".repeat(50)]);
  });

  it("counts East Asian wide characters as two columns and color codes as none", () => {
    expect(displayWidth("日本")).toBe(4);
    expect(displayWidth("\u001b[31mcritical\u001b[0m")).toBe(8);
    const out = renderColumns(["NAME", "SUMMARY"], [["a", "日本語のメッセージ ".repeat(20)]], { width: 40 });
    expect(widest(out)).toBeLessThanOrEqual(40);
  });

  it("is linear: 10,000 rows in well under a second (cli-table3 took 11 s)", () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [`team-${i % 50}`, `pod/app-${i}-5d8f7c9b4-xxxx7`, "OOMKilled", "critical", "5m", "Container main was OOMKilled (exit 137) at its 256Mi memory limit."]);
    const started = performance.now();
    const out = renderColumns(["NAMESPACE", "OBJECT", "CATEGORY", "SEVERITY", "SINCE", "SUMMARY"], rows, { width: 80, flexColumn: 5 });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(widest(out)).toBeLessThanOrEqual(80);
  });
});

describe("wrap and fitLines", () => {
  it("breaks a word longer than the width only when asked (Markdown keeps URLs whole)", () => {
    const url = `https://example.com/${"a".repeat(40)}`;
    expect(wrap(`see ${url}`, 20)).toBe(`see\n${url}`);
    expect(widest(wrap(`see ${url}`, 20, { breakWords: true }))).toBeLessThanOrEqual(20);
  });

  it("wraps a long line with its continuation indented two more", () => {
    expect(fitLines("  Evidence: one two three four five", 16)).toBe("  Evidence:\n    one two\n    three four\n    five");
    expect(fitLines("short", undefined)).toBe("short");
  });
});

describe("diagnose -o table at COLUMNS=80", () => {
  const longName = `api-${"x".repeat(96)}`;
  const message = `Container api cannot start: ${"the configuration refers to a missing key ".repeat(8)}`.slice(0, 300);
  const list = listOf(item({ kind: "Pod", namespace: "shop", name: longName }, [finding(longName, { summary: message, evidence: [`event Warning Failed x3: ${message}`] })]));
  list.explanation = { model: "llama3", summary: message, likelyCause: message, nextSteps: [message] };
  list.items[0]?.similar.push({ record: "01JD0000000000000000000000", category: "OOMKilled", target: `deployment/shop/${longName}`, outcome: "verified", action: "resources", score: 0.9 });

  for (const color of [false, true]) {
    it(`no line is longer than 80 columns (300-character message, 100-character pod name, color ${color ? "on" : "off"})`, () => {
      expect(longName).toHaveLength(100);
      expect(message).toHaveLength(300);
      const out = renderDiagnoseResult({ list, single: list.items[0], now }, "table", { color, width: tableWidth({ COLUMNS: "80" }, undefined) });
      expect(widest(out)).toBeLessThanOrEqual(80);
      // Nothing is lost, only wrapped: the pod name and the message can be read back.
      const text = out.replace(/\u001b\[[0-9;]*m/g, "").replace(/\s+/g, "");
      expect(text).toContain(longName);
      expect(text).toContain(message.replace(/\s+/g, ""));
    });
  }

  it("-o wide is not wrapped: one line per finding, like kubectl's -o wide (pipe it to less -S)", () => {
    const out = renderDiagnoseResult({ list: listOf(...list.items), now }, "wide", { color: false, width: 80 });
    expect(lines(out)[1]).toContain(longName);
    expect(lines(out)[1]).toContain(message.trim());
    expect(widest(out)).toBeGreaterThan(80);
  });

  it("with no width (a pipe), the summary stays on the row's line", () => {
    const out = renderDiagnoseResult({ list: listOf(...list.items), now }, "table", { color: false });
    expect(lines(out)[1]).toContain(message.trim());
  });
});

describe("diagnose -o table: one row per workload for pods failing alike", () => {
  const web = deployment("web", { replicas: 12, ready: 0, available: 0, unavailable: 12 });
  const rs = replicaSet("web-7d9f", { owner: web, replicas: 12, ready: 0, labels: { app: "web" } });
  const oomPod = (i: number) =>
    pod(`web-7d9f-${String(i).padStart(5, "a")}`, {
      owner: rs,
      labels: { app: "web" },
      containers: [{ name: "app", image: "shop/web:1", resources: { limits: { memory: "256Mi" } } }],
      statuses: [terminated("app", term(137, "OOMKilled", ago((5 + i) * MIN)), { restarts: 3 })],
    });
  const snapshot = { now: NOW, objects: [web, rs, ...Array.from({ length: 12 }, (_, i) => oomPod(i))] };

  it("prints deployment/web (12 pods) once, while json keeps all 12 findings", () => {
    const list = diagnoseSnapshot(snapshot);
    const podFindings = list.items.flatMap((i) => i.findings).filter((f) => f.object.kind === "Pod");
    expect(podFindings).toHaveLength(12);
    expect(new Set(podFindings.map((f) => f.category))).toEqual(new Set(["OOMKilled"]));
    const out = renderDiagnoseResult({ list, now: NOW }, "table", { color: false, width: 160 });
    const table = out.slice(0, out.indexOf("\n\n"));
    const rows = lines(table).filter((l) => /^shop /.test(l));
    expect(rows.filter((l) => l.includes("OOMKilled"))).toHaveLength(1);
    expect(table).toContain("deployment/web (12 pods)");
    expect(table).not.toContain("pod/web-7d9f");
    // The earliest of the group's `since`: the pod that failed 16 minutes ago.
    expect(rows.find((l) => l.includes("OOMKilled"))).toMatch(/ 16m /);
    const json = JSON.parse(renderDiagnoseResult({ list, now: NOW }, "json", { color: false })) as DiagnosisList;
    expect(json.items.flatMap((i) => i.findings).filter((f) => f.object.kind === "Pod")).toHaveLength(12);
    const wide = renderDiagnoseResult({ list, now: NOW }, "wide", { color: false });
    expect(lines(wide).filter((l) => /^shop +pod\/web-7d9f/.test(l))).toHaveLength(12);
  });

  it("keeps a row per category, and a lone pod of its category on its own row", () => {
    const target = { kind: "Deployment", namespace: "shop", name: "api" };
    const findings = [finding("api-1"), finding("api-2"), finding("api-3", { category: "CrashLoopBackOff", severity: "high" })];
    const out = renderDiagnoseResult({ list: listOf(item(target, findings)), now }, "table", { color: false });
    expect(lines(out).slice(1, 3)).toEqual([
      expect.stringMatching(/^shop {7}deployment\/api \(2 pods\) {2}OOMKilled/),
      expect.stringMatching(/^shop {7}pod\/api-3 \[api\] {10}CrashLoopBackOff/),
    ]);
    expect(out).toContain("3 finding(s) in 1 of 1 object(s).");
  });

  it("never groups the pods of a Service or two containers of one pod", () => {
    const service = renderDiagnoseResult({ list: listOf(item({ kind: "Service", namespace: "shop", name: "api" }, [finding("api-1"), finding("api-2")])), now }, "table", { color: false });
    expect(service).toContain("pod/api-1");
    expect(service).toContain("pod/api-2");
    const containers = renderDiagnoseResult({ list: listOf(item({ kind: "Deployment", namespace: "shop", name: "api" }, [finding("api-1"), finding("api-1", { container: "sidecar" })])), now }, "table", { color: false });
    expect(containers).toContain("pod/api-1 [api]");
    expect(containers).toContain("pod/api-1 [sidecar]");
  });
});
