import type { Container, KubeObject } from "../../../src/model/k8s.ts";
import { buildReport, type ReportInput } from "../../../src/report/build.ts";
import { buildDigest } from "../../../src/report/digest.ts";
import type { HealthReport } from "../../../src/report/types.ts";
import type { UsageData } from "../../../src/model/usage.ts";
import { NOW, node, pod, term, waiting } from "../../helpers/objects.ts";
import { WINDOW, app } from "./fixtures.ts";

const MI = 1024 * 1024;

/** The test bed's rightsizing/web: requests 500m/512Mi, p95 200m/120Mi, peak 150Mi. */
export const web: Container = {
  name: "web",
  image: "nginx:1.27.3",
  resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
  readinessProbe: { httpGet: { path: "/", port: 80 } },
  securityContext: { runAsNonRoot: true },
};

export function sampleObjects(): KubeObject[] {
  const crashing = pod("api-x", {
    labels: { app: "api" },
    statuses: [waiting("app", "CrashLoopBackOff", { restarts: 5, last: term(1, "Error", "2026-03-10T11:55:00Z") })],
  });
  return [node("node-1"), node("node-2"), node("node-3", { allocatable: { cpu: "8", memory: "32Gi", pods: "110" } }), ...app("web", [web]), crashing];
}

export function sampleUsage(): UsageData {
  const series = ["web-7d9f-ax0yz", "web-7d9f-bx1yz"].map((p) => ({
    namespace: "shop",
    pod: p,
    container: "web",
    cpuP95: 0.2,
    cpuMax: 0.35,
    memoryP95: 120 * MI,
    memoryMax: 150 * MI,
    samples: 10080,
    firstSampleMs: Date.parse(NOW) - 7 * 86_400_000,
  }));
  return { source: "prometheus", origin: "http://prometheus:9090", pointInTime: false, historyDays: 7, series, notes: [] };
}

export function sampleInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    period: WINDOW,
    cluster: { context: "prod", server: "https://k8s.example:6443", version: "v1.36.3" },
    snapshot: { now: NOW, objects: sampleObjects() },
    usage: sampleUsage(),
    records: [],
    ...overrides,
  };
}

/** A built report with some parts replaced (the digest is rebuilt to match). */
export function sampleReport(parts: Partial<Omit<HealthReport, "digest">> = {}): HealthReport {
  const built = { ...buildReport(sampleInput()), ...parts };
  return { ...built, digest: buildDigest(built) };
}
