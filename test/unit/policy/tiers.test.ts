import { describe, expect, it } from "vitest";
import { classifyAction, raiseTier, type ActionInput, type Tier } from "../../../src/policy/tiers.ts";

const ns = "shop";

describe("classifyAction (docs/policy.md, how a tier is computed)", () => {
  it.each<{ name: string; action: ActionInput; want: Tier }>([
    { name: "restart one pod with other ready replicas", action: { type: "restart", namespace: ns, targetKind: "Pod", otherReadyReplicas: 2 }, want: "trivial" },
    { name: "restart the only ready pod", action: { type: "restart", namespace: ns, targetKind: "Pod", otherReadyReplicas: 0 }, want: "low" },
    { name: "scale by 1", action: { type: "scale", namespace: ns, targetKind: "Deployment", replicas: { from: 4, to: 5 } }, want: "low" },
    { name: "scale by 2", action: { type: "scale", namespace: ns, targetKind: "Deployment", replicas: { from: 6, to: 4 } }, want: "low" },
    { name: "scale by 3", action: { type: "scale", namespace: ns, targetKind: "Deployment", replicas: { from: 6, to: 9 } }, want: "medium" },
    { name: "scale by more than 50 %", action: { type: "scale", namespace: ns, targetKind: "Deployment", replicas: { from: 2, to: 4 } }, want: "medium" },
    { name: "scale outside HPA bounds", action: { type: "scale", namespace: ns, targetKind: "Deployment", replicas: { from: 5, to: 6 }, hpa: { min: 2, max: 5 } }, want: "medium" },
    { name: "scale to 0", action: { type: "scale", namespace: ns, targetKind: "Deployment", replicas: { from: 1, to: 0 } }, want: "critical" },
    { name: "resources", action: { type: "resources", namespace: ns, targetKind: "Deployment" }, want: "medium" },
    { name: "hpa", action: { type: "hpa", namespace: ns, targetKind: "HorizontalPodAutoscaler" }, want: "medium" },
    { name: "rollback", action: { type: "rollback", namespace: ns, targetKind: "Deployment" }, want: "medium" },
    { name: "a Secret", action: { type: "secret", namespace: ns, targetKind: "Secret" }, want: "critical" },
    { name: "RBAC", action: { type: "config", namespace: ns, targetKind: "RoleBinding" }, want: "critical" },
    { name: "a cluster-scoped object", action: { type: "node", targetKind: "Node" }, want: "critical" },
    { name: "a delete", action: { type: "delete", namespace: ns, targetKind: "Pod" }, want: "critical" },
    { name: "anything in a protected namespace", action: { type: "restart", namespace: "kube-system", targetKind: "Pod", otherReadyReplicas: 3 }, want: "critical" },
    { name: "investigate changes nothing", action: { type: "investigate", namespace: ns, targetKind: "Pod" }, want: "trivial" },
    { name: "low confidence raises medium to critical", action: { type: "resources", namespace: ns, targetKind: "Deployment", lowConfidence: true }, want: "critical" },
    { name: "low confidence raises low to medium", action: { type: "scale", namespace: ns, targetKind: "Deployment", replicas: { from: 4, to: 5 }, lowConfidence: true }, want: "medium" },
  ])("$name -> $want", ({ action, want }) => {
    expect(classifyAction(action)).toBe(want);
  });

  it("uses the policy's protected namespaces", () => {
    expect(classifyAction({ type: "resources", namespace: "prod", targetKind: "Deployment" }, { protectedNamespaces: ["prod"] })).toBe("critical");
  });

  it("never raises above critical", () => {
    expect(raiseTier("critical")).toBe("critical");
    expect(raiseTier("trivial", 2)).toBe("medium");
  });
});
