import { describe, expect, it } from "vitest";
import { compareToBody } from "../../../src/app/apply/compare.ts";
import { detectDrift, operationOf } from "../../../src/app/apply/drift.ts";
import type { KubeObject } from "../../../src/model/k8s.ts";
import type { RecordAction, RecordTarget } from "../../../src/records/schema.ts";

const live = (o: { generation?: number; resourceVersion?: string; uid?: string; memory?: string; replicas?: number; labels?: Record<string, string> } = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", uid: o.uid ?? "u1", resourceVersion: o.resourceVersion ?? "100", generation: o.generation ?? 4 },
  spec: {
    replicas: o.replicas ?? 2,
    template: { metadata: { labels: o.labels ?? { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx", resources: { requests: { cpu: "500m", memory: o.memory ?? "512Mi" }, limits: { cpu: "1", memory: "512Mi" } } }, { name: "sidecar", image: "envoy" }] } },
  },
});

const target: RecordTarget = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web", uid: "u1", resourceVersion: "100", generation: 4 };
const resources: RecordAction = {
  type: "resources",
  patchType: "strategic",
  patch: { spec: { template: { spec: { containers: [{ name: "web", resources: { requests: { cpu: "260m", memory: "156Mi" }, limits: { cpu: "520m", memory: "200Mi" } } }] } } } },
  rollback: { spec: { template: { spec: { containers: [{ name: "web", resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } } }] } } } },
};

describe("compareToBody", () => {
  const cases: { name: string; live: unknown; body: unknown; type?: string; want: string[] }[] = [
    { name: "subset holds", live: live(), body: resources.rollback, type: "strategic", want: [] },
    { name: "a touched value changed (containers matched by name)", live: live({ memory: "600Mi" }), body: resources.rollback, type: "strategic", want: ["spec.template.spec.containers[name=web].resources.requests.memory"] },
    { name: "same quantity in another spelling is not a change", live: { spec: { cpu: "1000m" } }, body: { spec: { cpu: "1" } }, want: [] },
    { name: "null means absent", live: live({ labels: { app: "web", "sim/fault": "crashloop" } }), body: { spec: { template: { metadata: { labels: { "sim/fault": null } } } } }, want: ["spec.template.metadata.labels.sim/fault"] },
    { name: "json patch replace compares the value at the pointer", live: live({ replicas: 3 }), body: [{ op: "replace", path: "/spec/replicas", value: 2 }], type: "json", want: ["spec.replicas"] },
    { name: "json patch remove wants the field gone", live: live(), body: [{ op: "remove", path: "/spec/replicas" }], type: "json", want: ["spec.replicas"] },
    { name: "lists without names compare item by item", live: { spec: { metrics: [{ type: "Resource" }] } }, body: { spec: { metrics: [{ type: "Resource" }, { type: "Pods" }] } }, want: ["spec.metrics"] },
  ];
  for (const c of cases) it(c.name, () => expect(compareToBody(c.live, c.body, c.type).map((d) => d.path)).toEqual(c.want));
});

describe("detectDrift", () => {
  it("passes an unchanged object", () => {
    expect(detectDrift(target, resources, live())).toMatchObject({ drift: false, reasons: [] });
  });
  it("notes a resourceVersion moved by status updates, without calling it drift", () => {
    const result = detectDrift(target, resources, live({ resourceVersion: "180" }));
    expect(result.drift).toBe(false);
    expect(result.notes[0]).toMatch(/resourceVersion 100 -> 180 with the same generation/);
  });
  it("refuses a changed spec (generation) and names the touched field that changed", () => {
    const result = detectDrift(target, resources, live({ generation: 5, memory: "600Mi" }));
    expect(result.drift).toBe(true);
    expect(result.reasons.join(" ")).toMatch(/generation 4 -> 5/);
    expect(result.reasons.join(" ")).toMatch(/containers\[name=web\]\.resources\.requests\.memory: expected "512Mi", found "600Mi"/);
  });
  it("refuses a recreated object and a vanished one", () => {
    expect(detectDrift(target, resources, live({ uid: "u2" })).reasons[0]).toMatch(/deleted and recreated \(uid u1 at the proposal, u2 now\)/);
    expect(detectDrift(target, resources, undefined).reasons[0]).toMatch(/no longer exists/);
  });
  it("a create drifts when the object exists now", () => {
    const create: RecordAction = { type: "hpa", patchType: "apply", patch: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler" }, rollback: { delete: { kind: "HorizontalPodAutoscaler" } } };
    expect(operationOf(create)).toBe("create");
    expect(detectDrift({ kind: "HorizontalPodAutoscaler", namespace: "shop", name: "web" }, create, undefined).drift).toBe(false);
    expect(detectDrift({ kind: "HorizontalPodAutoscaler", namespace: "shop", name: "web" }, create, live()).reasons[0]).toMatch(/exists now/);
  });
  it("a pod delete drifts when the pod was replaced (uid precondition)", () => {
    const del: RecordAction = { type: "restart", patch: { delete: { kind: "Pod", preconditions: { uid: "p1" } } }, rollback: { none: "x" } };
    expect(operationOf(del)).toBe("delete");
    const pod: KubeObject = { kind: "Pod", metadata: { name: "web-1", uid: "p2" } };
    expect(detectDrift({ kind: "Pod", namespace: "shop", name: "web-1" }, del, pod).drift).toBe(true);
    expect(detectDrift({ kind: "Pod", namespace: "shop", name: "web-1" }, del, { ...pod, metadata: { name: "web-1", uid: "p1" } }).drift).toBe(false);
  });
});
