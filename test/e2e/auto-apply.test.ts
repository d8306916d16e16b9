import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseGlobalOptions } from "../../src/cli/options.ts";
import { proposeAndApply } from "../../src/app/watch/auto-apply.ts";
import { createSession } from "../../src/app/session.ts";
import type { Finding } from "../../src/diagnose/types.ts";
import { gitdir } from "../helpers/gitdir.ts";
import { sessionIo } from "../helpers/io.ts";
import { describeTestbed } from "./suite.ts";
import { createNamespace, kubectl, testbed, webDeployment } from "./testbed.ts";

/**
 * `watch` with `watch.autoApplyTrivial: true` hands trivial findings to this applier: it must
 * write a trivial restart proposal for the pod and apply it for real (the pod is replaced by its
 * controller and the record ends verified), without any approval. In a namespace of our own.
 */
describeTestbed("watch auto-apply of a trivial restart (test bed)", () => {
  const ns = `auto-apply-e2e-${randomBytes(3).toString("hex")}`;
  let repo = "";

  beforeAll(async () => {
    repo = gitdir({ ".aiops.yaml": "approvers: [alice, bob]\nsecurityReviewers: [sec]\nverifyWindow: 5s\n" });
    await createNamespace(ns);
    const deployment = webDeployment(ns, 3, "{requests: {cpu: 10m, memory: 32Mi}}");
    expect(kubectl(["apply", "-f", "-"], { input: deployment }).status).toBe(0);
    expect(kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=90s"]).status).toBe(0);
  });

  afterAll(() => {
    kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  it("proposes a trivial restart of the pod, applies it without approval, and records it verified", async () => {
    const pod = kubectl(["get", "pods", "-n", ns, "-o", "jsonpath={.items[0].metadata.name} {.items[0].metadata.uid}"]).stdout.trim().split(" ");
    const [name = "", uid = ""] = pod;
    const finding: Finding = {
      id: "pod.crashloopbackoff",
      category: "CrashLoopBackOff",
      severity: "critical",
      confidence: 0.9,
      object: { kind: "Pod", namespace: ns, name },
      container: "web",
      summary: "test: one pod of three fails",
      evidence: [],
      remediation: { action: "restart", summary: "delete the pod", tier: "trivial" },
      runbook: "runbooks/crashloopbackoff.md",
    };
    const globals = parseGlobalOptions({ kubeconfig: testbed().kubeconfig, allNamespaces: false, requestTimeout: "30s", output: "json", historyDir: path.join(repo, "history"), color: false, debug: false });
    const logs: string[] = [];
    const io = sessionIo({ cwd: repo, env: { ...process.env, KUBECONFIG: testbed().kubeconfig }, stderr: { write: (s: string) => logs.push(s) } });
    const apply = proposeAndApply(createSession(io, globals), "kubectl aiops watch (test)", (m) => logs.push(m));

    const result = await apply(finding);
    expect(result.applied, result.detail + logs.join("")).toBe(true);
    const id = /proposed as (\w{26})/.exec(result.detail)?.[1] ?? "";
    expect(id).not.toBe("");

    // The apply runs beside the caller: wait for its outcome in the record.
    const deadline = Date.now() + 120_000;
    let status = "";
    while (Date.now() < deadline) {
      const shown = kubectl(["aiops", "show", id, "--history-dir", path.join(repo, "history"), "-o", "json"]);
      status = (JSON.parse(shown.stdout) as { frontMatter: { status: string; tier: string } }).frontMatter.status;
      if (status !== "proposed" && status !== "approved" && status !== "applying") break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const record = JSON.parse(kubectl(["aiops", "show", id, "--history-dir", path.join(repo, "history"), "-o", "json"]).stdout) as { frontMatter: { status: string; tier: string; approvals: unknown[] } };
    expect(record.frontMatter.tier).toBe("trivial");
    expect(record.frontMatter.approvals).toEqual([]);
    expect(status, logs.join("")).toBe("verified");
    const uids = kubectl(["get", "pods", "-n", ns, "-o", "jsonpath={.items[*].metadata.uid}"]).stdout;
    expect(uids).not.toContain(uid);
  });

  it("leaves anything but a trivial pod restart to a human", async () => {
    const globals = parseGlobalOptions({ kubeconfig: testbed().kubeconfig, allNamespaces: false, requestTimeout: "30s", output: "json", historyDir: path.join(repo, "history"), color: false, debug: false });
    const io = sessionIo({ cwd: repo, env: process.env, stderr: { write: () => true } });
    const result = await proposeAndApply(createSession(io, globals), "test", () => undefined)({
      id: "pod.oomkilled", category: "OOMKilled", severity: "high", confidence: 0.95, object: { kind: "Pod", namespace: ns, name: "x" }, summary: "", evidence: [],
      remediation: { action: "resources", summary: "", tier: "trivial" }, runbook: "",
    });
    expect(result).toEqual({ applied: false, detail: "resources is not applied automatically: only trivial pod restarts are" });
  });
});
