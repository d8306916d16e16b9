import { describe, expect, it } from "vitest";
import type { HorizontalPodAutoscaler, PodTemplate, ReplicaSet } from "../../../src/model/k8s.ts";
import {
  diffResources,
  hpaChangePlan,
  hpaCreatePlan,
  resourcesPatch,
  restartPodPlan,
  restartWorkloadPlan,
  rollbackPlan,
  rollbackProcedure,
  scalePatch,
  shellQuote,
  type PatchTarget,
} from "../../../src/recommend/patch.ts";

const target: PatchTarget = { apiVersion: "apps/v1", kind: "Deployment", namespace: "rightsizing", name: "web" };

function template(resources: PodTemplate["spec"]["containers"][number]["resources"], extra: Partial<PodTemplate["spec"]> = {}): PodTemplate {
  return { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27.3", ...(resources === undefined ? {} : { resources }) }], ...extra } };
}

describe("diffResources", () => {
  const cases: { name: string; current: Parameters<typeof diffResources>[0]; proposed: Parameters<typeof diffResources>[1]; want: ReturnType<typeof diffResources> }[] = [
    {
      name: "seed example: only changed fields, cpu limit kept at ratio",
      current: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
      proposed: { requests: { cpu: "260m", memory: "156Mi" }, limits: { cpu: "520m", memory: "200Mi" } },
      want: {
        forward: { requests: { cpu: "260m", memory: "156Mi" }, limits: { cpu: "520m", memory: "200Mi" } },
        inverse: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
      },
    },
    {
      name: "a field absent before is null in the inverse",
      current: {},
      proposed: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "80Mi" } },
      want: {
        forward: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "80Mi" } },
        inverse: { requests: { cpu: null, memory: null }, limits: { memory: null } },
      },
    },
    {
      name: "a limit removed in the new spec is null in the patch",
      current: { requests: { cpu: "100m" }, limits: { cpu: "200m" } },
      proposed: { requests: { cpu: "100m" } },
      want: { forward: { limits: { cpu: null } }, inverse: { limits: { cpu: "200m" } } },
    },
    { name: "equal amounts in other spellings are no change", current: { requests: { cpu: "1", memory: "1Gi" } }, proposed: { requests: { cpu: "1000m", memory: "1024Mi" } }, want: undefined },
    {
      name: "other resources are left alone",
      current: { requests: { cpu: "1", "ephemeral-storage": "1Gi" } },
      proposed: { requests: { cpu: "300m", "ephemeral-storage": "1Gi" } },
      want: { forward: { requests: { cpu: "300m" } }, inverse: { requests: { cpu: "1" } } },
    },
  ];
  for (const c of cases) it(c.name, () => expect(diffResources(c.current, c.proposed)).toEqual(c.want));
});

describe("resourcesPatch", () => {
  it("patches containers by name under spec.template.spec, with the exact inverse", () => {
    const plan = resourcesPatch(target, template({ requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } }), [
      { container: "web", init: false, proposed: { requests: { cpu: "260m", memory: "156Mi" }, limits: { cpu: "520m", memory: "200Mi" } } },
    ]);
    expect(plan).toEqual({
      operation: "patch",
      target,
      patchType: "strategic",
      patch: { spec: { template: { spec: { containers: [{ name: "web", resources: { requests: { cpu: "260m", memory: "156Mi" }, limits: { cpu: "520m", memory: "200Mi" } } }] } } } },
      rollback: { spec: { template: { spec: { containers: [{ name: "web", resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } } }] } } } },
    });
  });

  it("puts sidecars (init containers) under initContainers and skips unchanged containers", () => {
    const t = template({ requests: { cpu: "100m" } }, { initContainers: [{ name: "proxy", restartPolicy: "Always", resources: { requests: { cpu: "50m" } } }] });
    const plan = resourcesPatch(target, t, [
      { container: "web", init: false, proposed: { requests: { cpu: "100m" } } },
      { container: "proxy", init: true, proposed: { requests: { cpu: "20m" } } },
    ]);
    expect(plan?.patch).toEqual({ spec: { template: { spec: { initContainers: [{ name: "proxy", resources: { requests: { cpu: "20m" } } }] } } } });
    expect(plan?.rollback).toEqual({ spec: { template: { spec: { initContainers: [{ name: "proxy", resources: { requests: { cpu: "50m" } } }] } } } });
  });

  it("is undefined when nothing changes", () => {
    expect(resourcesPatch(target, template({ requests: { cpu: "1" } }), [{ container: "web", init: false, proposed: { requests: { cpu: "1000m" } } }])).toBeUndefined();
  });
});

describe("scale, HPA, restart and rollback plans", () => {
  it("scale patches spec.replicas and restores the old count", () => {
    expect(scalePatch(target, 2, 0)).toMatchObject({ patch: { spec: { replicas: 0 } }, rollback: { spec: { replicas: 2 } }, patchType: "strategic" });
  });

  it("HPA create is a full autoscaling/v2 object by server-side apply, undone by delete", () => {
    const plan = hpaCreatePlan({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } }, { minReplicas: 2, maxReplicas: 5, metrics: [{ resource: "cpu", averageUtilization: 76 }] });
    expect(plan.operation).toBe("create");
    expect(plan.patchType).toBe("apply");
    expect(plan.patch).toEqual({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web", namespace: "shop" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 2, maxReplicas: 5, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 76 } } }] },
    });
    expect(plan.rollback).toEqual({ delete: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespace: "shop", name: "web" } });
    expect(rollbackProcedure(plan)).toEqual(["# delete the HorizontalPodAutoscaler this proposal creates", "kubectl delete horizontalpodautoscaler web -n shop"]);
  });

  it("HPA change restores the previous bounds and metrics", () => {
    const hpa: HorizontalPodAutoscaler = { metadata: { name: "web", namespace: "shop" }, spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 3, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }] } };
    const plan = hpaChangePlan(hpa, { minReplicas: 2, maxReplicas: 6, metrics: [{ resource: "cpu", averageUtilization: 76 }] });
    expect(plan.rollback).toEqual({ spec: { minReplicas: 1, maxReplicas: 3, metrics: hpa.spec.metrics } });
  });

  it("workload restart sets restartedAt like kubectl rollout restart; the inverse removes an absent annotation", () => {
    const plan = restartWorkloadPlan(target, template(undefined), "2026-11-21T12:00:00Z");
    expect(plan.patch).toEqual({ spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-11-21T12:00:00Z" } } } } });
    expect(plan.rollback).toEqual({ spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": null } } } } });
  });

  it("pod restart is a delete with a uid precondition and nothing to undo", () => {
    const plan = restartPodPlan({ metadata: { name: "web-1", namespace: "shop", uid: "u-1" } }, "Deployment web");
    expect(plan).toMatchObject({ operation: "delete", patch: { delete: { kind: "Pod", name: "web-1", namespace: "shop", preconditions: { uid: "u-1" } } } });
    expect(plan.patchType).toBeUndefined();
    expect(rollbackProcedure(plan)[0]).toMatch(/nothing to undo/);
  });

  it("rollback replaces spec.template with the previous revision's minus pod-template-hash (JSON patch)", () => {
    const current = template(undefined);
    const previous: ReplicaSet = {
      metadata: { name: "web-abc", namespace: "shop" },
      spec: { selector: {}, template: { metadata: { labels: { app: "web", "pod-template-hash": "abc" } }, spec: { containers: [{ name: "web", image: "nginx:1.27.2" }] } } },
    };
    const plan = rollbackPlan(target, current, previous);
    expect(plan.patchType).toBe("json");
    expect(plan.patch).toEqual([{ op: "replace", path: "/spec/template", value: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27.2" }] } } }]);
    expect(plan.rollback).toEqual([{ op: "replace", path: "/spec/template", value: current }]);
    expect(previous.spec.template?.metadata?.labels?.["pod-template-hash"]).toBe("abc");
  });
});

describe("rollbackProcedure", () => {
  it("gives the exact kubectl patch with the inverse JSON", () => {
    const plan = scalePatch(target, 2, 3);
    expect(rollbackProcedure(plan, { replicasBefore: 2, context: "kind-dev" })).toEqual([
      "# scale back to 2 replicas",
      "kubectl scale deployment/web -n rightsizing --context kind-dev --replicas=2",
      "# or, equivalently, apply the inverse patch:",
      `kubectl patch deployment web -n rightsizing --context kind-dev --type strategic -p '{"spec":{"replicas":2}}'`,
      "kubectl rollout status deployment/web -n rightsizing --context kind-dev --timeout=5m",
    ]);
  });

  it("offers rollout undo to the current revision for a rollback", () => {
    const plan = rollbackPlan(target, template(undefined), { metadata: { name: "x" }, spec: { selector: {}, template: template(undefined) } });
    const commands = rollbackProcedure(plan, { currentRevision: 3 });
    expect(commands).toContain("kubectl rollout undo deployment/web -n rightsizing --to-revision=3");
    expect(commands.some((c) => c.startsWith("kubectl patch deployment web -n rightsizing --type json -p '[{\"op\":\"replace\""))).toBe(true);
  });

  it("quotes single quotes for a POSIX shell", () => {
    expect(shellQuote(`{"a":"it's"}`)).toBe(`'{"a":"it'\\''s"}'`);
  });
});
