import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { KubeClient } from "../../src/kube/client.ts";
import { whoAmI } from "../../src/kube/identity.ts";
import { resolveHistory, type History } from "../../src/records/history.ts";
import type { FrontMatter } from "../../src/records/schema.ts";
import { appendToRecord, utcSeconds, writeRecord } from "../../src/records/store.ts";
import { git, gitdir } from "../helpers/gitdir.ts";
import { describeTestbed } from "./suite.ts";
import { crashloopStage, createNamespace, kubectl, testbed, webDeployment, type RunResult } from "./testbed.ts";

/**
 * `kubectl aiops apply` / `rollback` / `apply --shadow` on the test bed with real identities:
 * alice proposes, bob approves (through the record store with bob's authenticated identity, as
 * the approve command records it) and applies. Everything runs in a namespace of our own with a
 * kwok Stage of our own, so the scenario namespaces other suites read are never touched.
 * AIOPS_PLUGIN_DIR (optional) puts another build of the plugin first on PATH.
 */
describeTestbed("kubectl aiops apply (test bed)", () => {
  const suffix = randomBytes(3).toString("hex");
  const ns = `apply-e2e-${suffix}`;
  const stage = `aiops-apply-e2e-${suffix}-crashloop`;
  const POLICY = "approvers: [alice, bob]\nsecurityReviewers: [sec]\n";
  let repo: string;
  let historyDir: string;
  let history: History;
  const identities: Record<string, string> = {};

  type User = "admin" | "alice" | "bob" | "sec" | "viewer";
  const env = process.env["AIOPS_PLUGIN_DIR"] === undefined ? undefined : { PATH: `${process.env["AIOPS_PLUGIN_DIR"]}:${path.join(testbed().binDir)}:${process.env["PATH"] ?? ""}` };
  const as = (user: User) => ({ ...(user === "admin" ? {} : { kubeconfig: testbed().users[user] }), ...(env === undefined ? {} : { env }), timeoutMs: 300_000 });
  const aiops = (user: User, args: string[], dir = historyDir): RunResult => kubectl(["aiops", ...args, "--history-dir", dir], as(user));
  const fm = (id: string, dir = historyDir): FrontMatter => JSON.parse(kubectl(["aiops", "show", id, "--history-dir", dir, "-o", "json"], as("admin")).stdout).frontMatter as FrontMatter;
  const get = (jsonpath: string): string => kubectl(["get", "deployment", "web", "-n", ns, "-o", `jsonpath=${jsonpath}`]).stdout;

  const proposeScale = (replicas: number, dir = historyDir): string => {
    const result = aiops("alice", ["propose", "scale", "deployment/web", "-n", ns, "--replicas", String(replicas), "-o", "json"], dir);
    expect(result.status, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { frontMatter: FrontMatter }).frontMatter.id;
  };

  /** bob's approval as `approve` records it: the identity the API server authenticates. */
  const approve = async (id: string, who: "bob" | "sec" = "bob", dir = historyDir): Promise<void> => {
    const h = dir === historyDir ? history : resolveHistory({ historyDir: dir, cwd: repo, env: {} });
    const identity = identities[who] ?? "";
    await appendToRecord(h, id, { status: "approved", approvals: [{ identity, role: who === "sec" ? "security-reviewer" : "approver", decision: "approved", at: utcSeconds(new Date()) }], roles: { approvers: ["alice", "bob"], securityReviewers: ["sec"] } }, { now: () => new Date() });
  };

  /** A proposal `propose` would never make: its patch adds the pod labels our crashloop Stage selects. */
  // medium: a config change of a Deployment (apply recomputes the tier and refuses a lower one)
  const crashloopProposal = async (tier: "medium" = "medium"): Promise<string> => {
    const live = JSON.parse(kubectl(["get", "deployment", "web", "-n", ns, "-o", "json"]).stdout) as { metadata: { uid: string; resourceVersion: string; generation: number } };
    const labels = { "sim/scenario": ns, "sim/fault": "crashloop" };
    const now = new Date();
    const written = await writeRecord(history, {
      title: `Label ${ns}/web pods for the crashloop stage`,
      stage: "proposal",
      command: "test: crashloop proposal",
      user: { cluster: identities["alice"] ?? "alice" },
      target: { apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web", uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion, generation: live.metadata.generation },
      tier,
      action: { type: "config", patchType: "strategic", patch: { spec: { template: { metadata: { labels } } } }, rollback: { spec: { template: { metadata: { labels: { "sim/scenario": null, "sim/fault": null } } } } }, dryRun: { result: "passed" } },
      window: { opened: utcSeconds(now), expires: utcSeconds(new Date(now.getTime() + 30 * 60_000)) },
      body: "## Prompt\n\ntest\n",
    }, { now: () => new Date() });
    return written.frontMatter.id;
  };

  beforeAll(async () => {
    repo = gitdir({ ".aiops.yaml": POLICY });
    historyDir = path.join(repo, "history");
    history = resolveHistory({ historyDir, cwd: repo, env: {} });
    for (const who of ["alice", "bob", "sec"] as const) identities[who] = (await whoAmI(KubeClient.connect({ kubeconfig: testbed().users[who], requestTimeoutMs: 10_000, env: process.env }))).username;
    await createNamespace(ns);
    expect(kubectl(["create", "rolebinding", "aiops-editors", "-n", ns, "--clusterrole", "aiops-testbed:workload-editor", "--user", "alice", "--user", "bob", "--user", "sec"]).status).toBe(0);
    const deployment = webDeployment(ns, 2, "{requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}");
    expect(kubectl(["apply", "-f", "-"], { input: deployment }).status).toBe(0);
    const crashloop = crashloopStage(stage, ns, "apply");
    expect(kubectl(["apply", "-f", "-"], { input: crashloop }).status).toBe(0);
    expect(kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=90s"]).status).toBe(0);
  });

  afterAll(() => {
    kubectl(["delete", "namespace", ns, "--wait=false"]);
    kubectl(["delete", "stage", stage, "--ignore-not-found"]);
  });

  let verifiedScale = "";

  it("applies an approved scale as bob: verified, the Deployment changed, one commit per step", async () => {
    const id = proposeScale(3);
    await approve(id);
    const result = aiops("bob", ["apply", id, "--verify-window", "20s", "-o", "json"]);
    expect(result.status, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout) as { status: string; timings: Record<string, number> };
    expect(outcome.status).toBe("verified");
    expect(get("{.spec.replicas}")).toBe("3");
    expect(get("{.metadata.managedFields[*].manager}")).toContain("kubectl-aiops");
    const record = fm(id);
    expect(record.status).toBe("verified");
    expect(record.events.map((e) => e.type)).toEqual(["apply-checked", "applying", "patched", "rollout-complete", "verified"]);
    expect(record.metrics?.post?.["podsReady"]).toBe(3);
    expect(JSON.parse(kubectl(["aiops", "show", id, "--history-dir", historyDir, "-o", "json"], as("admin")).stdout).body).toMatch(/## Execution[\s\S]*## Validation\n\nVerified/);
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(aiops("admin", ["audit", "verify"]).status).toBe(0);
    verifiedScale = id;
  });

  it("rollback of the verified change: a new record of the same tier, applied at once for an approver; the old spec is back", () => {
    expect(verifiedScale).not.toBe("");
    const result = aiops("bob", ["rollback", verifiedScale, "--verify-window", "5s", "-o", "json"]);
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { rollbackRecord: string; applied: { status: string } };
    expect(out.applied.status).toBe("verified");
    expect(get("{.spec.replicas}")).toBe("2");
    expect(fm(verifiedScale).status).toBe("reverted");
    const undo = fm(out.rollbackRecord);
    expect(undo.links?.supersedes).toBe(verifiedScale);
    expect(undo.tier).toBe("low");
    expect(undo.action?.patch).toEqual({ spec: { replicas: 2 } });
    expect(aiops("admin", ["audit", "verify"]).status).toBe(0);
  });

  it("tells viewer which permission apply needs", async () => {
    const id = proposeScale(3);
    await approve(id);
    const result = aiops("viewer", ["apply", id, "--verify-window", "0"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`forbidden: user "viewer" cannot patch deployments\\.apps in namespace "${ns}"`));
    expect(result.stderr).toMatch(/kubectl auth can-i patch deployments\.apps/);
    expect(fm(id).status).toBe("approved");
    expect(get("{.spec.replicas}")).toBe("2");
  });

  it("refuses on drift: the Deployment changed after the proposal", async () => {
    const id = proposeScale(3);
    await approve(id);
    expect(kubectl(["scale", "deployment/web", "-n", ns, "--replicas", "1"]).status).toBe(0);
    const result = aiops("bob", ["apply", id, "--verify-window", "0"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/drifted since proposal/);
    expect(result.stderr).toMatch(/spec\.replicas: expected 2, found 1/);
    expect(result.stderr).toMatch(/propose the change again/);
    expect(get("{.spec.replicas}")).toBe("1");
    expect(fm(id).events.at(-1)?.type).toBe("apply-refused");
    expect(kubectl(["scale", "deployment/web", "-n", ns, "--replicas", "2"]).status).toBe(0);
    expect(kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=60s"]).status).toBe(0);
  });

  it("refuses an expired proposal and records the expiry", async () => {
    const shortRepo = gitdir({ ".aiops.yaml": `${POLICY}windows: {low: 1s}\n` });
    const dir = path.join(shortRepo, "history");
    const id = proposeScale(3, dir);
    await approve(id, "bob", dir);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const result = aiops("bob", ["apply", id, "--verify-window", "0"], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/expired/);
    expect(fm(id, dir).status).toBe("expired");
    expect(get("{.spec.replicas}")).toBe("2");
  });

  it("refuses when the audit check finds an edited approval", async () => {
    // A history of its own: the edit makes `audit verify` fail for good there.
    const editedRepo = gitdir({ ".aiops.yaml": POLICY });
    const dir = path.join(editedRepo, "history");
    const id = proposeScale(3, dir);
    await approve(id, "bob", dir);
    const file = path.join(editedRepo, git(editedRepo, "ls-files", "--", `history/*${id}*`));
    writeFileSync(file, readFileSync(file, "utf8").replace(`- identity: "${identities["bob"]}"`, `- identity: "${identities["sec"]}"`));
    git(editedRepo, "commit", "-qam", "edit an approval");
    const result = aiops("bob", ["apply", id, "--verify-window", "0"], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`audit check of ${id} failed: edited .*approvals rewritten`));
    expect(get("{.spec.replicas}")).toBe("2");
  });

  it("rolls back automatically when the new pods crash-loop, and the old spec is back", async () => {
    const id = await crashloopProposal();
    await approve(id);
    const result = aiops("bob", ["apply", id, "--verify-window", "20s", "--progress-timeout", "90s", "-o", "json"]);
    expect(result.status).toBe(1);
    const outcome = JSON.parse(result.stdout) as { status: string; problems: string[] };
    expect(outcome.status).toBe("rolled-back");
    expect(outcome.problems.join(" ")).toMatch(/CrashLoopBackOff|restarted/);
    expect(get("{.spec.template.metadata.labels}")).not.toContain("sim/fault");
    expect(kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=90s"]).status).toBe(0);
    const record = fm(id);
    expect(record.status).toBe("rolled-back");
    expect(record.events.map((e) => e.type)).toEqual(expect.arrayContaining(["patched", "rollout-failed", "rollback-started", "rolled-back"]));
    expect(aiops("admin", ["audit", "verify"]).status).toBe(0);
  });

  it("reports an interrupted apply and finishes it with --resume", async () => {
    const id = proposeScale(3);
    await approve(id);
    // What a process killed right after "applying" leaves behind.
    await appendToRecord(history, id, { status: "applying", events: [{ at: utcSeconds(new Date()), type: "applying", detail: "killed before the patch" }], roles: { approvers: ["alice", "bob"] } }, { now: () => new Date() });
    const refused = aiops("bob", ["apply", id]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`apply of ${id} was interrupted at the patch`);
    expect(refused.stderr).toContain(`kubectl aiops rollback ${id}`);
    const resumed = aiops("bob", ["apply", id, "--resume", "--verify-window", "5s", "-o", "json"]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as { status: string }).status).toBe("verified");
    expect(get("{.spec.replicas}")).toBe("3");
    expect(kubectl(["scale", "deployment/web", "-n", ns, "--replicas", "2"]).status).toBe(0);
    expect(kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=60s"]).status).toBe(0);
  });

  it("--shadow rehearses a medium proposal in a temporary namespace and records the result", async () => {
    const id = await crashloopProposal("medium");
    const result = aiops("admin", ["apply", id, "--shadow", "--progress-timeout", "60s", "-o", "json"]);
    const shadow = JSON.parse(result.stdout) as { outcome: string; namespace: string; detail: string };
    expect(shadow.namespace).toBe(`aiops-shadow-${id.slice(-8).toLowerCase()}`);
    expect(shadow.outcome, shadow.detail).toBe("failed");
    expect(result.status).toBe(1);
    const event = fm(id).events.at(-1);
    expect(event?.type).toBe("shadow");
    expect(event?.detail).toMatch(/^failed/);
    expect(fm(id).status).toBe("proposed");
    expect(kubectl(["get", "namespace", shadow.namespace, "-o", "jsonpath={.status.phase}"]).stdout).not.toBe("Active");
    expect(get("{.spec.template.metadata.labels}")).not.toContain("sim/fault");
  });
});
