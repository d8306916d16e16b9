// What the suites that run deploy/ on the test bed's real node share (report-cronjob.test.ts,
// watch-deployment.test.ts): deploy/'s documents, the image built and imported into the node's
// containerd, a history remote served by `git daemon` on the node address, and the cleanup of
// the namespace and the cluster-scoped objects applying deploy/ created.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { git, testGitEnv } from "../helpers/gitdir.ts";
import { ROOT, kubectl, readTestbedEnv } from "./testbed.ts";
import { imageManifest } from "../../scripts/release/pin-image.mjs";

export const NAMESPACE = "aiops-system";
export const IMAGE = "127.0.0.1:5000/kubectl-aiops:dev";
export const NODE_ADDRESS = "10.245.1.1";
export const REAL_NODE = "real-node-0";

export type Obj = Record<string, unknown>;

/** kubectl reads YAML 1.1 (sigs.k8s.io/yaml): `defaultMode: 0555` is octal there, 555 in 1.2. */
export const YAML_11 = { version: "1.1" } as const;

export function deployDocuments(): Obj[] {
  const dir = path.join(ROOT, "deploy");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(dir, f), "utf8"), YAML_11).map((d) => d.toJS() as Obj));
}

/** "kind/name" of the cluster-scoped objects among `docs` (what deleting the namespace leaves). */
export function clusterObjectsOf(docs: readonly Obj[]): string[] {
  return docs
    .filter((d) => ["ClusterRole", "ClusterRoleBinding"].includes(String(d["kind"])))
    .map((d) => `${String(d["kind"]).toLowerCase()}/${String((d["metadata"] as { name: string }).name)}`);
}

export interface Container { image: string; env: { name: string; value?: string }[] }
export interface PodSpec { containers: Container[]; nodeSelector?: Record<string, string>; tolerations?: unknown[] }

/** The three changes every run of deploy/ here makes to a pod: the image built here, the repository URL, the real node's placement. */
export function placeOnRealNode(pod: PodSpec, repoUrl: string): void {
  const container = pod.containers[0];
  if (container === undefined) throw new Error("the pod template has no container");
  container.image = IMAGE;
  const repo = container.env.find((e) => e.name === "AIOPS_HISTORY_REPO");
  if (repo === undefined) throw new Error("the pod template has no AIOPS_HISTORY_REPO");
  repo.value = repoUrl;
  pod.nodeSelector = { "aiops.dev/real-node": "true" };
  pod.tolerations = [{ key: "aiops.dev/real-node", operator: "Exists", effect: "NoSchedule" }];
}

/** The paths where two JSON values differ ("a.b[0].c"). */
export function differences(a: unknown, b: unknown, at = ""): string[] {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return Object.is(a, b) ? [] : [at];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differences((a as Obj)[k], (b as Obj)[k], Array.isArray(a) ? `${at}[${k}]` : at === "" ? k : `${at}.${k}`));
}

export function ok(args: string[], timeoutMs?: number): string {
  const result = kubectl(args, timeoutMs === undefined ? {} : { timeoutMs });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

export const exists = (what: string, namespace?: string): boolean => kubectl(["get", what, ...(namespace === undefined ? [] : ["-n", namespace]), "-o", "name"]).status === 0;

export async function sleep(ms: number): Promise<void> {
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

/**
 * The image of deploy/'s pods, built (or found in the cache) by the test bed's script and imported
 * into the real node's containerd as the node's other images are.
 */
export function importImage(): void {
  const env = readTestbedEnv() ?? {};
  const nodeBin = env["TESTBED_NODE_BIN"];
  const containerd = env["CONTAINERD_ADDRESS"];
  if (nodeBin === undefined || containerd === undefined) throw new Error("the test bed has no real node (TESTBED_NODE_BIN, CONTAINERD_ADDRESS missing from .testbed/env)");
  const build = spawnSync("bash", [path.join(ROOT, "scripts/testbed/build-report-image.sh")], { cwd: ROOT, encoding: "utf8", timeout: 540_000 });
  if (build.status !== 0) throw new Error(`scripts/testbed/build-report-image.sh exited ${build.status}:\n${build.stderr}`);
  const archive = build.stdout.trim().split("\n").at(-1) ?? "";
  const files = imageFiles(archive);
  // The release image: the self-contained binary, and no Node anywhere in it.
  if (!files.includes("usr/local/bin/kubectl-aiops")) throw new Error(`${archive} has no /usr/local/bin/kubectl-aiops`);
  const node = files.filter((f) => /(^|\/)(node|nodejs|npm)$/.test(f) || f.includes("node_modules/"));
  if (node.length > 0) throw new Error(`${archive} holds Node: ${node.slice(0, 5).join(", ")}`);
  const ctr = (...args: string[]) => spawnSync(path.join(nodeBin, "ctr"), ["--address", containerd, "-n", "k8s.io", ...args], { encoding: "utf8", timeout: 300_000 });
  const imported = ctr("images", "import", "--all-platforms", archive);
  if (imported.status !== 0) throw new Error(`ctr images import ${archive}: ${imported.stderr}`);
  if (!ctr("images", "ls", "-q").stdout.split("\n").includes(IMAGE)) throw new Error(`${IMAGE} is not in the node's containerd after the import`);
}

/** The paths of every layer of the one image in an OCI archive (without a leading "./" or "/"). */
export function imageFiles(archive: string): string[] {
  return imageManifest(archive).manifest.layers.flatMap((layer) => {
    const listing = spawnSync("sh", ["-c", 'tar -xOf "$0" "$1" | tar -t', archive, `blobs/sha256/${layer.digest.slice("sha256:".length)}`], { encoding: "utf8", maxBuffer: 1 << 28 });
    if (listing.status !== 0) throw new Error(`cannot list layer ${layer.digest} of ${archive}: ${listing.stderr}`);
    return listing.stdout.split("\n").filter((line) => line !== "").map((line) => line.replace(/^\.?\//, ""));
  });
}

/**
 * The history's remote: a bare repository with one commit holding history/, served by git daemon
 * on the node address (pods reach it; they never reach the host's 127.0.0.1), pushes allowed.
 */
export class GitRemote {
  readonly work: string;
  readonly bare: string;
  url = "";
  port = 0;
  seedCommit = "";
  log = "";
  private daemon: ChildProcess | undefined;

  constructor(prefix: string) {
    this.work = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
    this.bare = path.join(this.work, "served", "history.git");
  }

  async start(): Promise<void> {
    const served = path.dirname(this.bare);
    mkdirSync(served);
    git(this.work, "init", "-q", "--bare", "-b", "main", this.bare);
    const seed = path.join(this.work, "seed");
    mkdirSync(path.join(seed, "history"), { recursive: true });
    git(seed, "init", "-q", "-b", "main");
    writeFileSync(path.join(seed, "history", "README.md"), "Decisions and reports of kubectl aiops.\n");
    git(seed, "add", "-A");
    git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "history: start");
    git(seed, "push", "-q", this.bare, "HEAD:main");
    this.seedCommit = git(seed, "rev-parse", "HEAD");
    this.port = await freePort(NODE_ADDRESS);
    this.daemon = spawn("git", ["daemon", `--listen=${NODE_ADDRESS}`, `--port=${this.port}`, "--reuseaddr", "--export-all", "--enable=receive-pack", "--informative-errors", "--verbose", `--base-path=${served}`, served], {
      env: testGitEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.daemon.stdout?.on("data", (d: Buffer) => (this.log += d.toString()));
    this.daemon.stderr?.on("data", (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 15_000;
    while (!(await connects(NODE_ADDRESS, this.port))) {
      if (this.daemon.exitCode !== null || Date.now() > deadline) throw new Error(`git daemon did not listen on ${NODE_ADDRESS}:${this.port}:\n${this.log}`);
      await sleep(200);
    }
    this.url = `git://${NODE_ADDRESS}:${this.port}/history.git`;
  }

  /** git in the bare repository. */
  git(...args: string[]): string {
    const result = spawnSync("git", ["--git-dir", this.bare, ...args], { env: testGitEnv(), encoding: "utf8" });
    if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim();
  }

  async stop(): Promise<void> {
    const daemon = this.daemon;
    if (daemon !== undefined && daemon.exitCode === null) {
      daemon.kill("SIGTERM");
      await new Promise((resolve) => {
        if (daemon.exitCode !== null) resolve(undefined);
        daemon.once("exit", resolve);
        setTimeout(resolve, 5000);
      });
    }
    rmSync(this.work, { recursive: true, force: true });
  }
}

/**
 * Waits until aiops-system is gone: the suites apply deploy/ there and delete it afterwards, and
 * report.test.ts creates it for a moment (dry run) when absent, deleting it without waiting.
 */
export async function waitForNamespaceFree(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (exists(`namespace/${NAMESPACE}`)) {
    if (Date.now() > deadline) throw new Error(`namespace ${NAMESPACE} exists (and is not going away): this test applies deploy/ there and deletes it afterwards; delete it first if it is a leftover`);
    await sleep(1000);
  }
}

/** Deletes aiops-system (waiting: the next suite applies deploy/ there) and the cluster objects we created. */
export function removeDeployed(createdClusterObjects: readonly string[]): void {
  kubectl(["delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true"], { timeoutMs: 180_000 });
  for (const obj of createdClusterObjects) kubectl(["delete", obj, "--ignore-not-found"]);
}
