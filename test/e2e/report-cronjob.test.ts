// The weekly report's CronJob of deploy/, as shipped, run in the test bed on the real node from
// an image built here (scripts/testbed/report-image.sh): the job clones a history repository
// served by `git daemon` on the node address, writes the report as the aiops-report
// ServiceAccount and pushes the record back.
//
// Changed from deploy/ (in memory, on the parsed YAML; the files stay as shipped), and nothing
// else, which the first test checks:
// - the container image: the one built here, imported into the node's containerd;
// - AIOPS_HISTORY_REPO: git:// on the node address (no GitHub, no ssh key here);
// - the pod's nodeSelector and toleration for the real node (the kwok nodes run no containers).
// AIOPS_PROMETHEUS stays as shipped (http://prometheus.monitoring:9090): pods here have no DNS,
// and `report` then falls back to metrics-server and says so, which is what this checks.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { git, testGitEnv } from "../helpers/gitdir.ts";
import { GitRemote, IMAGE, NAMESPACE, REAL_NODE, YAML_11, clusterObjectsOf, deployDocuments, differences, exists, importImage, ok, placeOnRealNode, removeDeployed, sleep, waitForNamespaceFree, type Obj, type PodSpec } from "./deploy-testbed.ts";
import { describeTestbed } from "./suite.ts";
import { kubectl } from "./testbed.ts";

const JOB = `report-e2e-${process.pid}`;
const JOB_TIMEOUT_MS = 300_000;

const podSpecOf = (cron: Obj): PodSpec => (cron as { spec: { jobTemplate: { spec: { template: { spec: PodSpec } } } } }).spec.jobTemplate.spec.template.spec;

/** deploy/ but for the watch Deployment (watch-deployment.test.ts runs it): its replicas need not run beside the job. */
const reportDocuments = (): Obj[] => deployDocuments().filter((d) => d["kind"] !== "Deployment");

/** deploy/ with the three changes of the header, nothing else. */
function forTestbed(docs: Obj[], repoUrl: string): Obj[] {
  return docs.map((doc) => {
    if (doc["kind"] !== "CronJob") return doc;
    const cron = structuredClone(doc);
    placeOnRealNode(podSpecOf(cron), repoUrl);
    return cron;
  });
}

/** What a failed or stuck job left: its pods' state, their logs, the namespace's events. */
function jobDiagnostics(): string {
  const pods = kubectl(["get", "pods", "-n", NAMESPACE, "-l", `job-name=${JOB}`, "-o", "wide"]);
  const statuses = kubectl(["get", "pods", "-n", NAMESPACE, "-l", `job-name=${JOB}`, "-o", "jsonpath={range .items[*]}{.metadata.name}: {.status.containerStatuses}{\"\\n\"}{end}"]);
  const logs = kubectl(["logs", "-n", NAMESPACE, "-l", `job-name=${JOB}`, "--all-containers", "--prefix", "--tail=200"]);
  const events = kubectl(["get", "events", "-n", NAMESPACE, "--sort-by=.lastTimestamp"]);
  return [
    `pods:\n${pods.stdout}${pods.stderr}`,
    `container statuses:\n${statuses.stdout}`,
    `logs:\n${logs.stdout}${logs.stderr}`,
    `events:\n${events.stdout}${events.stderr}`,
  ].join("\n");
}

interface JobStatus { succeeded?: number; failed?: number; conditions?: { type: string; status: string }[] }

describeTestbed("the weekly report CronJob of deploy/ on the real node", () => {
  const remote = new GitRemote("aiops-report-cronjob-");
  let createdNamespace = false;
  let createdClusterObjects: string[] = [];
  let applied: Obj[] = [];
  let clone = "";

  beforeAll(async () => {
    // 1. the image, 2. the history's remote (deploy-testbed.ts)
    importImage();
    await remote.start();
    // 3. deploy/ into the cluster
    await waitForNamespaceFree();
    applied = forTestbed(reportDocuments(), remote.url);
    createdClusterObjects = clusterObjectsOf(applied).filter((obj) => !exists(obj));
    createdNamespace = true;
    const apply = kubectl(["apply", "-f", "-"], { input: applied.map((d) => stringify(d, YAML_11)).join("---\n") });
    if (apply.status !== 0) throw new Error(`kubectl apply: ${apply.stderr}`);
    // the git credentials the CronJob mounts: git:// needs none, so the Secret is empty
    ok(["create", "secret", "generic", "aiops-history-git", "-n", NAMESPACE]);
  });

  afterAll(async () => {
    kubectl(["delete", "job", JOB, "-n", NAMESPACE, "--ignore-not-found", "--cascade=foreground", "--wait=true"], { timeoutMs: 120_000 });
    if (createdNamespace) removeDeployed(createdClusterObjects);
    await remote.stop();
  }, 300_000);

  it("applies deploy/ as shipped but for the image, the repository URL and the real node's placement", () => {
    const shipped = reportDocuments();
    expect(applied.map((d) => d["kind"])).toEqual(shipped.map((d) => d["kind"]));
    const changed = applied.flatMap((d, i) => differences(shipped[i], d).map((p) => `${String(d["kind"])}:${p}`));
    const pod = "CronJob:spec.jobTemplate.spec.template.spec";
    const env = (podSpecOf(shipped.find((d) => d["kind"] === "CronJob") ?? {}).containers[0]?.env ?? []).findIndex((e) => e.name === "AIOPS_HISTORY_REPO");
    expect(changed.sort()).toEqual([`${pod}.containers[0].env[${env}].value`, `${pod}.containers[0].image`, `${pod}.nodeSelector`, `${pod}.tolerations`].sort());
  });

  it("runs a job of the CronJob on the real node to success", async () => {
    ok(["create", "job", `--from=cronjob/aiops-weekly-report`, JOB, "-n", NAMESPACE]);
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    for (;;) {
      const status = JSON.parse(ok(["get", "job", JOB, "-n", NAMESPACE, "-o", "jsonpath={.status}"]) || "{}") as JobStatus;
      if ((status.succeeded ?? 0) >= 1) break;
      // one failed pod is enough to know (the Job would retry it twice)
      if ((status.failed ?? 0) >= 1 || status.conditions?.some((c) => c.type === "Failed" && c.status === "True")) {
        throw new Error(`job ${JOB} failed\n${jobDiagnostics()}\ngit daemon:\n${remote.log}`);
      }
      if (Date.now() > deadline) throw new Error(`job ${JOB} did not succeed within ${JOB_TIMEOUT_MS / 1000}s\n${jobDiagnostics()}\ngit daemon:\n${remote.log}`);
      await sleep(2000);
    }
    const pod = JSON.parse(ok(["get", "pods", "-n", NAMESPACE, "-l", `job-name=${JOB}`, "-o", "json"])) as { items: { spec: { nodeName?: string; containers: { image: string }[] } }[] };
    expect(pod.items.map((p) => p.spec.nodeName)).toEqual([REAL_NODE]);
    expect(pod.items[0]?.spec.containers[0]?.image).toBe(IMAGE);
    const logs = ok(["logs", "-n", NAMESPACE, `job/${JOB}`]);
    // report.sh's last line: "pushed <short sha> <subject>"
    expect(logs).toMatch(/^pushed [0-9a-f]{7,} /m);
  }, JOB_TIMEOUT_MS + 30_000);

  it("pushed one commit holding one weekly report record, written as the ServiceAccount", () => {
    const dir = path.join(remote.work, "clone");
    const cloned = spawnSync("git", ["clone", "-q", "--branch", "main", remote.url, dir], { env: testGitEnv(), encoding: "utf8", timeout: 60_000 });
    expect(cloned.status, cloned.stderr).toBe(0);
    clone = dir;
    const log = git(clone, "log", "--format=%H %P|%an <%ae>|%cn <%ce>|%s", "main").split("\n");
    expect(log).toHaveLength(2);
    const [head, parent] = (log[0] ?? "").split("|")[0]?.split(" ") ?? [];
    expect(parent).toBe(remote.seedCommit);
    // the identity report.sh configures, for author and committer
    expect(log[0]?.split("|").slice(1, 3)).toEqual(["kubectl-aiops report <aiops-report@cluster.local>", "kubectl-aiops report <aiops-report@cluster.local>"]);
    const files = git(clone, "show", "--name-status", "--format=", head ?? "HEAD").split("\n");
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^A\thistory\/reports\/weekly\/[0-9A-Z]{26}-weekly-health-report-[^/]*\.report\.md$/);
    // the remote's branch is that commit
    expect(remote.git("rev-parse", "main")).toBe(head);

    const record = readFileSync(path.join(clone, (files[0] ?? "").slice(2)), "utf8");
    expect(record.startsWith("---\n")).toBe(true);
    const frontMatter = parse(record.slice(4, record.indexOf("\n---\n", 4))) as { stage: string; user: { cluster: string; git: string }; cluster: { context: string }; labels: Record<string, string> };
    expect(frontMatter.stage).toBe("report");
    expect(frontMatter.user).toEqual({ cluster: `system:serviceaccount:${NAMESPACE}:aiops-report`, git: "kubectl-aiops report <aiops-report@cluster.local>" });
    expect(frontMatter.cluster.context).toBe("in-cluster");
    expect(frontMatter.labels).toMatchObject({ period: "weekly", metrics_source: "metrics-server" });
    // no DNS for prometheus.monitoring here: the report fell back to metrics-server and says so
    expect(record).toContain("Note: Prometheus (--prometheus) failed: cannot reach Prometheus at http://prometheus.monitoring:9090");
  });

  it("the clone passes kubectl aiops audit verify", () => {
    expect(clone, "no clone: see the test before").not.toBe("");
    const verify = kubectl(["aiops", "audit", "verify", "--history-dir", path.join(clone, "history")]);
    expect(verify.status, `${verify.stdout}${verify.stderr}`).toBe(0);
    expect(`${verify.stdout}${verify.stderr}`).toMatch(/audit verify: 1 records, \d+ commits, chain intact/);
  });
});
