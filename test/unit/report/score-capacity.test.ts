import { describe, expect, it } from "vitest";
import { buildReport } from "../../../src/report/build.ts";
import { assessCapacity } from "../../../src/report/capacity.ts";
import { gradeOf, scoreReport, CAPS } from "../../../src/report/score.ts";
import type { Capacity, Hygiene, Reliability, Rightsizing } from "../../../src/report/types.ts";
import { node, pod } from "../../helpers/objects.ts";
import { ctxOf } from "./fixtures.ts";
import { sampleInput } from "./sample-report.ts";

const reliability = (severities: ("critical" | "high" | "medium" | "low")[], counts: Partial<Reliability["counts"]> = {}): Reliability => ({
  counts: { oomKills: 0, crashLoops: 0, restarts: 0, evictions: 0, pending: 0, failedJobs: 0, nodeConditions: 0, ...counts },
  problems: severities.map((severity, i) => ({ key: `k${i}`, category: "CrashLoopBackOff", severity, object: `Pod/shop/p${i}`, summary: "" })),
  nodeConditions: [],
});
const capacity = (survives = true, requestsPercent = 50): Capacity => ({
  nodes: 3,
  schedulableNodes: 3,
  resources: [{ resource: "memory", allocatable: "48Gi", requests: "4Gi", limits: "8Gi", requestsPercent, allocatableWithoutLargest: "32Gi", survivesLargestNodeLoss: survives }],
  podsRunning: 10,
  podsAllocatable: 330,
  survivesLargestNodeLoss: survives,
});
const hygiene = (workloads: number, security: number, other: number): Hygiene => ({
  findings: [
    ...Array.from({ length: security }, (_, i) => ({ key: `s${i}`, check: "privileged" as const, security: true, workload: `w${i}`, detail: "" })),
    ...Array.from({ length: other }, (_, i) => ({ key: `o${i}`, check: "no-probes" as const, security: false, workload: `w${i}`, detail: "" })),
  ],
  counts: {} as Hygiene["counts"],
  workloads,
  rootNotPrevented: 0,
});
const rightsizing = (reclaimableMemory = "0"): Rightsizing => ({ rows: [], omitted: 0, totals: { reclaimableCpu: "0", reclaimableMemory, addedCpu: "0", addedMemory: "0" }, withoutUsage: 0 });

describe("score and grade", () => {
  it.each<{ name: string; input: Parameters<typeof scoreReport>[0]; value: number; grade: string }>([
    { name: "a clean cluster", input: { reliability: reliability([]), capacity: capacity(), hygiene: hygiene(10, 0, 0), rightsizing: rightsizing() }, value: 100, grade: "A" },
    { name: "one critical problem", input: { reliability: reliability(["critical"]), capacity: capacity(), hygiene: hygiene(10, 0, 0), rightsizing: rightsizing() }, value: 92, grade: "A" },
    { name: "problems are capped at 40", input: { reliability: reliability(Array(20).fill("critical")), capacity: capacity(), hygiene: hygiene(10, 0, 0), rightsizing: rightsizing() }, value: 60, grade: "D" },
    { name: "N-1 failure and high requests", input: { reliability: reliability([]), capacity: capacity(false, 90), hygiene: hygiene(10, 0, 0), rightsizing: rightsizing() }, value: 85, grade: "B" },
    { name: "hygiene is a share of workloads", input: { reliability: reliability([]), capacity: capacity(), hygiene: hygiene(10, 5, 10), rightsizing: rightsizing() }, value: 85, grade: "B" },
    { name: "efficiency: 2Gi of 4Gi requested is reclaimable", input: { reliability: reliability([]), capacity: capacity(), hygiene: hygiene(10, 0, 0), rightsizing: rightsizing("2Gi") }, value: 90, grade: "A" },
    { name: "incidents: OOM kills and evictions", input: { reliability: reliability([], { oomKills: 3, evictions: 2 }), capacity: capacity(), hygiene: hygiene(10, 0, 0), rightsizing: rightsizing() }, value: 92, grade: "A" },
  ])("$name -> $value ($grade)", ({ input, value, grade }) => {
    const score = scoreReport(input);
    expect(score.value).toBe(value);
    expect(score.grade).toBe(grade);
    expect(score.components.map((c) => c.name)).toEqual(Object.keys(CAPS));
    for (const c of score.components) expect(c.penalty).toBeLessThanOrEqual(c.cap);
  });

  it("never below 0, grade boundaries", () => {
    const worst = scoreReport({ reliability: reliability(Array(20).fill("critical"), { oomKills: 50 }), capacity: capacity(false, 99), hygiene: hygiene(1, 1, 1), rightsizing: rightsizing("4Gi") });
    expect(worst.value).toBe(0);
    expect([90, 89, 80, 79, 70, 60, 59].map(gradeOf)).toEqual(["A", "B", "B", "C", "C", "D", "F"]);
  });

  it("the report explains its formula", () => {
    const score = buildReport(sampleInput()).score;
    expect(score.formula).toContain("score = 100 - problems - incidents - capacity - hygiene - efficiency");
    expect(score.components.every((c) => c.explanation.length > 0)).toBe(true);
  });
});

describe("capacity and losing the largest node", () => {
  const withPods = (requests: string[], nodes = [node("a"), node("b"), node("big", { allocatable: { cpu: "8", memory: "32Gi", pods: "110" } })]) =>
    assessCapacity(
      ctxOf([...nodes, ...requests.map((memory, i) => pod(`p${i}`, { node: "a", containers: [{ name: "app", resources: { requests: { cpu: "1", memory } } }] }))]),
      undefined,
    );

  it("sums allocatable and requests, names the largest node", () => {
    const c = withPods(["10Gi", "6Gi"]);
    const memory = c.resources.find((r) => r.resource === "memory");
    expect(c.largestNode).toBe("big");
    expect(memory).toMatchObject({ allocatable: "64Gi", requests: "16Gi", requestsPercent: 25, allocatableWithoutLargest: "32Gi", survivesLargestNodeLoss: true });
    expect(c.survivesLargestNodeLoss).toBe(true);
    expect(c.podsAllocatable).toBe(330);
  });

  it("requests above what is left without the largest node do not survive", () => {
    const c = withPods(["20Gi", "13Gi"]);
    expect(c.resources.find((r) => r.resource === "memory")?.survivesLargestNodeLoss).toBe(false);
    expect(c.survivesLargestNodeLoss).toBe(false);
  });

  it("exactly filling the remaining nodes survives; one node never does", () => {
    expect(withPods(["32Gi"]).survivesLargestNodeLoss).toBe(true);
    expect(withPods(["1Gi"], [node("only")]).survivesLargestNodeLoss).toBe(false);
  });

  it("init containers count as the scheduler counts them", () => {
    const p = pod("init", { node: "a", containers: [{ name: "app", resources: { requests: { memory: "1Gi" } } }], initContainers: [{ name: "setup", resources: { requests: { memory: "3Gi" } } }] });
    const c = assessCapacity(ctxOf([node("a"), node("b"), p]), undefined);
    expect(c.resources.find((r) => r.resource === "memory")?.requests).toBe("3Gi");
  });

  it("p95 usage of running pods against allocatable", () => {
    const c = assessCapacity(ctxOf([node("a"), node("b"), pod("p0", { node: "a" })]), [{ namespace: "shop", pod: "p0", container: "app", memoryP95: 1024 ** 3, cpuP95: 0.5, samples: 100 }, { namespace: "shop", pod: "gone", container: "app", memoryP95: 1024 ** 3, samples: 100 }]);
    expect(c.resources.find((r) => r.resource === "memory")).toMatchObject({ p95Usage: "1Gi", p95Percent: 3.12 });
    expect(c.resources.find((r) => r.resource === "cpu")).toMatchObject({ p95Usage: "500m" });
  });
});

describe("rightsizing in the report", () => {
  it("rightsizing/web: 260m, 156Mi, limit 200Mi, with totals reclaimable", () => {
    const r = buildReport(sampleInput()).rightsizing;
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({
      workload: "Deployment/shop/web",
      container: "web",
      replicas: 2,
      p95: { cpu: "200m", memory: "120Mi" },
      peak: { cpu: "350m", memory: "150Mi" },
      proposed: { cpuRequest: "260m", cpuLimit: "520m", memoryRequest: "156Mi", memoryLimit: "200Mi" },
      confidence: "high",
      oom: false,
      hpa: false,
      deltaCpu: "-480m",
      deltaMemory: "-712Mi",
    });
    expect(r.totals).toEqual({ reclaimableCpu: "480m", reclaimableMemory: "712Mi", addedCpu: "0", addedMemory: "0" });
  });

  it("metrics-server data is low-confidence", () => {
    const usage = { ...sampleInput().usage, source: "metrics-server" as const, pointInTime: true };
    expect(buildReport(sampleInput({ usage })).rightsizing.rows[0]?.confidence).toBe("low");
  });
});
