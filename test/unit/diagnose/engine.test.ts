import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../../src/diagnose/context.ts";
import { diagnoseSnapshot } from "../../../src/diagnose/engine.ts";
import { makeFinding, remediate } from "../../../src/diagnose/finding.ts";
import { oomKilled } from "../../../src/diagnose/rules/oomkilled.ts";
import type { Category, Rule } from "../../../src/diagnose/types.ts";
import type { KubeObject } from "../../../src/model/k8s.ts";

const NOW = "2026-11-21T12:00:00Z";

function deploymentWithRevisions(): KubeObject[] {
  const deploy = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "shop", uid: "d1" }, spec: { selector: { matchLabels: { app: "api" } }, template: { spec: { containers: [{ name: "api" }] } } } };
  const rs = (name: string, uid: string, revision: string, created: string) => ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "shop", uid, creationTimestamp: created, annotations: { "deployment.kubernetes.io/revision": revision }, ownerReferences: [{ kind: "Deployment", name: "api", uid: "d1", controller: true }] },
    spec: { selector: { matchLabels: { app: "api" } } },
  });
  const pod = (name: string, rsName: string, rsUid: string, finishedAt: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "shop", uid: `p-${name}`, labels: { app: "api" }, ownerReferences: [{ kind: "ReplicaSet", name: rsName, uid: rsUid, controller: true }] },
    spec: { containers: [{ name: "api", resources: { limits: { memory: "128Mi" } } }] },
    status: { phase: "Running", containerStatuses: [{ name: "api", ready: false, restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 137, reason: "OOMKilled", finishedAt } } }] },
  });
  return [
    deploy,
    rs("api-old", "rs1", "2", "2026-11-20T08:00:00Z"),
    rs("api-new", "rs2", "3", "2026-11-21T11:00:00Z"),
    pod("api-new-aaa", "api-new", "rs2", "2026-11-21T11:40:00Z"),
  ];
}

describe("diagnoseSnapshot", () => {
  it("reports a Deployment's failing pod under the Deployment, naming the pod in `object`", () => {
    const list = diagnoseSnapshot({ now: NOW, objects: deploymentWithRevisions() });
    expect(list.items.map((i) => i.target)).toEqual([{ kind: "Deployment", namespace: "shop", name: "api" }]);
    expect(list.items[0]?.findings[0]?.object).toEqual({ kind: "Pod", namespace: "shop", name: "api-new-aaa" });
  });

  it("correlates a failure that began after the newest ReplicaSet rolled out", () => {
    const finding = diagnoseSnapshot({ now: NOW, objects: deploymentWithRevisions() }).items[0]?.findings[0];
    expect(finding?.rollout).toEqual({ deployment: "api", revision: 3, replicaSet: "api-new", rolledOutAt: "2026-11-21T11:00:00Z", previousRevision: 2 });
    expect(finding?.evidence.at(-1)).toContain("failing since revision 3 (ReplicaSet api-new) rolled out at 2026-11-21T11:00:00Z");
  });

  it("does not correlate a failure that predates the rollout", () => {
    const objects = deploymentWithRevisions();
    const pod = objects[3] as { status: { containerStatuses: { lastState: { terminated: { finishedAt: string } } }[] } };
    pod.status.containerStatuses[0]!.lastState.terminated.finishedAt = "2026-11-21T10:00:00Z";
    const finding = diagnoseSnapshot({ now: NOW, objects }).items[0]?.findings[0];
    expect(finding?.rollout).toBeUndefined();
  });

  it("drops a symptom when a cause names the same container (OOMKilled over CrashLoopBackOff)", () => {
    const fake = (category: Category, id: string): Rule => ({
      id,
      category,
      kinds: ["Pod"],
      evaluate: (object, ctx) => [
        makeFinding({ id, category }, { object, container: "api", severity: "high", confidence: 0.9, summary: category, evidence: [], remediation: remediate(ctx, "investigate", "", object) }),
      ],
    });
    const snapshot: Snapshot = { now: NOW, objects: [{ kind: "Pod", metadata: { name: "p", namespace: "shop" }, spec: { containers: [] } }] };
    const list = diagnoseSnapshot(snapshot, { rules: [fake("CrashLoopBackOff", "pod.crashloop"), oomKilledAlways, fake("ReadinessProbeFailure", "pod.readiness")] });
    expect(list.items[0]?.findings.map((f) => f.category).sort()).toEqual(["OOMKilled", "ReadinessProbeFailure"]);
  });

  it("lists healthy objects with status OK and no findings", () => {
    const list = diagnoseSnapshot({ now: NOW, objects: [{ kind: "Service", metadata: { name: "s", namespace: "shop" }, spec: {} }] });
    expect(list.items).toEqual([{ apiVersion: "aiops.dev/v1", kind: "Diagnosis", target: { kind: "Service", namespace: "shop", name: "s" }, status: "OK", findings: [], similar: [] }]);
  });

  it("diagnoses only the targets when given, with what they depend on", () => {
    const objects = [...deploymentWithRevisions(), { kind: "Service", metadata: { name: "other", namespace: "shop" }, spec: {} }];
    const list = diagnoseSnapshot({ now: NOW, objects }, { targets: [{ kind: "Pod", namespace: "shop", name: "api-new-aaa" }] });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]?.target.kind).toBe("Pod");
    expect(list.items[0]?.findings[0]?.category).toBe("OOMKilled");
  });
});

const oomKilledAlways: Rule = {
  ...oomKilled,
  evaluate: (object, ctx) => [
    makeFinding(oomKilled, { object, container: "api", severity: "critical", confidence: 0.95, summary: "oom", evidence: [], remediation: remediate(ctx, "resources", "", object) }),
  ],
};
