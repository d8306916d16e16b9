import { describe, expect, it } from "vitest";
import { AiopsError, ForbiddenError } from "../../../src/errors.ts";
import { dryRunDelete, dryRunPatch, rbacResource, selectorString } from "../../../src/kube/workloads.ts";
import { fakeApi, forbiddenPatch, invalidPatch } from "./fakes.ts";

const target = { kind: "Deployment", namespace: "shop", name: "web" };

describe("server-side dry runs", () => {
  const types = [
    ["strategic", "application/strategic-merge-patch+json"],
    ["merge", "application/merge-patch+json"],
    ["json", "application/json-patch+json"],
    ["apply", "application/apply-patch+yaml"],
  ] as const;
  for (const [patchType, contentType] of types) {
    it(`sends a ${patchType} patch as ${contentType} with dryRun=All`, async () => {
      const api = fakeApi([]);
      expect(await dryRunPatch(api, target, patchType, {})).toMatchObject({ result: "passed" });
      expect(api.calls[0]).toMatchObject({ method: "PATCH", path: "/apis/apps/v1/namespaces/shop/deployments/web", contentType, query: { dryRun: "All", fieldManager: "kubectl-aiops", ...(patchType === "apply" ? { force: "true" } : {}) } });
    });
  }

  it("records a 422 as a failed dry run and throws a 403 naming verb patch", async () => {
    expect(await dryRunPatch(fakeApi([], { patchAnswer: invalidPatch }), target, "strategic", {})).toMatchObject({ result: "failed", message: expect.stringMatching(/rejected \(422\)/) });
    await expect(dryRunPatch(fakeApi([], { patchAnswer: forbiddenPatch }), target, "strategic", {})).rejects.toThrow(ForbiddenError);
    await expect(dryRunPatch(fakeApi([], { patchAnswer: () => new AiopsError("the API server answered 500", { httpStatus: 500 }) }), target, "strategic", {})).rejects.toThrow(/500/);
  });

  it("deletes a pod in dry run with a uid precondition", async () => {
    const api = fakeApi([]);
    await dryRunDelete(api, { kind: "Pod", namespace: "shop", name: "web-1" }, "u-1");
    expect(api.calls[0]).toMatchObject({ method: "DELETE", path: "/api/v1/namespaces/shop/pods/web-1", query: { dryRun: "All" }, body: { dryRun: ["All"], preconditions: { uid: "u-1" } } });
  });
});

describe("names", () => {
  it("gives RBAC resource names and label selectors", () => {
    expect([rbacResource("Deployment"), rbacResource("Pod"), rbacResource("HorizontalPodAutoscaler")]).toEqual(["deployments.apps", "pods", "horizontalpodautoscalers.autoscaling"]);
    expect(selectorString({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }, { key: "canary", operator: "DoesNotExist" }] })).toBe("app=web,tier in (a,b),!canary");
  });
});
