import { expect } from "vitest";
import { pdbBlocking } from "../../../../src/diagnose/rules/pdb-blocking.ts";
import type { KubeObject } from "../../../../src/model/k8s.ts";
import { ownedBy, pdb } from "../../../helpers/cluster-objects.ts";
import { ago, cond, deployment, evidenceWith, node, pod, ref, replicaSet, testRule } from "../../../helpers/objects.ts";

/** Deployment web with `n` ready pods (app=web) on node-1. */
function web(n: number, o: { node?: string } = {}): KubeObject[] {
  const d = deployment("web", { replicas: n });
  const rs = ownedBy(replicaSet("web-7d9f", { labels: { app: "web" }, replicas: n }), d);
  const pods = Array.from({ length: n }, (_, i) => pod(`web-7d9f-${i}`, { owner: rs, labels: { app: "web" }, node: i === 0 && o.node !== undefined ? o.node : "node-1" }));
  return [d, rs, ...pods];
}

const cordoned = node("node-2");
cordoned.spec = { unschedulable: true };

testRule(pdbBlocking, [
  {
    name: "minAvailable equals the replicas: a drain hangs",
    objects: [pdb("web", { minAvailable: 3, expected: 3, desired: 3, allowed: 0 }), ...web(3)],
    want: [
      {
        id: "pdb.blocking",
        category: "PDBBlocking",
        object: ref("PodDisruptionBudget", "web"),
        severity: "medium",
        confidence: 0.9,
        summary: "PodDisruptionBudget web allows no disruption although all 3 expected pod(s) are healthy (minAvailable=3 needs 3 of 3): every eviction is refused, so kubectl drain and node upgrades hang.",
        evidence: evidenceWith("spec: minAvailable=3 selector=app=web", "status: expectedPods=3 currentHealthy=3 desiredHealthy=3 disruptionsAllowed=0", "status.conditions[DisruptionAllowed]: False reason=InsufficientPods"),
        remediation: { action: "config", tier: "medium", summary: expect.stringContaining("or run more replicas of Deployment/web") },
        runbook: "runbooks/pdbblocking.md",
      },
    ],
  },
  {
    name: "maxUnavailable 0 while a node of its pods is cordoned: a drain waits on it now",
    objects: [pdb("web", { maxUnavailable: 0, expected: 2, desired: 2, allowed: 0 }), ...web(2, { node: "node-2" }), cordoned],
    want: [{ severity: "high", evidence: evidenceWith("node node-2 is cordoned (spec.unschedulable) and runs pods of this budget") }],
  },
  { name: "one replica, minAvailable 1", objects: [pdb("web", { minAvailable: 1, expected: 1, desired: 1, allowed: 0 }), ...web(1)], want: [{ severity: "medium", summary: expect.stringContaining("all 1 expected pod(s) are healthy (minAvailable=1 needs 1 of 1)") }] },
  { name: "a manifest with maxUnavailable 0%", objects: [pdb("web", { maxUnavailable: "0%", noStatus: true }), ...web(2)], want: [{ confidence: 0.8, summary: expect.stringContaining("although maxUnavailable=0% forbids any of its 2 pod(s) to go") }] },
  { name: "a manifest with minAvailable 100%", objects: [pdb("web", { minAvailable: "100%", noStatus: true }), ...web(2)], want: [{ summary: expect.stringContaining("minAvailable=100% keeps all 2 pod(s)") }] },
  { name: "a manifest with minAvailable equal to the pods", objects: [pdb("web", { minAvailable: 2, noStatus: true }), ...web(2)], want: [{ summary: expect.stringContaining("minAvailable=2 keeps all 2 pod(s) it selects") }] },
  {
    name: "a selector with a typo selects no pod",
    objects: [pdb("web", { selector: { matchLabels: { app: "wbe" } }, expected: 0, healthy: 0, desired: 0, allowed: 0 }), ...web(3)],
    want: [{ severity: "low", confidence: 0.85, summary: "PodDisruptionBudget web selects no pod: it protects nothing.", evidence: evidenceWith("no pod in namespace shop matches app=wbe", "closest: pods web-7d9f-0, web-7d9f-1, web-7d9f-2 have app=web (differs in app)"), remediation: { action: "config", summary: expect.stringContaining("--show-labels") } }],
  },
  { name: "no selector at all", objects: [pdb("web", { selector: null, expected: 0, healthy: 0, desired: 0, allowed: 0 }), ...web(1)], want: [{ severity: "low", confidence: 0.95, summary: expect.stringContaining("selects no pod (it has no selector)") }] },
  { name: "its workload is scaled to 0 on purpose: none", objects: [pdb("web", { expected: 0, healthy: 0, desired: 0, allowed: 0 }), deployment("web", { replicas: 0, ready: 0 })], want: [] },
  {
    name: "two budgets select the same pods",
    objects: [pdb("web"), pdb("web-all", { selector: { matchExpressions: [{ key: "app", operator: "Exists" }] } }), ...web(3)],
    want: [
      { object: ref("PodDisruptionBudget", "web"), summary: expect.stringContaining("selects pods that PodDisruptionBudget web-all also selects"), evidence: evidenceWith("pod web-7d9f-0 is selected by web and web-all") },
      { object: ref("PodDisruptionBudget", "web-all"), summary: expect.stringContaining("selects pods that PodDisruptionBudget web also selects") },
    ],
  },
  {
    name: "the disruption controller cannot compute it",
    objects: [pdb("solo", { selector: { matchLabels: { app: "solo" } }, maxUnavailable: "50%", expected: 0, healthy: 0, desired: 0, allowed: 0, conditions: [cond("DisruptionAllowed", "False", "SyncFailed", "found no controllers for pod \"solo\"", ago(3600))] }), pod("solo", { labels: { app: "solo" } })],
    want: [{ severity: "medium", summary: expect.stringContaining('cannot be computed by the disruption controller (found no controllers for pod "solo")'), since: ago(3600) }],
  },
  { name: "no disruption allowed because a pod is unhealthy: a symptom, none", objects: [pdb("web", { minAvailable: 3, expected: 3, healthy: 2, desired: 3, allowed: 0 }), ...web(3)], want: [] },
  { name: "one disruption allowed: none", objects: [pdb("web"), ...web(3)], want: [] },
  { name: "created 10 seconds ago, not computed yet: none", objects: [pdb("web", { minAvailable: 3, noStatus: true, created: ago(10) }), ...web(3)], want: [] },
  { name: "a manifest alone, without pods: none", objects: [pdb("web", { minAvailable: 3, noStatus: true })], want: [] },
]);
