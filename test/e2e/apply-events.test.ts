import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runApply } from "../../src/app/apply.ts";
import type { AppEvent } from "../../src/app/events.ts";
import { createSession, type GlobalOptions } from "../../src/app/session.ts";
import { progressLine } from "../../src/cli/progress.ts";
import { resolveHistory, type History } from "../../src/records/history.ts";
import { appendToRecord, utcSeconds, writeRecord } from "../../src/records/store.ts";
import { git, gitdir } from "../helpers/gitdir.ts";
import { sessionIo } from "../helpers/io.ts";
import { describeTestbed } from "./suite.ts";
import { crashloopStage, createNamespace, kubectl, testbed, webDeployment } from "./testbed.ts";

/**
 * The event stream of an apply that rolls back, without the CLI: a session built from the test
 * bed's admin kubeconfig with a sink that keeps every event, a temporary git history, and a
 * namespace of our own whose Deployment runs on the kwok nodes. The change labels the pods for a
 * kwok Stage of our own that puts them in CrashLoopBackOff, so the rollout fails and the recorded
 * inverse is sent.
 */
describeTestbed("apply events (test bed, no CLI)", () => {
  const suffix = randomBytes(3).toString("hex");
  const ns = `apply-events-${suffix}`;
  const stage = `aiops-apply-events-${suffix}-crashloop`;
  let repo: string;
  let history: History;
  const roles = { approvers: ["alice", "bob"] };

  beforeAll(async () => {
    repo = gitdir({ ".aiops.yaml": "approvers: [alice, bob]\n" });
    history = resolveHistory({ historyDir: path.join(repo, "history"), cwd: repo, env: {} });
    await createNamespace(ns);
    expect(kubectl(["apply", "-f", "-"], { input: webDeployment(ns, 2, "{requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}") }).status).toBe(0);
    const crashloop = crashloopStage(stage, ns, "apply-events");
    expect(kubectl(["apply", "-f", "-"], { input: crashloop }).status).toBe(0);
    expect(kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=90s"]).status).toBe(0);
  });

  afterAll(() => {
    kubectl(["delete", "namespace", ns, "--wait=false"]);
    kubectl(["delete", "stage", stage, "--ignore-not-found"]);
  });

  /** A medium-tier proposal (a config change) proposed by alice and approved by bob, whose patch labels the pods for the crashloop Stage. */
  const approvedCrashloopProposal = async (): Promise<string> => {
    const live = JSON.parse(kubectl(["get", "deployment", "web", "-n", ns, "-o", "json"]).stdout) as { metadata: { uid: string; resourceVersion: string; generation: number } };
    const now = new Date();
    const written = await writeRecord(history, {
      title: `Label ${ns}/web pods for the crashloop stage`,
      stage: "proposal",
      command: "test: crashloop proposal",
      user: { cluster: "alice" },
      target: { apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web", uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion, generation: live.metadata.generation },
      tier: "medium",
      action: { type: "config", patchType: "strategic", patch: { spec: { template: { metadata: { labels: { "sim/scenario": ns, "sim/fault": "crashloop" } } } } }, rollback: { spec: { template: { metadata: { labels: { "sim/scenario": null, "sim/fault": null } } } } }, dryRun: { result: "passed" } },
      window: { opened: utcSeconds(now), expires: utcSeconds(new Date(now.getTime() + 30 * 60_000)) },
      body: "## Prompt\n\ntest\n",
    }, { now: () => new Date() });
    const id = written.frontMatter.id;
    await appendToRecord(history, id, { status: "approved", approvals: [{ identity: "bob", role: "approver", decision: "approved", at: utcSeconds(new Date()) }], roles }, { now: () => new Date() });
    return id;
  };

  it("emits each step of an apply that rolls back, in order, each commit named", async () => {
    const id = await approvedCrashloopProposal();
    const events: AppEvent[] = [];
    const globals: GlobalOptions = { kubeconfig: testbed().kubeconfig, allNamespaces: false, requestTimeoutMs: 30_000, output: "json", historyDir: path.join(repo, "history"), color: false, debug: false };
    const session = createSession(sessionIo({ cwd: repo, argv: ["apply", id] }), globals, { events: { emit: (event) => void events.push(event) } });

    const outcome = await runApply(session, id, { verifyWindowSeconds: 20, progressTimeoutSeconds: 90, command: `kubectl aiops apply ${id}` });
    expect(outcome.status).toBe("rolled-back");

    // The sequence, step by step: the checks, then one commit after each step that writes.
    const kinds = events.map((e) => (e.type === "apply-step" ? `apply-step ${e.step}` : e.type === "verification" ? `verification ${e.verdict} (${e.phase})` : e.type === "rollback" ? `rollback ${e.outcome}` : e.type));
    expect(kinds).toEqual([
      "apply-step dry-run",
      "apply-step checked",
      "apply-step applying",
      "record-committed",
      "apply-step patched",
      "record-committed",
      "verification failed (rollout)",
      "record-committed",
      "apply-step rollback-started",
      "record-committed",
      "rollback rolled-back",
      "record-committed",
    ]);
    // Every event is about this one record.
    expect(events.map((e) => ("record" in e ? e.record : "id" in e ? e.id : undefined))).toEqual(events.map(() => id));

    // The commits are the record's last five, in order, each a proposal's.
    const commits = events.flatMap((e) => (e.type === "record-committed" ? [e] : []));
    expect(commits.every((c) => c.stage === "proposal" && c.path === outcome.path)).toBe(true);
    expect(commits.map((c) => c.commit)).toEqual(git(repo, "log", "--format=%H", "-5").split("\n").reverse());

    // The verdict names the crash loop; the rollback gives it as its reason and ends the record rolled-back.
    const verification = events.find((e) => e.type === "verification");
    expect(verification?.type === "verification" && verification.problems.join(" ")).toMatch(/CrashLoopBackOff|restarted/);
    const rollback = events.find((e) => e.type === "rollback");
    expect(rollback?.type === "rollback" && rollback.reason).toBe(outcome.problems[0]);
    expect(rollback?.type === "rollback" && rollback.detail).toMatch(/^old spec back and rolled out/);

    // What the command line prints from these events is the record's Execution steps, line by line.
    expect(events.flatMap((e) => progressLine(e) ?? [])).toEqual(outcome.steps.filter((s) => s.step !== "check").map((s) => `${s.step}: ${s.detail}`));
    expect(kubectl(["get", "deployment", "web", "-n", ns, "-o", "jsonpath={.spec.template.metadata.labels}"]).stdout).not.toContain("sim/fault");
  }, 300_000);
});
