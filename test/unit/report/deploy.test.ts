import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { git, testGitEnv } from "../../helpers/gitdir.ts";

const DEPLOY = path.resolve(import.meta.dirname, "../../../deploy");

function documents(): Record<string, unknown>[] {
  return readdirSync(DEPLOY)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(DEPLOY, f), "utf8")).map((d) => d.toJS() as Record<string, unknown>));
}

function entryScript(name: string): string {
  const cm = documents().find((d) => d["kind"] === "ConfigMap") as { data: Record<string, string> };
  return cm.data[name] ?? "";
}

describe("deploy/ manifests", () => {
  it("the ClusterRole reads only: no secrets, no configmaps, no write verb", () => {
    const role = documents().find((d) => d["kind"] === "ClusterRole") as { rules: { resources?: string[]; verbs: string[] }[] };
    const resources = role.rules.flatMap((r) => r.resources ?? []);
    expect(resources).not.toContain("secrets");
    expect(resources).not.toContain("configmaps");
    expect(resources).toEqual(expect.arrayContaining(["pods", "events", "nodes", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "horizontalpodautoscalers", "poddisruptionbudgets"]));
    for (const verb of role.rules.flatMap((r) => r.verbs)) expect(["get", "list", "watch"]).toContain(verb);
  });

  it("the CronJob runs weekly with the ServiceAccount and mounts (never inlines) the git credentials", () => {
    const cron = documents().find((d) => d["kind"] === "CronJob") as { spec: { schedule: string; jobTemplate: { spec: { template: { spec: { serviceAccountName: string; volumes: { secret?: { secretName: string } }[] } } } } } };
    expect(cron.spec.schedule).toBe("0 6 * * 1");
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe("aiops-report");
    expect(pod.volumes.some((v) => v.secret?.secretName === "aiops-history-git")).toBe(true);
    expect(documents().some((d) => d["kind"] === "Secret")).toBe(false);
  });

  it("the entry script pushes its report, rebasing its own commit when another push came first", () => {
    const root = mkdtempSync(path.join(tmpdir(), "aiops-deploy-"));
    const origin = path.join(root, "origin.git");
    execFileSync("git", ["init", "-q", "--bare", "-b", "main", origin], { env: testGitEnv() });
    const seed = path.join(root, "seed");
    execFileSync("git", ["clone", "-q", origin, seed], { env: testGitEnv() });
    git(seed, "config", "user.name", "Seed");
    git(seed, "config", "user.email", "seed@example.com");
    writeFileSync(path.join(seed, "README.md"), "history\n");
    git(seed, "add", "README.md");
    git(seed, "commit", "-q", "-m", "init");
    git(seed, "push", "-q", "origin", "HEAD:main");
    // A stand-in plugin: commits a report, and makes someone else push first, once.
    const bin = path.join(root, "bin");
    execFileSync("mkdir", ["-p", bin]);
    writeFileSync(
      path.join(bin, "kubectl-aiops"),
      `#!/bin/sh\nset -e\nmkdir -p "$AIOPS_HISTORY_DIR/reports/weekly"\necho report > "$AIOPS_HISTORY_DIR/reports/weekly/r.report.md"\ngit add -A && git commit -q -m "aiops(report): weekly"\ncd ${JSON.stringify(seed)} && echo other > other.md && git add other.md && git commit -q -m other && git push -q origin HEAD:main\n`,
    );
    chmodSync(path.join(bin, "kubectl-aiops"), 0o755);
    const script = path.join(root, "report.sh");
    writeFileSync(script, entryScript("report.sh"));
    writeFileSync(path.join(root, "common.sh"), entryScript("common.sh"));
    const run = spawnSync("/bin/sh", [script], {
      env: { ...testGitEnv(), PATH: `${bin}:${process.env["PATH"] ?? ""}`, AIOPS_HISTORY_REPO: origin, AIOPS_PUSH_BACKOFF_SECONDS: "0", AIOPS_SCRIPTS: root, TMPDIR: root },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("pushed");
    const log = execFileSync("git", ["--git-dir", origin, "log", "--format=%s", "main"], { encoding: "utf8" }).trim().split("\n");
    expect(log).toEqual(["aiops(report): weekly", "other", "init"]);
  });
});
