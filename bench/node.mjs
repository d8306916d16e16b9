// The real node of the test bed, measured (scripts/testbed/README.md; the loop itself is tested in
// test/e2e/chaos-loop.test.ts):
//
//   a. the chaos loop, N times (fresh namespace and history each run): `testbed chaos bad-env`
//      breaks the demo Deployment, a running `kubectl aiops watch` records it (MTTD: its
//      mttd_seconds), alice proposes `rollback deployment/demo`, bob approves and applies with the
//      verify window (default 2m, the policy's default), and `audit stats` gives the MTTR
//      (approval -> verified); also break -> verified wall time. No human delay is included:
//      propose and approve run the moment the watch reports.
//   b. `kubectl apply` of a demo-app Deployment (1 replica, the real node) -> its pod Running and
//      ready, N times, beside `kubectl get pods` on the same cluster (one API round trip).
//   c. RSS of kubelet and containerd (.testbed/pids, /proc/PID/status VmRSS), sampled every second
//      while a and b run, after 10 s idle.
//   d. the first build of the node parts and the cached `up` -> real node Ready, read from the
//      build logs and .testbed/logs when they are there ("not measured here" otherwise). This
//      file never runs `testbed up` or `down`: the test bed must already run.
//
//   node bench/node.mjs [--runs N] [--verify-window 2m]   standalone: Markdown rows on stdout,
//                                                         progress on stderr, bench/results/node.json
//   node bench/run.mjs --node (or --live)                 through nodeBenchmarks below
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchTools, historyRepo, readEnvFile } from "./lib.mjs";

const log = (m) => console.error(`[node ${new Date().toISOString().slice(11, 19)}] ${m}`);
const POLICY = "approvers: [alice, bob]\nsecurityReviewers: [sec]\n";
const REAL_NODE = "real-node-0";
const GOAL_MTTD_S = 60;
const GOAL_MTTR_S = 300;

/** Runs a command without blocking the event loop (the RSS sampler keeps ticking). */
function run(command, args, { env, input, timeoutMs = 600_000, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status: status ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? "");
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(200);
  }
}

/** VmRSS (KiB) of the processes named in .testbed/pids, every second. */
class RssSampler {
  constructor(pidsDir, names) {
    this.pidsDir = pidsDir;
    this.names = names;
    this.samples = Object.fromEntries(names.map((n) => [n, []]));
    this.sums = [];
    this.timer = undefined;
  }
  read(name) {
    try {
      const pid = readFileSync(path.join(this.pidsDir, `${name}.pid`), "utf8").trim();
      const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      return kib === undefined ? undefined : Number(kib);
    } catch {
      return undefined;
    }
  }
  sample() {
    let sum = 0;
    for (const n of this.names) {
      const v = this.read(n);
      if (v === undefined) return;
      this.samples[n].push(v);
      sum += v;
    }
    this.sums.push(sum);
  }
  start() {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }
  stop() {
    clearInterval(this.timer);
  }
}

/** `kubectl aiops watch -o json` as its own process. */
class Watch {
  constructor(kubectl, args, env) {
    this.lines = [];
    this.stderr = "";
    this.child = spawn(kubectl, ["aiops", "watch", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let buffer = "";
    this.child.stdout.on("data", (chunk) => {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const part of parts) if (part.trim() !== "") this.lines.push({ ...JSON.parse(part), receivedMs: Date.now() });
    });
    this.child.stderr.on("data", (chunk) => (this.stderr += chunk));
  }
  async waitFor(what, probe, timeoutMs) {
    return waitFor(what, () => {
      if (this.child.exitCode !== null) throw new Error(`watch exited ${this.child.exitCode} while waiting for ${what}: ${this.stderr}`);
      return probe();
    }, timeoutMs).catch((error) => {
      throw new Error(`${error.message}\nwatch stderr:\n${this.stderr}`);
    });
  }
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

function demoDeployment(namespace, name) {
  // as scripts/testbed/chaos.sh makes it, with 1 replica
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: ${name}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      nodeSelector: {aiops.dev/real-node: "true"}
      tolerations: [{key: aiops.dev/real-node, operator: Exists, effect: NoSchedule}]
      terminationGracePeriodSeconds: 2
      containers:
      - name: ${name}
        image: 127.0.0.1:5000/demo:1
        imagePullPolicy: IfNotPresent
        env: [{name: DEMO_MEMORY_MB, value: "40"}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 2}
        livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 5, failureThreshold: 2}
        resources: {requests: {cpu: 20m, memory: 64Mi}, limits: {memory: 128Mi}}
`;
}

const seconds = (ms) => Math.round(ms / 100) / 10;
const fmtS = (s) => (s >= 120 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s * 10) / 10} s`);
const range = (values) => `${fmtS(Math.min(...values))}–${fmtS(Math.max(...values))}`;
const mib = (kib) => Math.round(kib / 1024);

// ------------------------------------------------------------------------------- d. the logs

/** `[testbed build HH:MM:SS] ...` lines of a build log: [{ secondsOfDay, text }]. */
function buildLines(file) {
  const out = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^\[testbed build (\d\d):(\d\d):(\d\d)\] (.*)$/.exec(line);
    if (m) out.push({ at: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]), text: m[4] });
  }
  return out;
}

/** The first build of the node parts, from the cache's build-logs/ (see scripts/testbed.sh cmd_build). */
export function nodeBuildFromLogs(cacheDir) {
  const dir = path.join(cacheDir, "build-logs");
  if (!existsSync(dir)) return { text: `not measured here (no ${dir})` };
  const parts = [];
  const missing = [];
  const runtime = path.join(dir, "node-runtime.log");
  const runtimeBuilt = existsSync(runtime) ? buildLines(runtime).find((l) => /^node runtime built in (\d+)s$/.test(l.text)) : undefined;
  if (runtimeBuilt) parts.push(`containerd + runc + crictl ${/(\d+)s$/.exec(runtimeBuilt.text)[1]} s`);
  else missing.push("containerd/runc/crictl (no node-runtime.log)");
  const k8s = path.join(dir, "kubernetes.log");
  const control = [];
  if (existsSync(k8s)) {
    const lines = buildLines(k8s);
    for (const bin of ["kubelet", "kube-proxy"]) {
      const i = lines.findIndex((l) => l.text === `go build ${bin} (-p 2)` || l.text.startsWith(`go build ${bin} `));
      const next = i >= 0 ? lines[i + 1] : undefined;
      if (next) parts.push(`${bin} ${next.at - lines[i].at} s`);
      else missing.push(`${bin} (not in kubernetes.log)`);
    }
    const total = lines.find((l) => /^kubernetes built in \d+s$/.test(l.text));
    if (total) control.push(`kubernetes (all its binaries) ${/(\d+)s$/.exec(total.text)[1]} s`);
  } else missing.push("kubelet, kube-proxy (no kubernetes.log)");
  for (const name of ["etcd", "kwok", "metrics-server"]) {
    const f = path.join(dir, `${name}.log`);
    const built = existsSync(f) ? buildLines(f).find((l) => / built in \d+s$/.test(l.text)) : undefined;
    if (built) control.push(`${name} ${/(\d+)s$/.exec(built.text)[1]} s`);
  }
  // the demo app and pause images log to the terminal of `up`, not to build-logs/
  missing.push("demo app and pause images (their build logs go to the terminal)");
  const text = `${parts.length === 0 ? "not measured here" : parts.join(", ")}${missing.length === 0 ? "" : `; not measured here: ${missing.join(", ")}`}${control.length === 0 ? "" : ` (same build: ${control.join(", ")}; kubelet and kube-proxy after the control plane's shared packages)`}`;
  return { text };
}

/**
 * The cached `up` -> real node Ready: from .testbed/ports (written at the start of `up`, after its
 * build check) to the kubelet's "just became ready" line. Cached = no build log was written
 * after that start.
 */
export function upFromLogs(root, cacheDir) {
  const ports = path.join(root, ".testbed", "ports");
  const kubeletLog = path.join(root, ".testbed", "logs", "kubelet.log");
  if (!existsSync(ports) || !existsSync(kubeletLog)) return { text: "not measured here (no .testbed/ports or .testbed/logs/kubelet.log)" };
  const start = statSync(ports).mtime;
  const year = start.getUTCFullYear();
  let readyMs;
  for (const line of readFileSync(kubeletLog, "utf8").split("\n")) {
    if (!line.includes("just became ready")) continue;
    const m = /^I(\d\d)(\d\d) (\d\d:\d\d:\d\d\.\d+)/.exec(line);
    if (!m) continue;
    const t = Date.parse(`${year}-${m[1]}-${m[2]}T${m[3].slice(0, 12)}Z`);
    if (t >= start.getTime()) {
      readyMs = t;
      break;
    }
  }
  if (readyMs === undefined) return { text: "not measured here (the kubelet log has no \"just became ready\" line after the start of up)" };
  const logs = path.join(cacheDir, "build-logs");
  const builtDuring = existsSync(logs) ? readdirSync(logs).filter((f) => statSync(path.join(logs, f)).mtimeMs > start.getTime()) : [];
  const s = (readyMs - start.getTime()) / 1000;
  return {
    seconds: s,
    cached: builtDuring.length === 0,
    text: `${fmtS(s)} (.testbed/ports ${start.toISOString().slice(11, 19)} -> kubelet "just became ready" ${new Date(readyMs).toISOString().slice(11, 23)}; ${builtDuring.length === 0 ? "cached: no build log written during it" : `NOT cached: ${builtDuring.join(", ")} written during it`})`,
  };
}

// ------------------------------------------------------------------------------- the benchmarks

export async function nodeBenchmarks({ measure, median, root, plugin, runs = Number(process.env.BENCH_NODE_RUNS ?? 5), verifyWindow = process.env.BENCH_NODE_VERIFY_WINDOW ?? "2m" }) {
  root ??= path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  plugin ??= path.join(root, "plugin", "kubectl-aiops");
  const cacheDir = process.env.AIOPS_TESTBED_CACHE ?? path.join(os.homedir(), ".cache", "kubectl-aiops-testbed");
  const envFile = path.join(root, ".testbed", "env");
  const rows = [];
  const fromLogs = () => {
    const build = nodeBuildFromLogs(cacheDir);
    const up = upFromLogs(root, cacheDir);
    rows.push({ name: "first build of the node parts (build logs)", runs: 1, value: build.text });
    rows.push({ name: "cached `up` -> real node Ready (.testbed logs)", runs: 1, value: up.text });
  };
  if (!existsSync(envFile)) {
    console.error("node benchmark skipped: the test bed is not running (npm run testbed -- up; this benchmark never starts it)");
    fromLogs();
    return rows;
  }
  const env = readEnvFile(envFile);
  const kubectl = path.join(env.TESTBED_BIN ?? "", "kubectl");
  const users = path.join(root, ".testbed", "users");
  const baseEnv = { ...process.env, PATH: `${path.dirname(plugin)}:${env.TESTBED_BIN}:${process.env.PATH}`, KUBECONFIG: env.KUBECONFIG, NO_COLOR: "1" };
  const kc = (args, options = {}) => run(kubectl, args, { env: { ...baseEnv, ...(options.user ? { KUBECONFIG: path.join(users, `${options.user}.kubeconfig`) } : {}) }, ...options });
  const must = async (args, options) => {
    const r = await kc(args, options);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
  if ((await kc(["get", "--raw", "/readyz"], { timeoutMs: 10_000 })).status !== 0) {
    console.error("node benchmark skipped: the test bed does not answer (kubectl get --raw /readyz)");
    fromLogs();
    return rows;
  }
  const ready = await must(["get", "node", REAL_NODE, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).catch(() => "");
  if (ready !== "True") {
    console.error(`node benchmark skipped: ${REAL_NODE} is not Ready`);
    fromLogs();
    return rows;
  }

  const sampler = new RssSampler(path.join(root, ".testbed", "pids"), ["kubelet", "containerd"]);
  sampler.sample();
  log("10 s idle RSS samples of kubelet and containerd");
  const idle = new RssSampler(sampler.pidsDir, sampler.names);
  idle.start();
  await sleep(10_000);
  idle.stop();
  sampler.start();
  const suffix = randomBytes(3).toString("hex");
  const namespaces = [];

  try {
    // a. the chaos loop
    const loops = [];
    for (let i = 0; i < runs; i++) {
      const ns = `aiops-bench-node-${suffix}-${i}`;
      namespaces.push(ns);
      const repo = historyRepo("aiops-bench-node-", { ".aiops.yaml": POLICY });
      const historyDir = path.join(repo, "history");
      const aiops = (user, args, timeoutMs) => kc(["aiops", ...args, "--history-dir", historyDir], { user, timeoutMs });
      const watch = new Watch(kubectl, ["-n", ns, "-o", "json", "--history-dir", historyDir, "--resolve-after", "5s", "--duration", "30m"], baseEnv);
      try {
        await watch.waitFor("the watch's initial sync", () => (watch.stderr.includes("synced") ? true : undefined), 60_000);
        const chaos = await run("bash", [path.join(root, "scripts", "testbed.sh"), "chaos", "bad-env", "-n", ns], { cwd: root, env: process.env, timeoutMs: 240_000 });
        const brokenMs = Date.now();
        if (chaos.status !== 0) throw new Error(`testbed chaos bad-env -n ${ns}: ${chaos.stderr}`);
        const opened = await watch.waitFor(`the incident of deployment/demo in ${ns}`, () => watch.lines.find((l) => l.event === "opened" && l.incident === `Deployment/${ns}/demo`), 120_000);
        const proposed = await aiops("alice", ["propose", "rollback", "deployment/demo", "-n", ns, "-o", "json"]);
        if (proposed.status !== 0) throw new Error(`propose rollback: ${proposed.stderr}`);
        const id = JSON.parse(proposed.stdout).frontMatter.id;
        const approved = await aiops("bob", ["approve", id]);
        if (approved.status !== 0) throw new Error(`approve: ${approved.stderr}`);
        const applied = await aiops("bob", ["apply", id, "--verify-window", verifyWindow, "--progress-timeout", "3m", "-o", "json"], 900_000);
        const verifiedMs = Date.now();
        const outcome = applied.stdout.trim() === "" ? { status: `exit ${applied.status}` } : JSON.parse(applied.stdout);
        if (outcome.status !== "verified") throw new Error(`apply of ${id} ended ${outcome.status}: ${applied.stderr}`);
        const stats = await aiops(undefined, ["audit", "stats", "-o", "json"]);
        if (stats.status !== 0) throw new Error(`audit stats: ${stats.stderr}`);
        const figures = JSON.parse(stats.stdout);
        const loop = {
          mttd: opened.mttd_seconds,
          mttdStats: figures.mttd.p50Seconds,
          mttrStats: figures.mttr.p50Seconds,
          breakToVerified: seconds(verifiedMs - brokenMs),
          breakToRecorded: seconds(opened.receivedMs - brokenMs),
          rollout: seconds(outcome.timings?.rollout ?? 0),
        };
        loops.push(loop);
        log(`loop ${i + 1}/${runs} (${ns}): MTTD ${loop.mttd} s (${opened.categories}), MTTR (audit stats) ${loop.mttrStats} s, break -> verified ${loop.breakToVerified} s, rollout ${loop.rollout} s`);
      } finally {
        await watch.stop();
        await kc(["delete", "namespace", ns, "--wait=false", "--ignore-not-found"]);
      }
    }
    const m = (k) => median(loops.map((l) => l[k]));
    const all = (k) => loops.map((l) => l[k]);
    rows.push({ name: "chaos loop bad-env: MTTD (watch mttd_seconds: first evidence -> record)", runs: loops.length, value: `median ${fmtS(m("mttd"))} (${range(all("mttd"))}); break -> record ${fmtS(m("breakToRecorded"))}`, target: `< ${GOAL_MTTD_S} s: ${m("mttd") < GOAL_MTTD_S ? "met" : "NOT met"}` });
    rows.push({ name: `chaos loop bad-env: MTTR (audit stats: approval -> verified; verify window ${verifyWindow})`, runs: loops.length, value: `median ${fmtS(m("mttrStats"))} (${range(all("mttrStats"))}); rollout ${fmtS(m("rollout"))}`, target: `< 5 min: ${m("mttrStats") < GOAL_MTTR_S ? "met" : "NOT met"}` });
    rows.push({ name: "chaos loop bad-env: break -> verified wall (detect, propose, approve, apply; no human delay)", runs: loops.length, value: `median ${fmtS(m("breakToVerified"))} (${range(all("breakToVerified"))})`, target: `< 5 min: ${m("breakToVerified") < GOAL_MTTR_S ? "met" : "NOT met"}` });

    // b. apply -> pod Running and ready, beside `kubectl get pods`
    const ns = `aiops-bench-node-${suffix}-start`;
    namespaces.push(ns);
    await must(["create", "namespace", ns]);
    await waitFor(`the default ServiceAccount of ${ns}`, async () => ((await kc(["get", "serviceaccount", "default", "-n", ns])).status === 0 ? true : undefined), 30_000);
    const starts = [];
    for (let i = 0; i < runs; i++) {
      const name = `start-${i}`;
      const t0 = Date.now();
      await must(["apply", "-f", "-"], { input: demoDeployment(ns, name) });
      await waitFor(`the pod of ${name} Running and ready`, async () => {
        const out = (await kc(["get", "pods", "-n", ns, "-l", `app=${name}`, "-o", 'jsonpath={range .items[*]}{.spec.nodeName} {.status.phase} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}'])).stdout;
        return out.split("\n").some((l) => l.trim() === `${REAL_NODE} Running True`) ? true : undefined;
      }, 120_000);
      starts.push(Date.now() - t0);
      log(`apply -> Running and ready ${i + 1}/${runs}: ${starts.at(-1)} ms`);
      await must(["delete", "deployment", name, "-n", ns, "--wait=false"]);
    }
    const getPods = [];
    for (let i = 0; i < runs; i++) getPods.push(measure([kubectl, "--kubeconfig", env.KUBECONFIG, "get", "pods", "-n", ns]).wall_s * 1000);
    rows.push({ name: "kubectl apply demo Deployment (1 replica) -> pod Running and ready on the real node", runs, median_ms: Math.round(median(starts)), reference: "kubectl get pods (same cluster)", reference_median_ms: Math.round(median(getPods)) });
  } finally {
    sampler.stop();
    for (const ns of namespaces) await kc(["delete", "namespace", ns, "--wait=false", "--ignore-not-found"]);
  }

  // c. RSS
  const rss = (s, name) => `${name} median ${mib(median(s.samples[name]))} MiB, max ${mib(Math.max(...s.samples[name]))} MiB`;
  if (sampler.sums.length > 0) {
    rows.push({
      name: "kubelet + containerd RSS while the loops and starts ran (1 s samples)",
      runs: sampler.sums.length,
      value: `${rss(sampler, "kubelet")}; ${rss(sampler, "containerd")}; sum max ${mib(Math.max(...sampler.sums))} MiB (idle before: kubelet ${mib(median(idle.samples.kubelet))} MiB, containerd ${mib(median(idle.samples.containerd))} MiB)`,
    });
  } else rows.push({ name: "kubelet + containerd RSS", runs: 0, value: "not measured here (no readable pid in .testbed/pids)" });

  // d. the logs
  fromLogs();
  for (const r of rows) if (r.value !== undefined) log(`${r.name}: ${r.value}`);
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const { measure, median } = benchTools(root);
  const rows = await nodeBenchmarks({ measure, median, root, plugin: arg("--plugin") ?? path.join(root, "plugin", "kubectl-aiops"), runs: Number(arg("--runs") ?? process.env.BENCH_NODE_RUNS ?? 5), verifyWindow: arg("--verify-window") ?? process.env.BENCH_NODE_VERIFY_WINDOW ?? "2m" });
  const results = path.join(root, "bench", "results");
  mkdirSync(results, { recursive: true });
  writeFileSync(path.join(results, "node.json"), JSON.stringify({ machine: { node: process.version, cpus: os.cpus().length, date: new Date().toISOString() }, rows }, null, 2));
  console.log("| benchmark | runs | result | reference (same run) | target |\n| --- | --- | --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.name} | ${r.runs} | ${r.value ?? `${r.median_ms} ms`} | ${r.reference === undefined ? "-" : `${r.reference}: ${r.reference_median_ms} ms`} | ${r.target ?? "-"} |`);
}
