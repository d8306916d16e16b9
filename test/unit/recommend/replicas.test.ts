import { describe, expect, it } from "vitest";
import { PolicyError } from "../../../src/errors.ts";
import type { Container, HorizontalPodAutoscaler } from "../../../src/model/k8s.ts";
import type { ContainerUsageInput } from "../../../src/recommend/margin.ts";
import { proposeHpa, proposeReplicas } from "../../../src/recommend/replicas.ts";

const web = (cpu: string, memory = "100Mi"): Container => ({ name: "web", resources: { requests: { cpu, memory } } });
const cpuUsage = (p95: string, max = p95, p50?: string): ContainerUsageInput => ({ container: "web", cpu: p50 === undefined ? { p95, max } : { p50, p95, max } });
const hpa = (resource: string | undefined, min = 2, max = 6): HorizontalPodAutoscaler => ({
  metadata: { name: "web", namespace: "shop" },
  spec: {
    scaleTargetRef: { kind: "Deployment", name: "web" },
    minReplicas: min,
    maxReplicas: max,
    ...(resource === undefined ? {} : { metrics: [{ type: "Resource", resource: { name: resource, target: { type: "Utilization", averageUtilization: 70 } } }] }),
  },
});

describe("proposeReplicas: desired = ceil(current × p95 utilisation / (1/1.30)), 0.1 tolerance", () => {
  it.each<{ name: string; current: number; request: string; p95: string; desired: number; within: boolean }>([
    { name: "ratio 1.04: within tolerance", current: 2, request: "250m", p95: "200m", desired: 2, within: true },
    { name: "ratio exactly 1.1: within (|ratio - 1| <= 0.1)", current: 2, request: "1300m", p95: "1100m", desired: 2, within: true },
    { name: "ratio just above 1.1: scale out", current: 2, request: "1300m", p95: "1101m", desired: 3, within: false },
    { name: "ratio exactly 0.9: within", current: 10, request: "1300m", p95: "900m", desired: 10, within: true },
    { name: "ratio just below 0.9: scale in", current: 10, request: "1300m", p95: "899m", desired: 9, within: false },
    { name: "outside the tolerance but rounding lands on the current count", current: 2, request: "1300m", p95: "899m", desired: 2, within: false },
    { name: "double the load: twice the pods and more", current: 3, request: "100m", p95: "200m", desired: 8, within: false },
    { name: "idle: never below 1", current: 4, request: "1", p95: "0", desired: 1, within: false },
  ])("$name", ({ current, request, p95, desired, within }) => {
    const result = proposeReplicas({ current, containers: [web(request)], usage: [cpuUsage(p95)] });
    expect(result.desired).toBe(desired);
    expect(result.change).toBe(desired !== current);
    expect(result.byResource[0]?.withinTolerance).toBe(within);
  });

  it("shows the arithmetic", () => {
    expect(proposeReplicas({ current: 3, containers: [web("100m")], usage: [cpuUsage("200m")] }).steps).toEqual([
      "cpu: p95 200m per pod of request 100m = 200.0% utilisation; target 76.9% (1/1.30); ratio 2.60: desired = ceil(3 × 2.60) = 8",
      "memory: no usage data for container web",
      "replicas = max over resources = 8 (from 3)",
    ]);
  });

  it("takes the largest count over cpu and memory, like the HPA controller", () => {
    const usage: ContainerUsageInput[] = [{ container: "web", cpu: { p95: "200m", max: "200m" }, memory: { p95: "150Mi", max: "160Mi" } }];
    const result = proposeReplicas({ current: 2, containers: [web("250m", "100Mi")], usage });
    expect(result.byResource.map((r) => [r.resource, r.desired, r.withinTolerance])).toEqual([["cpu", 2, true], ["memory", 4, false]]);
    expect(result.desired).toBe(4);
  });

  it("sums containers of a pod", () => {
    const containers: Container[] = [web("100m"), { name: "proxy", resources: { requests: { cpu: "100m" } } }];
    const usage: ContainerUsageInput[] = [cpuUsage("100m"), { container: "proxy", cpu: { p95: "100m", max: "100m" } }];
    expect(proposeReplicas({ current: 2, containers, usage }).byResource[0]).toMatchObject({ request: "200m", p95: "200m", ratio: "1.30", desired: 3 });
  });

  it("flags an HPA that owns the replica count", () => {
    expect(proposeReplicas({ current: 3, containers: [web("100m")], usage: [cpuUsage("200m")], hpa: hpa("cpu") }).hpaFlag).toMatch(/HPA web manages the replicas \(2\.\.6\)/);
  });

  it("refuses without requests, as utilisation is undefined", () => {
    const run = () => proposeReplicas({ current: 2, containers: [{ name: "web" }], usage: [cpuUsage("200m")] });
    expect(run).toThrow(PolicyError);
    expect(run).toThrow(/container web has no cpu request/);
  });
});

describe("proposeHpa: min = max(1, desired at p50), max = max(min, desired at p95, ceil(desired at peak × 1.30))", () => {
  it.each<{ name: string; current: number; request: string; p50?: string; p95: string; peak: string; min: number; max: number }>([
    { name: "quiet, busy and peak", current: 2, request: "250m", p50: "100m", p95: "200m", peak: "400m", min: 2, max: 7 },
    { name: "a mostly idle service keeps one pod", current: 4, request: "1", p50: "50m", p95: "300m", peak: "500m", min: 1, max: 4 },
    { name: "without p50 (metrics-server) the p95 count is the minimum", current: 2, request: "250m", p95: "200m", peak: "200m", min: 3, max: 4 },
    { name: "a flat load", current: 3, request: "1", p50: "769m", p95: "769m", peak: "769m", min: 3, max: 4 },
  ])("$name", ({ current, request, p50, p95, peak, min, max }) => {
    const result = proposeHpa({ current, containers: [web(request)], usage: [cpuUsage(p95, peak, p50)] });
    expect({ min: result.minReplicas, max: result.maxReplicas }).toEqual({ min, max });
    expect(result.metrics).toEqual([{ resource: "cpu", averageUtilization: 76 }]);
  });

  it("shows the arithmetic", () => {
    expect(proposeHpa({ current: 2, containers: [web("250m")], usage: [cpuUsage("200m", "400m", "100m")] }).steps).toEqual([
      "cpu: desired at p50 100m = 2; at p95 200m = 3; at peak 400m = 5, × 1.30 = 7",
      "minReplicas = max(1, desired at p50) = 2; maxReplicas = max(minReplicas, desired at p95, ceil(desired at peak × 1.30)) = 7; target 76% (floor(100 / 1.30))",
    ]);
  });

  it("falls back to memory when cpu has no usage", () => {
    const usage: ContainerUsageInput[] = [{ container: "web", memory: { p50: "100Mi", p95: "120Mi", max: "150Mi" } }];
    expect(proposeHpa({ current: 2, containers: [web("250m", "128Mi")], usage }).metrics).toEqual([{ resource: "memory", averageUtilization: 76 }]);
  });

  it("keeps the resources an existing HPA scales on and reports its current bounds", () => {
    const usage: ContainerUsageInput[] = [{ container: "web", cpu: { p95: "100m", max: "100m" }, memory: { p50: "100Mi", p95: "120Mi", max: "150Mi" } }];
    const result = proposeHpa({ current: 2, containers: [web("250m", "128Mi")], usage, hpa: hpa("memory", 1, 3) });
    expect(result.metrics).toEqual([{ resource: "memory", averageUtilization: 76 }]);
    expect(result.current).toEqual({ minReplicas: 1, maxReplicas: 3 });
    expect(result.minReplicas).toBe(3); // ceil(2 × 100/128 × 1.3) = ceil(2.03)
    expect(result.maxReplicas).toBe(6); // peak: ceil(2 × 150/128 × 1.3) = 4, × 1.3 = 5.2 -> 6
  });

  it("refuses when no resource has requests and usage", () => {
    expect(() => proposeHpa({ current: 2, containers: [{ name: "web" }], usage: [cpuUsage("200m")] })).toThrow(/cannot propose an HPA/);
  });
});
