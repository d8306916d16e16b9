import { describe, expect, it } from "vitest";
import { cleanForShadow, shadowNamespaceName } from "../../../src/app/apply/shadow-clean.ts";
import type { KubeObject } from "../../../src/model/k8s.ts";

describe("cleanForShadow", () => {
  const original: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web", namespace: "shop", uid: "u1", resourceVersion: "9", generation: 4, creationTimestamp: "2026-01-01T00:00:00Z",
      labels: { app: "web", "sim/scenario": "x" }, annotations: { team: "a", "deployment.kubernetes.io/revision": "4" },
      ownerReferences: [{ kind: "Thing", name: "t" }], managedFields: [{}],
    } as KubeObject["metadata"],
    spec: { replicas: 5, clusterIP: "10.0.0.1", template: { metadata: { labels: { app: "web", "sim/fault": "crashloop" }, creationTimestamp: null }, spec: { nodeName: "n1", containers: [{ name: "web" }] } } },
    status: { replicas: 5 },
  };
  it("strips what the server owns and what ties it to its place; keeps labels and annotations", () => {
    const clone = cleanForShadow(original, "aiops-shadow-abc", 0);
    expect(clone.metadata).toEqual({ name: "web", namespace: "aiops-shadow-abc", labels: { app: "web", "sim/scenario": "x" }, annotations: { team: "a" } });
    expect(clone.status).toBeUndefined();
    expect(clone.spec).toEqual({ replicas: 0, template: { metadata: { labels: { app: "web", "sim/fault": "crashloop" } }, spec: { containers: [{ name: "web" }] } } });
    expect(original.metadata.uid).toBe("u1");
  });
  it("names the namespace after the id's last 8 characters, lowercase", () => {
    expect(shadowNamespaceName("01M800RXK7P46YBMH70D2MYC85")).toBe("aiops-shadow-0d2myc85");
  });
});
