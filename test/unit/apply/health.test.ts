import { describe, expect, it } from "vitest";
import { baselineOf, judgeHealth } from "../../../src/app/apply/health.ts";
import type { Finding } from "../../../src/diagnose/types.ts";
import type { Pod } from "../../../src/model/k8s.ts";
import { pod, running, term, waiting, ago } from "../../helpers/objects.ts";

const healthy = (name: string, restarts = 0): Pod => pod(name, { statuses: [running("app", { restarts })] });
const crashing = (name: string, restarts: number): Pod => pod(name, { statuses: [waiting("app", "CrashLoopBackOff", { restarts, last: term(1, "Error", ago(10)) })] });
const finding = (category: string, object = "web-new"): Finding => ({ id: `pod.${category}`, category, severity: "high", confidence: 0.9, object: { kind: "Pod", namespace: "shop", name: object }, summary: `${category} summary`, evidence: [], remediation: { action: "investigate", summary: "", tier: "trivial" }, runbook: "" }) as unknown as Finding;

describe("judgeHealth", () => {
  const base = baselineOf([healthy("web-a", 1)], []);
  const cases: { name: string; phase: "rollout" | "verify"; pods: Pod[]; findings?: Finding[]; categories?: string[]; healthy: boolean; problem?: RegExp }[] = [
    { name: "all ready, no new restarts", phase: "verify", pods: [healthy("web-a", 1), healthy("web-b")], healthy: true },
    { name: "restarts went up on an old pod", phase: "verify", pods: [healthy("web-a", 3)], healthy: false, problem: /web-a restarted 2 time\(s\).*1 -> 3/ },
    { name: "a new pod that has restarted", phase: "rollout", pods: [crashing("web-new", 2)], healthy: false, problem: /web-new restarted 2/ },
    { name: "not ready during the rollout is expected", phase: "rollout", pods: [pod("web-new", { phase: "Pending", statuses: [] })], healthy: true },
    { name: "not ready in the verify window is a failure", phase: "verify", pods: [pod("web-new", { phase: "Pending", statuses: [] })], healthy: false, problem: /web-new is not ready \(phase Pending/ },
    { name: "a new finding category", phase: "verify", pods: [healthy("web-a", 1)], findings: [finding("CrashLoopBackOff")], healthy: false, problem: /new finding CrashLoopBackOff on pod\/web-new/ },
    { name: "a finding present before the change is not the change's fault", phase: "verify", pods: [healthy("web-a", 1)], findings: [finding("OOMKilled")], categories: ["OOMKilled"], healthy: true },
    { name: "DeploymentUnavailable while rolling out is transient", phase: "rollout", pods: [healthy("web-a", 1)], findings: [finding("DeploymentUnavailable", "web")], healthy: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = judgeHealth({ phase: c.phase, pods: c.pods, findings: c.findings ?? [], baseline: { ...base, categories: c.categories ?? base.categories } });
      expect(verdict.healthy).toBe(c.healthy);
      if (c.problem !== undefined) expect(verdict.problems.join("\n")).toMatch(c.problem);
    });
  }
  it("ignores terminating pods and counts ready ones", () => {
    const leaving = { ...crashing("web-old", 9), metadata: { ...crashing("web-old", 9).metadata, deletionTimestamp: ago(1) } };
    const verdict = judgeHealth({ phase: "verify", pods: [leaving, healthy("web-a", 1)], findings: [], baseline: base });
    expect(verdict).toMatchObject({ healthy: true, ready: 1, total: 1 });
  });
});
