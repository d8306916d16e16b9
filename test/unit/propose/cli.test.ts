import { describe, expect, it } from "vitest";
import { parseReplicas, toProposeRequest } from "../../../src/cli/commands/propose.ts";
import { UsageError } from "../../../src/errors.ts";

const base = { action: "resources" as const, window: "7d", allowShortHistory: false };

describe("propose arguments", () => {
  it("accepts KIND/NAME and KIND NAME with kubectl's short names", () => {
    expect(toProposeRequest({ ...base, target: "deploy/web" })).toEqual({ request: { action: "resources", kind: "Deployment", name: "web" }, windowSeconds: 604800 });
    expect(toProposeRequest({ ...base, action: "restart", target: "po", name: "web-1" }).request).toEqual({ action: "restart", kind: "Pod", name: "web-1" });
    expect(toProposeRequest({ ...base, action: "scale", target: "sts/db", replicas: "0" }).request).toEqual({ action: "scale", kind: "StatefulSet", name: "db", replicas: 0 });
  });

  const usage: { name: string; args: Parameters<typeof toProposeRequest>[0]; message: RegExp; hint?: RegExp }[] = [
    { name: "unknown kind", args: { ...base, target: "configmap/x" }, message: /propose resources does not take kind "configmap"/, hint: /deployment\/NAME, statefulset\/NAME, daemonset\/NAME/ },
    { name: "missing name", args: { ...base, target: "deployment" }, message: /name the deployment/ },
    { name: "missing target", args: { ...base }, message: /name the object: kubectl aiops propose resources KIND\/NAME/ },
    { name: "both forms", args: { ...base, target: "deployment/web", name: "api" }, message: /either KIND\/NAME or KIND NAME/ },
    { name: "a pod's resources", args: { ...base, target: "pod/web-1" }, message: /set by its controller/ },
    { name: "scaling a DaemonSet", args: { ...base, action: "scale", target: "ds/agent" }, message: /one pod per node/ },
    { name: "rollback of a StatefulSet", args: { ...base, action: "rollback", target: "sts/db" }, message: /StatefulSet and DaemonSet revisions are not supported/ },
    { name: "--replicas outside scale", args: { ...base, target: "deployment/web", replicas: "3" }, message: /--replicas only applies to propose scale/ },
    { name: "--container outside resources", args: { ...base, action: "scale", target: "deployment/web", container: "web" }, message: /--container only applies/ },
    { name: "a window that is not a duration", args: { ...base, target: "deployment/web", window: "a week" }, message: /invalid --window "a week"/ },
    { name: "a window too short for a percentile", args: { ...base, target: "deployment/web", window: "5m" }, message: /between 1h and 90d/ },
    { name: "an invalid name", args: { ...base, target: "deployment/Web_1" }, message: /not a valid object name/ },
  ];
  for (const c of usage) {
    it(`refuses ${c.name} as a usage error (exit 2)`, () => {
      let error: unknown;
      try {
        toProposeRequest(c.args);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
      expect((error as UsageError).message).toMatch(c.message);
      if (c.hint !== undefined) expect((error as UsageError).hint).toMatch(c.hint);
    });
  }

  it("parses --replicas: 0 allowed, negative, fractional, text and absurd counts refused", () => {
    expect(parseReplicas("0")).toBe(0);
    expect(parseReplicas(["2", "5"])).toBe(5);
    for (const bad of ["-1", "1.5", "three", "1e3", "20000", ""]) expect(() => parseReplicas(bad), bad).toThrow(UsageError);
    expect(() => parseReplicas("-1")).toThrow(/cannot be negative/);
    expect(() => parseReplicas("20000")).toThrow(/likely typo/);
  });
});
