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
// AIOPS_RELEASE_TARBALL stays too: report.sh uses it only when the image lacks kubectl-aiops.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { git, testGitEnv } from "../helpers/gitdir.ts";
import { describeTestbed } from "./suite.ts";
import { ROOT, kubectl, readTestbedEnv } from "./testbed.ts";

const NAMESPACE = "aiops-system";
const IMAGE = "127.0.0.1:5000/kubectl-aiops:dev";
const NODE_ADDRESS = "10.245.1.1";
const REAL_NODE = "real-node-0";
const JOB = `report-e2e-${process.pid}`;
const CLUSTER_OBJECTS = ["clusterrole/aiops-report-reader", "clusterrolebinding/aiops-report-reader"];
const JOB_TIMEOUT_MS = 300_000;

type Obj = Record<string, unknown>;

/** kubectl reads YAML 1.1 (sigs.k8s.io/yaml): `defaultMode: 0555` is octal there, 555 in 1.2. */
const YAML_11 = { version: "1.1" } as const;

function deployDocuments(): Obj[] {
  const dir = path.join(ROOT, "deploy");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(dir, f), "utf8"), YAML_11).map((d) => d.toJS() as Obj));
}

interface Container { image: string; env: { name: string; value?: string }[] }
interface PodSpec { containers: Container[]; nodeSelector?: Record<string, string>; tolerations?: unknown[] }
const podSpecOf = (cron: Obj): PodSpec => (cron as { spec: { jobTemplate: { spec: { template: { spec: PodSpec } } } } }).spec.jobTemplate.spec.template.spec;

/** deploy/ with the three changes of the header, nothing else. */
function forTestbed(docs: Obj[], repoUrl: string): Obj[] {
  return docs.map((doc) => {
    if (doc["kind"] !== "CronJob") return doc;
    const cron = structuredClone(doc);
    const pod = podSpecOf(cron);
    const container = pod.containers[0];
    if (container === undefined) throw new Error("the CronJob has no container");
    container.image = IMAGE;
    const repo = container.env.find((e) => e.name === "AIOPS_HISTORY_REPO");
    if (repo === undefined) throw new Error("the CronJob has no AIOPS_HISTORY_REPO");
    repo.value = repoUrl;
    pod.nodeSelector = { "aiops.dev/real-node": "true" };
    pod.tolerations = [{ key: "aiops.dev/real-node", operator: "Exists", effect: "NoSchedule" }];
    return cron;
  });
}

/** The paths where two JSON values differ ("a.b[0].c"). */
function differences(a: unknown, b: unknown, at = ""): string[] {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return Object.is(a, b) ? [] : [at];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differences((a as Obj)[k], (b as Obj)[k], Array.isArray(a) ? `${at}[${k}]` : at === "" ? k : `${at}.${k}`));
}

function ok(args: string[], timeoutMs?: number): string {
  const result = kubectl(args, timeoutMs === undefined ? {} : { timeoutMs });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

const exists = (what: string, namespace?: string): boolean => kubectl(["get", what, ...(namespace === undefined ? [] : ["-n", namespace]), "-o", "name"]).status === 0;

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function freePort(host: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function connects(host: string, port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
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
  let work = "";
  let bare = "";
  let daemon: ChildProcess | undefined;
  let daemonLog = "";
  let repoUrl = "";
  let seedCommit = "";
  let createdNamespace = false;
  const createdClusterObjects: string[] = [];
  let applied: Obj[] = [];
  let clone = "";

  beforeAll(async () => {
    const env = readTestbedEnv() ?? {};
    const nodeBin = env["TESTBED_NODE_BIN"];
    const containerd = env["CONTAINERD_ADDRESS"];
    if (nodeBin === undefined || containerd === undefined) throw new Error("the test bed has no real node (TESTBED_NODE_BIN, CONTAINERD_ADDRESS missing from .testbed/env)");

    // 1. the image: built (or found in the cache) by the test bed's script, imported as the
    // node's other images are
    const build = spawnSync("bash", [path.join(ROOT, "scripts/testbed/build-report-image.sh")], { cwd: ROOT, encoding: "utf8", timeout: 540_000 });
    if (build.status !== 0) throw new Error(`scripts/testbed/build-report-image.sh exited ${build.status}:\n${build.stderr}`);
    const archive = build.stdout.trim().split("\n").at(-1) ?? "";
    const ctr = (...args: string[]) => spawnSync(path.join(nodeBin, "ctr"), ["--address", containerd, "-n", "k8s.io", ...args], { encoding: "utf8", timeout: 300_000 });
    const imported = ctr("images", "import", "--all-platforms", archive);
    if (imported.status !== 0) throw new Error(`ctr images import ${archive}: ${imported.stderr}`);
    expect(ctr("images", "ls", "-q").stdout.split("\n")).toContain(IMAGE);

    // 2. the history's remote: a bare repository with one commit holding history/, served by
    // git daemon on the node address (pods reach it; they never reach the host's 127.0.0.1)
    work = realpathSync(mkdtempSync(path.join(tmpdir(), "aiops-report-cronjob-")));
    const served = path.join(work, "served");
    bare = path.join(served, "history.git");
    mkdirSync(served);
    git(work, "init", "-q", "--bare", "-b", "main", bare);
    const seed = path.join(work, "seed");
    mkdirSync(path.join(seed, "history"), { recursive: true });
    git(seed, "init", "-q", "-b", "main");
    writeFileSync(path.join(seed, "history", "README.md"), "Decisions and reports of kubectl aiops.\n");
    git(seed, "add", "-A");
    git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "history: start");
    git(seed, "push", "-q", bare, "HEAD:main");
    seedCommit = git(seed, "rev-parse", "HEAD");
    const port = await freePort(NODE_ADDRESS);
    daemon = spawn("git", ["daemon", `--listen=${NODE_ADDRESS}`, `--port=${port}`, "--reuseaddr", "--export-all", "--enable=receive-pack", "--informative-errors", "--verbose", `--base-path=${served}`, served], {
      env: testGitEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    daemon.stdout?.on("data", (d: Buffer) => (daemonLog += d.toString()));
    daemon.stderr?.on("data", (d: Buffer) => (daemonLog += d.toString()));
    const deadline = Date.now() + 15_000;
    while (!(await connects(NODE_ADDRESS, port))) {
      if (daemon.exitCode !== null || Date.now() > deadline) throw new Error(`git daemon did not listen on ${NODE_ADDRESS}:${port}:\n${daemonLog}`);
      await sleep(200);
    }
    repoUrl = `git://${NODE_ADDRESS}:${port}/history.git`;

    // 3. deploy/ into the cluster. aiops-system must be free: report.test.ts creates it for a
    // moment (dry run) when absent, and deletes it without waiting.
    const nsDeadline = Date.now() + 120_000;
    while (exists(`namespace/${NAMESPACE}`)) {
      if (Date.now() > nsDeadline) throw new Error(`namespace ${NAMESPACE} exists (and is not going away): this test applies deploy/ there and deletes it afterwards; delete it first if it is a leftover`);
      await sleep(1000);
    }
    for (const obj of CLUSTER_OBJECTS) if (!exists(obj)) createdClusterObjects.push(obj);
    createdNamespace = true;
    applied = forTestbed(deployDocuments(), repoUrl);
    const apply = kubectl(["apply", "-f", "-"], { input: applied.map((d) => stringify(d, YAML_11)).join("---\n") });
    if (apply.status !== 0) throw new Error(`kubectl apply: ${apply.stderr}`);
    // the git credentials the CronJob mounts: git:// needs none, so the Secret is empty
    ok(["create", "secret", "generic", "aiops-history-git", "-n", NAMESPACE]);
  });

  afterAll(async () => {
    if (daemon !== undefined && daemon.exitCode === null) {
      daemon.kill("SIGTERM");
      await new Promise((resolve) => {
        if (daemon?.exitCode !== null) resolve(undefined);
        daemon?.once("exit", resolve);
        setTimeout(resolve, 5000);
      });
    }
    kubectl(["delete", "job", JOB, "-n", NAMESPACE, "--ignore-not-found", "--cascade=foreground", "--wait=true"], { timeoutMs: 120_000 });
    // wait for the namespace to be gone: report.test.ts dry-runs deploy/ into it next
    if (createdNamespace) kubectl(["delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true"], { timeoutMs: 180_000 });
    for (const obj of createdClusterObjects) kubectl(["delete", obj, "--ignore-not-found"]);
    if (work !== "") rmSync(work, { recursive: true, force: true });
  }, 300_000);

  it("applies deploy/ as shipped but for the image, the repository URL and the real node's placement", () => {
    const shipped = deployDocuments();
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
        throw new Error(`job ${JOB} failed\n${jobDiagnostics()}\ngit daemon:\n${daemonLog}`);
      }
      if (Date.now() > deadline) throw new Error(`job ${JOB} did not succeed within ${JOB_TIMEOUT_MS / 1000}s\n${jobDiagnostics()}\ngit daemon:\n${daemonLog}`);
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
    const dir = path.join(work, "clone");
    const cloned = spawnSync("git", ["clone", "-q", "--branch", "main", repoUrl, dir], { env: testGitEnv(), encoding: "utf8", timeout: 60_000 });
    expect(cloned.status, cloned.stderr).toBe(0);
    clone = dir;
    const log = git(clone, "log", "--format=%H %P|%an <%ae>|%cn <%ce>|%s", "main").split("\n");
    expect(log).toHaveLength(2);
    const [head, parent] = (log[0] ?? "").split("|")[0]?.split(" ") ?? [];
    expect(parent).toBe(seedCommit);
    // the identity report.sh configures, for author and committer
    expect(log[0]?.split("|").slice(1, 3)).toEqual(["kubectl-aiops report <aiops-report@cluster.local>", "kubectl-aiops report <aiops-report@cluster.local>"]);
    const files = git(clone, "show", "--name-status", "--format=", head ?? "HEAD").split("\n");
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^A\thistory\/reports\/weekly\/[0-9A-Z]{26}-weekly-health-report-[^/]*\.report\.md$/);
    // the remote's branch is that commit
    const remote = spawnSync("git", ["--git-dir", bare, "rev-parse", "main"], { encoding: "utf8" }).stdout.trim();
    expect(remote).toBe(head);

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
