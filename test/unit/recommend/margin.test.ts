import { describe, expect, it } from "vitest";
import type { Container, HorizontalPodAutoscaler, ResourceRequirements } from "../../../src/model/k8s.ts";
import { describeMemory, proposeContainerResources, proposeCpu, proposeMemory, proposeResources, type ContainerUsageInput, type UsageFigures } from "../../../src/recommend/margin.ts";
import { parseQuantity } from "../../../src/recommend/quantity.ts";

const figures = (p95: string, max: string): UsageFigures => ({ p95, max });

describe("the seed example (docs/proposals.md)", () => {
  const container: Container = { name: "web", resources: { requests: { cpu: "100m", memory: "100Mi" }, limits: { memory: "128Mi" } } };
  const usage: ContainerUsageInput = { container: "web", cpu: figures("200m", "300m"), memory: figures("120Mi", "150Mi"), oomKills: 0 };
  const proposal = proposeContainerResources(container, usage);

  it("p95 120Mi, peak 150Mi -> request 156Mi, limit 200Mi; cpu p95 200m -> 260m, no cpu limit", () => {
    expect(proposal.proposed).toEqual({ requests: { cpu: "260m", memory: "156Mi" }, limits: { memory: "200Mi" } });
  });

  it("keeps its inputs and shows the arithmetic", () => {
    expect(proposal.inputs).toEqual({ cpu: usage.cpu, memory: usage.memory, oomKills: 0, current: container.resources });
    expect(proposal.steps).toEqual([
      "cpu p95 200m × 1.30 = 260m",
      "no cpu limit set; none added",
      "memory p95 120Mi × 1.30 = 156Mi",
      "memory limit candidate: request 156Mi × 1.25 = 195Mi",
      "memory limit candidate: peak 150Mi × 1.15 = 172.5Mi",
      "memory limit = max(195Mi, 172.5Mi) = 195Mi, rounded up to a multiple of 8Mi: 200Mi",
    ]);
  });
});

describe("proposeCpu", () => {
  it.each<{ name: string; p95: string; current?: ResourceRequirements; request: string; limit?: string }>([
    { name: "p95 x 1.30", p95: "200m", request: "260m" },
    { name: "ceil to whole millicores", p95: "123456789n", request: "161m" },
    { name: "exactly on a millicore stays", p95: "1", request: "1300m" },
    { name: "floor 10m", p95: "5m", request: "10m" },
    { name: "zero usage gets the floor", p95: "0", request: "10m" },
    { name: "just above the floor", p95: "8m", request: "11m" },
    { name: "existing limit kept at its ratio", p95: "200m", current: { requests: { cpu: "200m" }, limits: { cpu: "500m" } }, request: "260m", limit: "650m" },
    { name: "ratio rounded up to 1m", p95: "200m", current: { requests: { cpu: "300m" }, limits: { cpu: "1" } }, request: "260m", limit: "867m" },
    { name: "limit without request: the request defaulted to it, ratio 1", p95: "200m", current: { limits: { cpu: "2" } }, request: "260m", limit: "260m" },
    { name: "a memory limit does not add a cpu limit", p95: "200m", current: { limits: { memory: "1Gi" } }, request: "260m" },
  ])("$name", ({ p95, current, request, limit }) => {
    const result = proposeCpu(figures(p95, p95), current);
    expect(result.request).toBe(request);
    expect(result.limit).toBe(limit);
  });

  it("shows an inexact ratio and the rounding", () => {
    expect(proposeCpu(figures("200m", "200m"), { requests: { cpu: "300m" }, limits: { cpu: "1" } }).steps.at(-1)).toBe(
      "cpu limit kept at ≈3.333× the request (1 / 300m): 260m × 1 / 300m = 867m (rounded up to 1m)",
    );
  });

  it("explains the floor and the ratio", () => {
    expect(proposeCpu(figures("5m", "5m")).steps).toEqual(["cpu p95 5m × 1.30 = 6500u, rounded up to 7m", "cpu request 7m is below the floor of 10m: 10m", "no cpu limit set; none added"]);
    expect(proposeCpu(figures("200m", "200m"), { requests: { cpu: "200m" }, limits: { cpu: "500m" } }).steps.at(-1)).toBe(
      "cpu limit kept at 2.5× the request (500m / 200m): 260m × 500m / 200m = 650m",
    );
  });
});

describe("proposeMemory", () => {
  it.each<{ name: string; p95: string; max: string; oom?: number; current?: ResourceRequirements; request: string; limit: string }>([
    { name: "seed", p95: "120Mi", max: "150Mi", request: "156Mi", limit: "200Mi" },
    { name: "the peak decides the limit", p95: "100Mi", max: "300Mi", request: "130Mi", limit: "352Mi" },
    { name: "request rounded up to a whole Mi", p95: "100M", max: "110M", request: "124Mi", limit: "160Mi" },
    { name: "floor 64Mi", p95: "10Mi", max: "20Mi", request: "64Mi", limit: "80Mi" },
    { name: "limit already on an 8Mi step", p95: "64Mi", max: "64Mi", request: "84Mi" /* 83.2 -> 84 */, limit: "112Mi" /* 105 -> 112 */ },
    { name: "OOM kill: current limit x 1.2 wins", p95: "120Mi", max: "150Mi", oom: 2, current: { limits: { memory: "256Mi" } }, request: "156Mi", limit: "312Mi" /* 307.2 */ },
    { name: "OOM kill: peak + 100Mi wins", p95: "120Mi", max: "150Mi", oom: 1, current: { limits: { memory: "128Mi" } }, request: "156Mi", limit: "256Mi" /* 250 */ },
    { name: "OOM kill without a current limit", p95: "120Mi", max: "150Mi", oom: 1, request: "156Mi", limit: "256Mi" },
    { name: "no OOM kill: the current limit plays no part", p95: "120Mi", max: "150Mi", oom: 0, current: { limits: { memory: "1Gi" } }, request: "156Mi", limit: "200Mi" },
    { name: "unknown OOM kills count as none", p95: "120Mi", max: "150Mi", current: { limits: { memory: "1Gi" } }, request: "156Mi", limit: "200Mi" },
    { name: "gigabytes", p95: "1.5Gi", max: "2Gi", request: "1997Mi" /* 1996.8 */, limit: "2504Mi" /* 2496.25 -> 2504 */ },
  ])("$name", ({ p95, max, oom, current, request, limit }) => {
    const result = proposeMemory(figures(p95, max), oom, current);
    expect({ request: result.request, limit: result.limit }).toEqual({ request, limit });
    expect(parseQuantity(result.request)).toBeGreaterThanOrEqual((parseQuantity(p95) * 13n) / 10n);
    expect(parseQuantity(result.limit) % (8n * 2n ** 20n * 10n ** 9n)).toBe(0n);
  });

  it("shows every limit candidate after an OOM kill", () => {
    expect(proposeMemory(figures("120Mi", "150Mi"), 2, { limits: { memory: "256Mi" } }).steps).toEqual([
      "memory p95 120Mi × 1.30 = 156Mi",
      "memory limit candidate: request 156Mi × 1.25 = 195Mi",
      "memory limit candidate: peak 150Mi × 1.15 = 172.5Mi",
      "memory limit candidate: after 2 OOM kill(s): current limit 256Mi × 1.2 = 307.2Mi",
      "memory limit candidate: after 2 OOM kill(s): peak 150Mi + 100Mi = 250Mi",
      "memory limit = max(195Mi, 172.5Mi, 307.2Mi, 250Mi) = 307.2Mi, rounded up to a multiple of 8Mi: 312Mi",
    ]);
  });

  it("shows the request rounding and the floor", () => {
    expect(proposeMemory(figures("100M", "110M"), 0).steps[0]).toBe("memory p95 ≈95.36Mi × 1.30 = ≈123.97Mi, rounded up to a multiple of 1Mi: 124Mi");
    expect(proposeMemory(figures("10Mi", "20Mi"), 0).steps.slice(0, 2)).toEqual(["memory p95 10Mi × 1.30 = 13Mi", "memory request 13Mi is below the floor of 64Mi: 64Mi"]);
  });
});

describe("describeMemory", () => {
  it.each<[string, string]>([
    ["156Mi", "156Mi"],
    ["172.5Mi", "172.5Mi"],
    ["100M", "≈95.36Mi"],
    ["1Gi", "1024Mi"],
    ["512Ki", "512Ki"],
    ["1000", "1k"],
    ["1500", "1500"],
  ])("%s -> %s", (input, want) => {
    expect(describeMemory(parseQuantity(input))).toBe(want);
  });
});

describe("proposeResources for a workload", () => {
  const containers: Container[] = [
    { name: "web", resources: { requests: { cpu: "100m", memory: "100Mi", "ephemeral-storage": "1Gi" }, limits: { cpu: "200m", memory: "128Mi" } } },
    { name: "proxy", resources: { requests: { cpu: "50m", memory: "64Mi" } } },
    { name: "log-shipper" },
  ];
  const usage: ContainerUsageInput[] = [
    { container: "web", cpu: figures("200m", "300m"), memory: figures("120Mi", "150Mi"), oomKills: 0 },
    { container: "proxy", cpu: figures("20m", "40m"), memory: figures("30Mi", "40Mi") },
  ];
  const hpa = (metrics: HorizontalPodAutoscaler["spec"]["metrics"]): HorizontalPodAutoscaler => ({
    metadata: { name: "web", namespace: "shop" },
    spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, minReplicas: 2, maxReplicas: 6, metrics },
  });

  it("proposes per container, keeps other resources, skips containers without data", () => {
    const result = proposeResources({ containers, usage, replicas: 2 });
    expect(result.containers.map((c) => [c.container, c.proposed])).toEqual([
      ["web", { requests: { cpu: "260m", memory: "156Mi", "ephemeral-storage": "1Gi" }, limits: { cpu: "520m", memory: "200Mi" } }],
      ["proxy", { requests: { cpu: "26m", memory: "64Mi" }, limits: { memory: "80Mi" } }],
    ]);
    expect(result.skipped).toEqual([{ container: "log-shipper", reason: "no usage data for this container" }]);
    expect(result.hpaFlags).toEqual([]);
  });

  it("estimates the change in requested cpu and memory for all replicas", () => {
    // per pod: cpu (260-100) + (26-50) = 136m, memory (156-100) + (64-64) = 56Mi; x 2 replicas
    expect(proposeResources({ containers, usage, replicas: 2 }).delta).toEqual({ replicas: 2, cpu: "272m", memory: "112Mi" });
    expect(proposeResources({ containers: [{ name: "web", resources: { requests: { cpu: "1" } } }], usage: [{ container: "web", cpu: figures("100m", "100m") }], replicas: 3 }).delta).toEqual({ replicas: 3, cpu: "-2610m", memory: "0" });
  });

  it.each<{ name: string; metrics: HorizontalPodAutoscaler["spec"]["metrics"]; want: { resource: string; target: string }[] }>([
    { name: "an HPA on cpu utilisation", metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }], want: [{ resource: "cpu", target: "70% of the request" }] },
    { name: "an HPA on memory utilisation", metrics: [{ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } }], want: [{ resource: "memory", target: "80% of the request" }] },
    { name: "an HPA on an average value", metrics: [{ type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "200Mi" } } }], want: [{ resource: "memory", target: "200Mi" }] },
    { name: "an HPA on a custom metric", metrics: [{ type: "Pods" }], want: [] },
    { name: "an HPA without metrics (defaults to cpu 80 %, not set in spec)", metrics: undefined, want: [] },
  ])("flags $name", ({ metrics, want }) => {
    const flags = proposeResources({ containers, usage, replicas: 2, hpa: hpa(metrics) }).hpaFlags;
    expect(flags.map(({ resource, target }) => ({ resource, target }))).toEqual(want);
    for (const flag of flags) expect(flag.message).toContain(`HPA web scales on ${flag.resource}`);
  });

  it("does not flag an HPA on a resource the proposal leaves alone", () => {
    const cpuOnly: ContainerUsageInput[] = [{ container: "web", memory: figures("120Mi", "150Mi") }];
    const flags = proposeResources({ containers, usage: cpuOnly, replicas: 2, hpa: hpa([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }]) }).hpaFlags;
    expect(flags).toEqual([]);
  });
});
