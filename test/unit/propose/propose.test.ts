import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { propose, proposeFromFindings, type ProposalOutcome } from "../../../src/app/propose.ts";
import { ForbiddenError, NotFoundError, PolicyError } from "../../../src/errors.ts";
import { ShortHistoryError } from "../../../src/metrics/source.ts";
import type { Finding } from "../../../src/diagnose/types.ts";
import type { ReplicaSet } from "../../../src/model/k8s.ts";
import { parsePolicy } from "../../../src/policy/policy-file.ts";
import { parseRecord } from "../../../src/records/record-file.ts";
import { git, gitdir } from "../../helpers/gitdir.ts";
import { fakeApi, fakeSource, forbiddenPatch, invalidPatch, seedUsage, testContext, webDeployment, webPod } from "./fakes.ts";

function outcome(result: Awaited<ReturnType<typeof propose>>): ProposalOutcome {
  if ("noChange" in result) throw new Error(`expected a proposal, got no change: ${result.noChange}`);
  return result;
}

describe("propose resources", () => {
  it("holds the seed example and writes one committed proposal record", async () => {
    const repo = gitdir();
    const api = fakeApi([webDeployment(), webPod("web-7d9f-a"), webPod("web-7d9f-b")]);
    const result = outcome(await propose(testContext(repo, api, fakeSource(seedUsage())), { action: "resources", kind: "Deployment", name: "web" }));
    const fm = result.record.frontMatter;
    expect(fm.title).toBe("Resources of rightsizing/web: memory 156Mi/200Mi, cpu 260m");
    expect(fm.stage).toBe("proposal");
    expect(fm.status).toBe("proposed");
    expect(fm.tier).toBe("medium");
    expect(fm.window).toEqual({ opened: "2026-11-21T12:00:00Z", expires: "2026-11-21T12:30:00Z" });
    expect(fm.user.cluster).toBe("alice");
    expect(fm.target).toEqual({ apiVersion: "apps/v1", kind: "Deployment", namespace: "rightsizing", name: "web", uid: "uid-web", resourceVersion: "4711", generation: 3 });
    expect(fm.action).toEqual({
      type: "resources",
      patchType: "strategic",
      patch: { spec: { template: { spec: { containers: [{ name: "web", resources: { requests: { cpu: "260m", memory: "156Mi" }, limits: { cpu: "520m", memory: "200Mi" } } }] } } } },
      rollback: { spec: { template: { spec: { containers: [{ name: "web", resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } } }] } } } },
      dryRun: { result: "passed", message: "server-side dry run (dryRun=All) of patch deployment web accepted" },
    });
    expect(fm.metrics?.pre).toMatchObject({ source: "prometheus", window: "7d", confidence: "high", replicas: 2, containers: { web: { memory: { p95: "120Mi", max: "150Mi" }, cpu: { p95: "200m" } } } });
    // (156Mi - 512Mi) x 2 and (260m - 500m) x 2
    expect(result.draft.delta).toMatchObject({ cpu: "-480m", memory: "-712Mi", replicas: 2 });
    expect(result.record.body).toContain("| web | memory request | 512Mi | 120Mi | 150Mi | 156Mi |");
    expect(result.record.body).toContain("memory p95 120Mi × 1.30 = 156Mi");
    expect(result.record.body).toContain("kubectl patch deployment web -n rightsizing --context testbed --type strategic -p '");
    expect(git(repo, "log", "-1", "--format=%s")).toBe("aiops(proposal): Resources of rightsizing/web: memory 156Mi/200Mi, cpu 260m");
    expect(parseRecord(readFileSync(result.record.location.absolute, "utf8"), "x").frontMatter.id).toBe(fm.id);
  });

  it("only ever sends dry runs: every non-GET request carries dryRun=All and the field manager", async () => {
    const api = fakeApi([webDeployment(), webPod("web-7d9f-a")]);
    await propose(testContext(gitdir(), api, fakeSource(seedUsage())), { action: "resources", kind: "Deployment", name: "web" });
    const writes = api.calls.filter((c) => c.method !== "GET" && c.method !== "LIST");
    expect(writes).toEqual([expect.objectContaining({ method: "PATCH", contentType: "application/strategic-merge-patch+json", query: { dryRun: "All", fieldManager: "kubectl-aiops" } })]);
  });

  it("raises the tier exactly once for metrics-server figures (medium -> critical) and says why", async () => {
    const usage = seedUsage({ source: "metrics-server", confidence: "low", reasons: ["metrics-server gives one point-in-time sample"] });
    const result = outcome(await propose(testContext(gitdir(), fakeApi([webDeployment()]), fakeSource(usage)), { action: "resources", kind: "Deployment", name: "web" }));
    expect(result.tier).toBe("critical");
    expect(result.record.body).toContain("critical (medium by the resources rule in docs/policy.md, raised one tier: the figures are low-confidence)");
    expect(result.record.frontMatter.window?.expires).toBe("2026-11-21T14:00:00Z");
  });

  it("makes a protected namespace critical", async () => {
    const policy = parsePolicy("protectedNamespaces: [rightsizing]", ".aiops.yaml");
    const result = outcome(await propose(testContext(gitdir(), fakeApi([webDeployment()]), fakeSource(seedUsage()), { policy }), { action: "resources", kind: "Deployment", name: "web" }));
    expect(result.tier).toBe("critical");
  });

  it("records a dry run the server rejects as failed, with the server's message", async () => {
    const warnings: string[] = [];
    const result = outcome(await propose(testContext(gitdir(), fakeApi([webDeployment()], { patchAnswer: invalidPatch }), fakeSource(seedUsage()), { warnings }), { action: "resources", kind: "Deployment", name: "web" }));
    expect(result.record.frontMatter.action?.dryRun?.result).toBe("failed");
    expect(result.record.frontMatter.action?.dryRun?.message).toMatch(/rejected \(422\).*must be less than or equal to cpu limit/);
    expect(warnings.join("\n")).toMatch(/cannot be approved for apply until a dry run passes/);
  });

  it("fails on a forbidden dry run, naming the patch permission, and writes nothing", async () => {
    const repo = gitdir();
    const run = propose(testContext(repo, fakeApi([webDeployment()], { patchAnswer: forbiddenPatch }), fakeSource(seedUsage())), { action: "resources", kind: "Deployment", name: "web" });
    await expect(run).rejects.toThrow(ForbiddenError);
    await expect(run).rejects.toThrow(/cannot patch deployments\.apps in namespace "rightsizing"/);
    expect(git(repo, "log", "--format=%s")).toBe("initial commit");
  });

  it("passes the short-history refusal through", async () => {
    const run = propose(testContext(gitdir(), fakeApi([webDeployment()]), fakeSource(new ShortHistoryError("too little history"))), { action: "resources", kind: "Deployment", name: "web" });
    await expect(run).rejects.toThrow(ShortHistoryError);
  });

  it("suggests close names for an unknown workload", async () => {
    const run = propose(testContext(gitdir(), fakeApi([webDeployment()]), fakeSource(seedUsage())), { action: "resources", kind: "Deployment", name: "wbe" });
    await expect(run).rejects.toThrow(NotFoundError);
    await expect(run).rejects.toMatchObject({ hint: "did you mean: web?" });
  });

  it("refuses an unknown --container, listing the containers", async () => {
    const run = propose(testContext(gitdir(), fakeApi([webDeployment()]), fakeSource(seedUsage())), { action: "resources", kind: "Deployment", name: "web", container: "db" });
    await expect(run).rejects.toMatchObject({ message: 'deployment rightsizing/web has no container "db"', hint: "its containers: web" });
  });

  it("keeps a classic init container's values and names it; proposes for sidecars", async () => {
    const deployment = webDeployment({ initContainers: [{ name: "migrate", resources: { requests: { cpu: "1" } } }, { name: "proxy", restartPolicy: "Always", resources: { requests: { cpu: "100m", memory: "64Mi" } } }] });
    const usage = seedUsage();
    usage.containers.push({ container: "proxy", cpu: { p50: "10m", p95: "20m", max: "30m", samples: 20160 }, memory: { p50: "30Mi", p95: "40Mi", max: "50Mi", samples: 20160 }, firstSample: "", lastSample: "", historySeconds: 7 * 86400 });
    const result = outcome(await propose(testContext(gitdir(), fakeApi([deployment]), fakeSource(usage)), { action: "resources", kind: "Deployment", name: "web" }));
    expect(result.draft.notes.join("\n")).toMatch(/init container migrate keeps its values/);
    // memory: 40Mi x 1.30 is below the 64Mi floor, which it already has: only cpu and the new limit change.
    const patch = result.record.frontMatter.action?.patch as { spec: { template: { spec: { initContainers: unknown[] } } } };
    expect(patch.spec.template.spec.initContainers).toEqual([{ name: "proxy", resources: { requests: { cpu: "26m" }, limits: { memory: "80Mi" } } }]);
  });

  it("proposes from usage for a workload with no requests at all, and says so", async () => {
    const result = outcome(await propose(testContext(gitdir(), fakeApi([webDeployment({ resources: {} })]), fakeSource(seedUsage())), { action: "resources", kind: "Deployment", name: "web" }));
    expect(result.draft.notes.join("\n")).toMatch(/had no requests or limits: they are set for the first time/);
    expect(result.draft.delta).toMatchObject({ cpu: "520m", memory: "312Mi" });
    expect(result.record.frontMatter.action?.rollback).toEqual({ spec: { template: { spec: { containers: [{ name: "web", resources: { requests: { cpu: null, memory: null }, limits: { memory: null } } }] } } } });
  });

  it("adds the OOM bump when a pod's lastState is OOMKilled", async () => {
    const deployment = webDeployment({ resources: { requests: { memory: "128Mi" }, limits: { memory: "160Mi" } } });
    const result = outcome(await propose(testContext(gitdir(), fakeApi([deployment, webPod("web-7d9f-a", { oom: true })]), fakeSource(seedUsage())), { action: "resources", kind: "Deployment", name: "web" }));
    // max(156 x 1.25, 150 x 1.15, 160 x 1.2 = 192, 150 + 100 = 250) -> 250Mi -> 256Mi
    expect(result.record.frontMatter.title).toBe("Resources of rightsizing/web: memory 156Mi/256Mi, cpu 260m");
    expect(result.draft.notes.join("\n")).toMatch(/OOM-killed \(1 seen\)/);
  });

  it("writes nothing when the workload is already sized", async () => {
    const repo = gitdir();
    const sized = webDeployment({ resources: { requests: { cpu: "260m", memory: "156Mi" }, limits: { cpu: "520m", memory: "200Mi" } } });
    const result = await propose(testContext(repo, fakeApi([sized]), fakeSource(seedUsage())), { action: "resources", kind: "Deployment", name: "web" });
    expect(result).toMatchObject({ noChange: expect.stringMatching(/already sized/) });
    expect(git(repo, "log", "--format=%s")).toBe("initial commit");
  });

  it("adds the monthly cost when the policy has prices", async () => {
    const policy = parsePolicy("prices: {cpuPerCoreHour: 0.04, memoryPerGiBHour: 0.005}", ".aiops.yaml");
    const result = outcome(await propose(testContext(gitdir(), fakeApi([webDeployment()]), fakeSource(seedUsage()), { policy }), { action: "resources", kind: "Deployment", name: "web" }));
    // (-0.48 x 0.04 + -712/1024 x 0.005) x 730 = -16.55
    expect(result.cost).toBe("-16.55 USD/month");
  });
});

describe("propose scale, restart, rollback", () => {
  it("scale to 0 is allowed but critical", async () => {
    const result = outcome(await propose(testContext(gitdir(), fakeApi([webDeployment()]), fakeSource(seedUsage())), { action: "scale", kind: "Deployment", name: "web", replicas: 0 }));
    expect(result.tier).toBe("critical");
    expect(result.record.frontMatter.action).toMatchObject({ patch: { spec: { replicas: 0 } }, rollback: { spec: { replicas: 2 } } });
    expect(result.record.body).toContain("kubectl scale deployment/web -n rightsizing --context testbed --replicas=2");
  });

  it("scale by one is low; from utilisation it follows proposeReplicas", async () => {
    expect(outcome(await propose(testContext(gitdir(), fakeApi([webDeployment()]), fakeSource(seedUsage())), { action: "scale", kind: "Deployment", name: "web", replicas: 3 })).tier).toBe("low");
    // p95 200m of a 100m request: ratio 2.6 -> ceil(2 x 2.6) = 6
    const hot = webDeployment({ resources: { requests: { cpu: "100m", memory: "512Mi" } } });
    const result = outcome(await propose(testContext(gitdir(), fakeApi([hot]), fakeSource(seedUsage())), { action: "scale", kind: "Deployment", name: "web" }));
    expect(result.record.frontMatter.title).toBe("Scale rightsizing/web from 2 to 6 replicas");
    expect(result.tier).toBe("medium");
  });

  it("restart of one pod with another ready replica is trivial, with no window", async () => {
    const result = outcome(await propose(testContext(gitdir(), fakeApi([webPod("web-7d9f-a"), webPod("web-7d9f-b")]), fakeSource(seedUsage())), { action: "restart", kind: "Pod", name: "web-7d9f-a" }));
    expect(result.tier).toBe("trivial");
    expect(result.record.frontMatter.window).toBeUndefined();
    expect(result.record.frontMatter.action).toMatchObject({ type: "restart", patch: { delete: { kind: "Pod", name: "web-7d9f-a", preconditions: { uid: "uid-web-7d9f-a" } } } });
  });

  it("refuses to restart a bare pod", async () => {
    const bare = webPod("lonely");
    bare.metadata.ownerReferences = [];
    await expect(propose(testContext(gitdir(), fakeApi([bare]), fakeSource(seedUsage())), { action: "restart", kind: "Pod", name: "lonely" })).rejects.toThrow(PolicyError);
  });

  it("rolls a Deployment back to the previous revision's template (medium)", async () => {
    const deployment = webDeployment();
    const rs = (name: string, revision: number, image: string): ReplicaSet => ({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name, namespace: "rightsizing", annotations: { "deployment.kubernetes.io/revision": String(revision) }, ownerReferences: [{ kind: "Deployment", name: "web", uid: "uid-web", controller: true }] },
      spec: { selector: {}, template: { metadata: { labels: { app: "web", "pod-template-hash": name.slice(4) } }, spec: { containers: [{ name: "web", image }] } } },
    });
    const api = fakeApi([deployment, rs("web-aaa", 1, "nginx:1.27.2"), rs("web-bbb", 2, "nginx:1.27.3")]);
    const result = outcome(await propose(testContext(gitdir(), api, fakeSource(seedUsage())), { action: "rollback", kind: "Deployment", name: "web" }));
    expect(result.tier).toBe("medium");
    expect(result.record.frontMatter.title).toBe("Roll back rightsizing/web from revision 2 to 1");
    expect(result.record.frontMatter.action).toMatchObject({ patchType: "json", patch: [{ op: "replace", path: "/spec/template", value: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27.2" }] } } }] });
    expect(api.calls.find((c) => c.method === "PATCH")?.contentType).toBe("application/json-patch+json");
  });
});

describe("proposeFromFindings", () => {
  it("turns an OOMKilled pod finding into a memory proposal for its Deployment, with the OOM bump", async () => {
    const deployment = webDeployment({ resources: { requests: { memory: "128Mi" }, limits: { memory: "160Mi" } } });
    const rs: ReplicaSet = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-7d9f", namespace: "rightsizing", ownerReferences: [{ kind: "Deployment", name: "web", controller: true }] }, spec: { selector: {} } };
    const pod = webPod("web-7d9f-a");
    const finding = { id: "pod.oomkilled", category: "OOMKilled", severity: "critical", confidence: 0.95, object: { kind: "Pod", namespace: "rightsizing", name: "web-7d9f-a" }, container: "web", summary: "", evidence: [], remediation: { action: "resources", summary: "", tier: "medium" }, runbook: "runbooks/oomkilled.md" } satisfies Finding;
    const probe = { ...finding, id: "pod.liveness", category: "LivenessProbeFailure", remediation: { action: "probe", summary: "", tier: "medium" } } satisfies Finding;
    const results = await proposeFromFindings([finding, probe], testContext(gitdir(), fakeApi([deployment, rs, pod]), fakeSource(seedUsage())), { diagnosisRecord: "01JDIAG" });
    expect(results).toHaveLength(1);
    // Memory only: an OOM kill says nothing about cpu.
    expect(results[0]?.result).toMatchObject({ title: "Resources of rightsizing/web: memory 156Mi/256Mi", tier: "medium" });
  });
});
