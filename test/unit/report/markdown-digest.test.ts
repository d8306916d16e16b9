import { describe, expect, it } from "vitest";
import { buildReport } from "../../../src/report/build.ts";
import { buildDigest, diffDigests, readDigest, renderDigest } from "../../../src/report/digest.ts";
import { mdTable } from "../../../src/report/markdown-table.ts";
import { renderReportMarkdown } from "../../../src/report/markdown.ts";
import { isoWeekKey, reportWindow } from "../../../src/report/period.ts";
import type { ReportDigest } from "../../../src/report/types.ts";
import { sampleInput, sampleReport } from "./sample-report.ts";

/** Every table: same number of cells on every row, a separator row second. */
function tablesOf(md: string): string[][] {
  const tables: string[][] = [];
  let current: string[] = [];
  for (const line of md.split("\n")) {
    if (line.startsWith("|")) current.push(line);
    else if (current.length > 0) {
      tables.push(current);
      current = [];
    }
  }
  if (current.length > 0) tables.push(current);
  return tables;
}

function cells(row: string): number {
  return row.replace(/\\\|/g, "").split("|").length - 2;
}

describe("the Markdown report", () => {
  const report = buildReport(sampleInput());
  const md = renderReportMarkdown(report, "kubectl aiops report weekly");

  it("keeps every line within 120 characters and uses no HTML", () => {
    const long = md.split("\n").filter((l) => l.length > 120);
    expect(long).toEqual([]);
    // Outside code, "<word>" would be taken for an HTML tag and hidden by GitHub.
    const prose = md.replace(/```[\s\S]*?```/g, "").replace(/`[^`]*`/g, "");
    expect(prose).not.toMatch(/<\/?[a-z][^>]*>/i);
  });

  it("has well-formed tables", () => {
    const tables = tablesOf(md);
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables) {
      const width = cells(table[0] ?? "");
      expect(table[1]).toMatch(/^\| ---( \| ---)* \|$/);
      for (const row of table) expect(cells(row), row).toBe(width);
    }
  });

  it("shows the front matter, score, sections and the rightsizing row", () => {
    expect(md).toMatch(/^# Weekly health report 2026-W11: prod, grade [A-F] \(\d+\/100\)/);
    for (const heading of ["## Score", "## Change since the previous report", "## Top actions", "## Reliability", "## Capacity", "## Rightsizing", "## Hygiene and security", "## Decisions in the window", "## Prompt", "## Machine-readable summary"]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain("| Kubernetes | v1.36.3 |");
    expect(md).toContain("| Window | 2026-03-03T12:00:00Z to 2026-03-10T12:00:00Z |");
    expect(md).toContain("7 days of history");
    expect(md).toContain("| Deployment/shop/web [web] x2 | 500m / 512Mi | 200m / 120Mi | 350m / 150Mi | 260m / 156Mi lim 200Mi | high | - |");
    expect(md).toContain("CrashLoopBackOff");
  });

  it("ends with the machine-readable block, which reads back", () => {
    expect(md.trimEnd().endsWith("```")).toBe(true);
    expect(readDigest(md)).toEqual(report.digest);
  });

  it("shortens cells of a too-wide row without breaking the table", () => {
    const table = mdTable(["A", "B"], [["x".repeat(200), "a|b"]]);
    for (const line of table.trimEnd().split("\n")) {
      expect(line.length).toBeLessThanOrEqual(120);
      expect(cells(line)).toBe(2);
    }
    expect(table).toContain("a\\|b");
  });
});

describe("change since the previous report", () => {
  const previous: ReportDigest = {
    aiopsReport: 1,
    period: "weekly",
    key: "2026-W10",
    end: "2026-03-03T12:00:00Z",
    score: 50,
    grade: "F",
    problems: ["OOMKilled Deployment/shop/worker", "CrashLoopBackOff Pod/shop/api-x"],
    hygiene: ["no-probes Deployment/shop/old app"],
    rightsizing: [{ row: "Deployment/shop/web web", cpuRequest: "300m", memoryRequest: "156Mi", memoryLimit: "200Mi" }, { row: "Deployment/shop/gone app", memoryRequest: "64Mi" }],
    reclaimable: { cpu: "1", memory: "1Gi" },
  };

  it("diffs score, problems, hygiene and rightsizing", () => {
    const current = buildDigest(sampleReport());
    const change = diffDigests(previous, current, "01PREVIOUS");
    expect(change.previousId).toBe("01PREVIOUS");
    expect(change.scoreDelta).toBe(current.score - 50);
    expect(change.newProblems).toEqual(current.problems.filter((p) => p !== "CrashLoopBackOff Pod/shop/api-x"));
    expect(change.resolvedProblems).toEqual(["OOMKilled Deployment/shop/worker"]);
    expect(change.resolvedHygiene).toEqual(["no-probes Deployment/shop/old app"]);
    expect(change.rightsizing).toEqual({ added: [], removed: ["Deployment/shop/gone app"], changed: ["Deployment/shop/web web"] });
  });

  it("the next report shows the change, read back from the previous report's body", () => {
    const first = buildReport(sampleInput());
    const body = renderReportMarkdown(first, "kubectl aiops report weekly");
    const digest = readDigest(body);
    expect(digest).toBeDefined();
    const second = buildReport(sampleInput({ period: { ...first.period, key: "2026-W12" }, previous: { id: "01FIRST", digest: digest as ReportDigest } }));
    expect(second.change).toMatchObject({ previousKey: "2026-W11", scoreDelta: 0, newProblems: [], resolvedProblems: [] });
    const md = renderReportMarkdown(second, "kubectl aiops report weekly");
    expect(md).toContain("## Change since the previous report (2026-W11)");
    expect(md).toContain("Score 0;");
  });

  it("a body without a valid block gives no digest", () => {
    expect(readDigest("## Score\n\nnothing here\n")).toBeUndefined();
    expect(readDigest("## Machine-readable summary\n\n```json\n{\"aiopsReport\": 2}\n```\n")).toBeUndefined();
    expect(readDigest(`## Machine-readable summary\n\n${renderDigest(previous)}`)).toEqual(previous);
  });
});

describe("report periods", () => {
  it.each([
    ["2026-11-21T21:00:00Z", "2026-W47"],
    ["2026-11-23T06:00:00Z", "2026-W48"],
    ["2027-01-01T00:00:00Z", "2026-W53"],
    ["2024-12-30T10:00:00Z", "2025-W01"],
  ])("%s is in ISO week %s", (at, key) => {
    expect(isoWeekKey(new Date(at))).toBe(key);
  });

  it("weekly: 7 days ending now; daily: 1 day, keyed by the UTC date", () => {
    expect(reportWindow("weekly", new Date("2026-11-23T06:00:00.400Z"))).toEqual({ kind: "weekly", key: "2026-W48", start: "2026-11-16T06:00:00Z", end: "2026-11-23T06:00:00Z" });
    expect(reportWindow("daily", new Date("2026-11-23T06:00:00Z"))).toEqual({ kind: "daily", key: "2026-11-23", start: "2026-11-22T06:00:00Z", end: "2026-11-23T06:00:00Z" });
  });
});
