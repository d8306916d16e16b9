import { describe, expect, it } from "vitest";
import { PolicyError } from "../../../src/errors.ts";
import { defaultPolicy, parseDurationSeconds, parsePolicy, tierPolicyOf, windowSecondsOf } from "../../../src/policy/policy-file.ts";
import { classifyAction } from "../../../src/policy/tiers.ts";

describe("parsePolicy", () => {
  it("gives the defaults for an empty file", () => {
    expect(defaultPolicy()).toEqual({
      approvers: [],
      securityReviewers: [],
      protectedNamespaces: ["kube-system", "kube-public", "kube-node-lease"],
      windows: { low: 300, medium: 1800, critical: 7200 },
      verifyWindow: 120,
      watch: { rules: [], ruleInterval: 30, autoApplyTrivial: false },
      requireSigned: false,
    });
  });

  it("reads every field of docs/policy.md", () => {
    const policy = parsePolicy(
      ["approvers: [alice, bob, group:sre]", "securityReviewers: [sec]", "protectedNamespaces: [kube-system, prod]", "windows: {low: 5m, medium: 30m, critical: 2h}", "verifyWindow: 90s", "prometheus: http://prometheus.monitoring:9090", "prices: {cpuPerCoreHour: 0.03, memoryPerGiBHour: 0.004, currency: EUR}"].join("\n"),
      ".aiops.yaml",
    );
    expect(policy).toEqual({
      approvers: ["alice", "bob", "group:sre"],
      securityReviewers: ["sec"],
      protectedNamespaces: ["kube-system", "prod"],
      windows: { low: 300, medium: 1800, critical: 7200 },
      verifyWindow: 90,
      watch: { rules: [], ruleInterval: 30, autoApplyTrivial: false },
      requireSigned: false,
      prometheus: "http://prometheus.monitoring:9090",
      prices: { cpuPerCoreHour: 0.03, memoryPerGiBHour: 0.004, currency: "EUR" },
    });
  });

  it("reads the signing keys, and refuses requireSigned without allowedSigners or a path leaving the repository", () => {
    expect(parsePolicy("requireSigned: true\nallowedSigners: .aiops/allowed_signers", "f")).toMatchObject({ requireSigned: true, allowedSigners: ".aiops/allowed_signers" });
    expect(() => parsePolicy("requireSigned: true", "f")).toThrow(/allowedSigners: requireSigned: true needs allowedSigners/);
    expect(() => parsePolicy("allowedSigners: ../keys", "f")).toThrow(/must be a path inside the repository/);
    expect(() => parsePolicy("allowedSigners: /etc/keys", "f")).toThrow(/must be a path inside the repository/);
  });

  it("keeps defaults for the windows not given", () => {
    expect(parsePolicy("windows: {medium: 10m}", "f").windows).toEqual({ low: 300, medium: 600, critical: 7200 });
  });

  const invalid: { name: string; text: string; want: RegExp }[] = [
    { name: "bad duration", text: "windows: {low: five minutes}", want: /f\.yaml: invalid policy field windows\.low: must be a positive duration/ },
    { name: "number without unit", text: "verifyWindow: 120", want: /verifyWindow/ },
    { name: "unknown field (a typo must not be ignored)", text: "protectedNamespace: [prod]", want: /invalid policy field \(top level\).*protectedNamespace/ },
    { name: "not a URL", text: "prometheus: prometheus:9090", want: /field prometheus: must be an http\(s\) URL/ },
    { name: "list of the wrong type", text: "approvers: alice", want: /field approvers/ },
    { name: "negative price", text: "prices: {cpuPerCoreHour: -1, memoryPerGiBHour: 1}", want: /prices\.cpuPerCoreHour/ },
    { name: "YAML syntax", text: "approvers: [alice", want: /f\.yaml: invalid YAML/ },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}, naming the file and field`, () => {
      expect(() => parsePolicy(c.text, "f.yaml")).toThrow(PolicyError);
      expect(() => parsePolicy(c.text, "f.yaml")).toThrow(c.want);
    });
  }
});

describe("durations and tiers", () => {
  it("parses durations", () => {
    expect([parseDurationSeconds("90s"), parseDurationSeconds("5m"), parseDurationSeconds("2h"), parseDurationSeconds("7d"), parseDurationSeconds("5"), parseDurationSeconds("1.5h")]).toEqual([90, 300, 7200, 604800, undefined, undefined]);
  });

  it("gives trivial no window and the others theirs", () => {
    const policy = defaultPolicy();
    expect([windowSecondsOf(policy, "trivial"), windowSecondsOf(policy, "low"), windowSecondsOf(policy, "medium"), windowSecondsOf(policy, "critical")]).toEqual([undefined, 300, 1800, 7200]);
  });

  it("feeds protected namespaces to classifyAction", () => {
    const policy = parsePolicy("protectedNamespaces: [prod]", "f");
    expect(classifyAction({ type: "resources", namespace: "prod", targetKind: "Deployment" }, tierPolicyOf(policy))).toBe("critical");
    expect(classifyAction({ type: "resources", namespace: "kube-system", targetKind: "Deployment" }, tierPolicyOf(policy))).toBe("medium");
  });
});
