import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { git, gitdir } from "../helpers/gitdir.ts";
import { describeTestbed } from "./suite.ts";
import { createNamespace, kubectl, testbed } from "./testbed.ts";

/**
 * `kubectl aiops propose` on the test bed: the seed example against its Prometheus history, the
 * server-side dry run leaving the cluster untouched, the metrics-server fallback, RBAC denial,
 * scale and rollback. Records go to a temporary git repository given by --history-dir.
 */
describeTestbed("kubectl aiops propose (test bed)", () => {
  let repo: string;
  let historyDir: string;
  const scratch = `propose-e2e-${randomBytes(3).toString("hex")}`;

  const resourceVersion = (): string => kubectl(["get", "deployment", "web", "-n", "rightsizing", "-o", "jsonpath={.metadata.resourceVersion}"]).stdout;
  const propose = (args: string[], kubeconfig?: string) => kubectl(["aiops", "propose", ...args, "--history-dir", historyDir, "-o", "json"], kubeconfig === undefined ? {} : { kubeconfig });
  const record = (stdout: string) => JSON.parse(stdout) as { frontMatter: Record<string, any>; body: string; path: string };

  beforeAll(async () => {
    repo = gitdir();
    historyDir = path.join(repo, "history");
    // A Deployment of our own with two revisions, for rollback.
    await createNamespace(scratch);
    expect(kubectl(["create", "deployment", "api", "-n", scratch, "--image", "nginx:1.27.2", "--replicas", "2"]).status).toBe(0);
    expect(kubectl(["rollout", "status", "deployment/api", "-n", scratch, "--timeout=90s"]).status).toBe(0);
    expect(kubectl(["set", "image", "deployment/api", "-n", scratch, "nginx=nginx:1.27.3"]).status).toBe(0);
    expect(kubectl(["rollout", "status", "deployment/api", "-n", scratch, "--timeout=90s"]).status).toBe(0);
  });

  afterAll(() => {
    kubectl(["delete", "namespace", scratch, "--wait=false"]);
  });

  it("holds the seed example, dry-runs without changing the Deployment, and commits one record", () => {
    const before = resourceVersion();
    const result = propose(["resources", "deployment/web", "-n", "rightsizing", "--prometheus", testbed().prometheusUrl]);
    expect(result.stderr).toMatch(/recorded /);
    expect(result.status).toBe(0);
    const r = record(result.stdout);
    expect(r.frontMatter["title"]).toBe("Resources of rightsizing/web: memory 156Mi/200Mi, cpu 260m");
    expect(r.frontMatter["action"]["patch"]).toEqual({ spec: { template: { spec: { containers: [{ name: "web", resources: { requests: { cpu: "260m", memory: "156Mi" }, limits: { cpu: "520m", memory: "200Mi" } } }] } } } });
    expect(r.frontMatter["action"]["dryRun"]["result"]).toBe("passed");
    expect(r.frontMatter["tier"]).toBe("medium");
    expect(r.frontMatter["status"]).toBe("proposed");
    expect(r.frontMatter["user"]["cluster"]).toBe("admin");
    expect(r.frontMatter["target"]["resourceVersion"]).toBe(before);
    expect(resourceVersion()).toBe(before);
    expect(kubectl(["get", "deployment", "web", "-n", "rightsizing", "-o", "jsonpath={.spec.template.spec.containers[0].resources.requests.memory}"]).stdout).toBe("512Mi");
    expect(git(repo, "log", "-1", "--format=%s")).toBe("aiops(proposal): Resources of rightsizing/web: memory 156Mi/200Mi, cpu 260m");
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("falls back to metrics-server with low confidence and raises the tier once (medium -> critical)", () => {
    const result = propose(["resources", "deployment/web", "-n", "rightsizing"]);
    expect(result.status, result.stderr).toBe(0);
    const r = record(result.stdout);
    expect(r.frontMatter["tier"]).toBe("critical");
    expect(r.frontMatter["metrics"]["pre"]["source"]).toBe("metrics-server");
    expect(r.body).toContain("raised one tier: the figures are low-confidence");
  });

  it("tells viewer which permission the dry run needs", () => {
    const result = propose(["resources", "deployment/web", "-n", "rightsizing", "--prometheus", testbed().prometheusUrl], testbed().users.viewer);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/forbidden: user "viewer" cannot patch deployments\.apps in namespace "rightsizing"/);
    expect(result.stderr).toMatch(/hint: .*kubectl auth can-i patch deployments\.apps -n rightsizing/);
  });

  it("proposes a scale (low for +1, critical for 0) with the exact inverse", () => {
    const plusOne = record(propose(["scale", "deployment/web", "-n", "rightsizing", "--replicas", "3"]).stdout);
    expect(plusOne.frontMatter["tier"]).toBe("low");
    expect(plusOne.frontMatter["action"]["rollback"]).toEqual({ spec: { replicas: 2 } });
    expect(plusOne.body).toContain("kubectl scale deployment/web -n rightsizing");
    const zero = record(propose(["scale", "deployment/web", "-n", "rightsizing", "--replicas", "0"]).stdout);
    expect(zero.frontMatter["tier"]).toBe("critical");
    expect(kubectl(["get", "deployment", "web", "-n", "rightsizing", "-o", "jsonpath={.spec.replicas}"]).stdout).toBe("2");
  });

  it("proposes a rollback to the previous revision", () => {
    const result = propose(["rollback", "deployment/api", "-n", scratch]);
    expect(result.status, result.stderr).toBe(0);
    const r = record(result.stdout);
    expect(r.frontMatter["title"]).toBe(`Roll back ${scratch}/api from revision 2 to 1`);
    expect(r.frontMatter["tier"]).toBe("medium");
    expect(r.frontMatter["action"]["dryRun"]["result"]).toBe("passed");
    expect(JSON.stringify(r.frontMatter["action"]["patch"])).toContain("nginx:1.27.2");
    expect(kubectl(["get", "deployment", "api", "-n", scratch, "-o", "jsonpath={.spec.template.spec.containers[0].image}"]).stdout).toBe("nginx:1.27.3");
  });

  it("refuses bad input with usage errors and hints", () => {
    const kind = kubectl(["aiops", "propose", "resources", "configmap/x", "-n", "rightsizing", "--history-dir", historyDir]);
    expect(kind.status).toBe(2);
    expect(kind.stderr).toMatch(/hint: use one of: deployment\/NAME/);
    const negative = kubectl(["aiops", "propose", "scale", "deployment/web", "--replicas=-1", "-n", "rightsizing", "--history-dir", historyDir]);
    expect(negative.status).toBe(2);
    const unknown = kubectl(["aiops", "propose", "resources", "deployment/wbe", "-n", "rightsizing", "--history-dir", historyDir, "--prometheus", testbed().prometheusUrl]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/did you mean: web\?/);
    const down = kubectl(["aiops", "propose", "resources", "deployment/web", "-n", "rightsizing", "--history-dir", historyDir, "--prometheus", "http://127.0.0.1:65530"]);
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:65530: connection refused/);
  });
});
