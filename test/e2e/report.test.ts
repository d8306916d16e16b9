import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { gitdir } from "../helpers/gitdir.ts";
import { describeTestbed } from "./suite.ts";
import { kubectl, SCENARIO_CATEGORIES, testbed } from "./testbed.ts";

interface ReportJson {
  kind: string;
  period: { kind: string; key: string; start: string; end: string };
  cluster: { version: string };
  metrics: { source: string; historyDays?: number };
  score: { value: number; grade: string; formula: string };
  reliability: { problems: { key: string; category: string; object: string }[] };
  rightsizing: { rows: { workload: string; container: string; proposed: Record<string, string>; confidence: string }[] };
  hygiene: { findings: { check: string; workload: string; container?: string; variable?: string; detail: string }[] };
  change?: { previousKey: string; scoreDelta: number; newProblems: string[]; resolvedProblems: string[]; resolvedHygiene: string[] };
}


const SECRET_VALUE = "e2e-plain-secret-value-4711";
const NS = `report-e2e-${process.pid}`;

function manifest(): string {
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: leaky, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: leaky}}
  template:
    metadata: {labels: {app: leaky}}
    spec:
      containers:
      - name: app
        image: ghcr.io/example/leaky:latest
        env:
        - {name: DB_PASSWORD, value: ${SECRET_VALUE}}
        - {name: LOG_LEVEL, value: debug}
`;
}

describeTestbed("kubectl aiops report on the test bed", () => {
  const bed = testbed();
  let repo = "";
  let history = "";
  const report = (...args: string[]) => kubectl(["aiops", "report", "weekly", "--history-dir", history, ...args], { timeoutMs: 120_000 });

  beforeAll(() => {
    repo = gitdir();
    history = path.join(repo, "history");
    const applied = kubectl(["apply", "-f", "-"], { input: manifest() });
    expect(applied.status, applied.stderr).toBe(0);
  });

  afterAll(() => {
    kubectl(["delete", "namespace", NS, "--wait=false", "--ignore-not-found"]);
  });

  let first: ReportJson;
  it("writes the weekly report as a record: scenarios, rightsizing with the 30 % margin, hygiene", () => {
    const run = report("--prometheus", bed.prometheusUrl, "-o", "json");
    expect(run.status, run.stderr).toBe(0);
    first = JSON.parse(run.stdout) as ReportJson;
    expect(first.kind).toBe("HealthReport");
    expect(first.cluster.version).toMatch(/^v1\.\d+/);
    expect(first.metrics.source).toBe("prometheus");
    expect(first.metrics.historyDays).toBeGreaterThanOrEqual(6);
    // The scenarios failing right now, as diagnose sees them (a scenario can be off, e.g.
    // pending-no-resources schedules when a benchmark adds huge nodes): the report names each.
    const expected = Object.entries(SCENARIO_CATEGORIES).filter(([namespace, category]) => {
      const diagnosed = kubectl(["aiops", "diagnose", "namespace", namespace, "-o", "json"]);
      const items = (JSON.parse(diagnosed.stdout) as { items: { findings: { category: string }[] }[] }).items;
      return items.some((i) => i.findings.some((f) => f.category === category));
    });
    expect(expected.length).toBeGreaterThanOrEqual(6);
    for (const [namespace, category] of expected) {
      expect(first.reliability.problems.some((p) => p.category === category && p.object.includes(`/${namespace}/`)), `${category} in ${namespace}`).toBe(true);
    }
    expect(first.reliability.problems.some((p) => p.object.includes("/healthy/") || p.object.includes("/rightsizing/"))).toBe(false);
    const web = first.rightsizing.rows.find((r) => r.workload === "Deployment/rightsizing/web" && r.container === "web");
    expect(web?.proposed).toMatchObject({ cpuRequest: "260m", memoryRequest: "156Mi", memoryLimit: "200Mi" });
    expect(web?.confidence).toBe("high");
    const mine = first.hygiene.findings.filter((f) => f.workload === `Deployment/${NS}/leaky`).map((f) => `${f.check}${f.variable === undefined ? "" : `:${f.variable}`}`);
    expect(mine).toEqual(expect.arrayContaining(["secret-in-env:DB_PASSWORD", "latest-image", "no-requests", "no-limits", "no-probes", "single-replica"]));
    expect(mine).not.toContain("secret-in-env:LOG_LEVEL");
    expect(run.stdout).not.toContain(SECRET_VALUE);
    expect(run.stderr).toMatch(/recorded [0-9A-Z]{26}/);
  });

  it("the record is Markdown under reports/weekly/, committed, never holding the secret value", () => {
    const files = kubectl(["aiops", "list", "--history-dir", history, "-o", "json"]);
    expect(files.status, files.stderr).toBe(0);
    const items = (JSON.parse(files.stdout) as { items: { path: string; stage: string; labels: Record<string, string> }[] }).items.filter((i) => i.stage === "report");
    expect(items).toHaveLength(1);
    const item = items[0];
    expect(item?.path).toMatch(/\/history\/reports\/weekly\/[0-9A-Z]{26}-weekly-health-report-.*\.report\.md$/);
    expect(item?.labels).toMatchObject({ period: "weekly", period_key: first.period.key, metrics_source: "prometheus" });
    const text = readFileSync(item?.path ?? "", "utf8");
    expect(text).not.toContain(SECRET_VALUE);
    expect(text).toContain("DB_PASSWORD");
    expect(text).toContain("| Deployment/rightsizing/web [web] x2 |");
    const body = text.slice(text.indexOf("\n---\n", 4) + 5);
    expect(body.split("\n").filter((l) => l.length > 120)).toEqual([]);
  });

  it("the same week again is skipped with a note; --force writes one that shows the change", () => {
    const again = report("--prometheus", bed.prometheusUrl);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain(`the weekly report of ${first.period.key} exists already`);

    const deleted = kubectl(["delete", "deployment", "leaky", "-n", NS, "--wait=true"]);
    expect(deleted.status, deleted.stderr).toBe(0);
    const forced = report("--prometheus", bed.prometheusUrl, "--force", "-o", "json");
    expect(forced.status, forced.stderr).toBe(0);
    const second = JSON.parse(forced.stdout) as ReportJson;
    expect(second.change?.previousKey).toBe(first.period.key);
    expect(second.change?.resolvedHygiene).toEqual(expect.arrayContaining([`secret-in-env Deployment/${NS}/leaky app DB_PASSWORD`, `latest-image Deployment/${NS}/leaky app`]));
    expect(typeof second.change?.scoreDelta).toBe("number");

    const markdown = report("--prometheus", bed.prometheusUrl, "--dry-run", "-o", "markdown");
    expect(markdown.status, markdown.stderr).toBe(0);
    expect(markdown.stdout).toContain(`## Change since the previous report (${first.period.key})`);
  });

  it("deploy/ passes a server-side dry run", () => {
    const existed = kubectl(["get", "namespace", "aiops-system"]).status === 0;
    // Namespaced objects cannot be dry-run into a namespace that does not exist yet.
    if (!existed) expect(kubectl(["create", "namespace", "aiops-system"]).status).toBe(0);
    try {
      const dry = kubectl(["apply", "--dry-run=server", "-f", path.resolve(import.meta.dirname, "../../deploy")]);
      expect(dry.status, dry.stderr).toBe(0);
      for (const kind of ["clusterrole.rbac.authorization.k8s.io/aiops-report-reader", "serviceaccount/aiops-report", "configmap/aiops-entrypoints", "cronjob.batch/aiops-weekly-report"]) {
        expect(dry.stdout).toContain(kind);
      }
    } finally {
      if (!existed) kubectl(["delete", "namespace", "aiops-system", "--wait=false"]);
    }
  });
});
