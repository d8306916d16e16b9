// `approve` + `apply` on the test bed: the tool's own overhead, excluding the rollout wait and
// the verification window (applied with --verify-window 0; the rollout time the plugin reports
// is subtracted). Each run proposes a scale of a Deployment of our own (2 <-> 3 replicas, not
// measured), records bob's approval through the record store with bob's authenticated identity
// (measured: what `approve` writes), and applies it as bob (measured as a whole process).
// Reports the median overhead (target <= 1 s) and the median split: audit check, SSAR, dry run,
// patch, record commits, reads.
//
//   node bench/apply.mjs [--runs N] [--plugin PATH]            standalone (Markdown rows on stdout)
//   applyBenchmarks({ compare, measure, median, root, plugin })  from bench/run.mjs --live
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { benchTools, historyRepo, readEnvFile } from "./lib.mjs";



export async function applyBenchmarks({ median, root, plugin, runs = Number(process.env.BENCH_RUNS ?? 10) }) {
  const envFile = path.join(root, ".testbed", "env");
  if (!existsSync(envFile)) {
    console.error("apply benchmark skipped: the test bed is not running (npm run testbed -- up)");
    return [];
  }
  if (spawnSync(plugin, ["apply", "--help"], { stdio: "ignore" }).status !== 0) {
    console.error("apply benchmark skipped: this build of the plugin has no apply command (register it in src/cli/main.ts and npm run build)");
    return [];
  }
  const env = readEnvFile(envFile);
  const users = path.join(root, ".testbed", "users");
  const kubectl = (args, input) => spawnSync(path.join(env.TESTBED_BIN ?? "", "kubectl"), ["--kubeconfig", env.KUBECONFIG, ...args], { encoding: "utf8", input: input ?? "" });
  const ns = "aiops-bench-apply";
  kubectl(["create", "namespace", ns]);
  kubectl(["create", "rolebinding", "aiops-editors", "-n", ns, "--clusterrole", "aiops-testbed:workload-editor", "--user", "alice", "--user", "bob"]);
  kubectl(["create", "deployment", "web", "-n", ns, "--image", "nginx:1.27.3", "--replicas", "2"]);
  kubectl(["scale", "deployment/web", "-n", ns, "--replicas", "2"]);
  kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=90s"]);

  const { appendToRecord } = await import(pathToFileURL(path.join(root, "src", "records", "store.ts")).href);
  const { resolveHistory } = await import(pathToFileURL(path.join(root, "src", "records", "history.ts")).href);
  const { KubeClient } = await import(pathToFileURL(path.join(root, "src", "kube", "client.ts")).href);
  const { whoAmI } = await import(pathToFileURL(path.join(root, "src", "kube", "identity.ts")).href);
  const bob = (await whoAmI(KubeClient.connect({ kubeconfig: path.join(users, "bob.kubeconfig"), requestTimeoutMs: 10_000, env: process.env }))).username;

  const repo = historyRepo("aiops-bench-apply-", { ".aiops.yaml": "approvers: [alice, bob]\nsecurityReviewers: [sec]\n" });
  const historyDir = path.join(repo, "history");
  const history = resolveHistory({ historyDir, cwd: repo, env: {} });
  const overhead = [];
  const split = {};
  let replicas = 2;
  for (let i = 0; i < runs; i++) {
    const to = replicas === 2 ? 3 : 2;
    const proposed = spawnSync(plugin, ["propose", "scale", "deployment/web", "-n", ns, "--replicas", String(to), "--kubeconfig", path.join(users, "alice.kubeconfig"), "--history-dir", historyDir, "-o", "json"], { encoding: "utf8" });
    if (proposed.status !== 0) throw new Error(`propose failed: ${proposed.stderr}`);
    const id = JSON.parse(proposed.stdout).frontMatter.id;
    const approveStart = performance.now();
    const at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    await appendToRecord(history, id, { status: "approved", approvals: [{ identity: bob, role: "approver", decision: "approved", at }], roles: { approvers: ["alice", "bob"], securityReviewers: ["sec"] } }, { now: () => new Date() });
    const approveMs = performance.now() - approveStart;
    const start = performance.now();
    const applied = spawnSync(plugin, ["apply", id, "--verify-window", "0", "--kubeconfig", path.join(users, "bob.kubeconfig"), "--history-dir", historyDir, "-o", "json"], { encoding: "utf8" });
    const wall = performance.now() - start;
    if (applied.status !== 0) throw new Error(`apply failed: ${applied.stderr}`);
    const { timings, status } = JSON.parse(applied.stdout);
    if (status !== "verified") throw new Error(`apply ended ${status}`);
    replicas = to;
    overhead.push(approveMs + wall - (timings.rollout ?? 0) - (timings.verify ?? 0));
    const parts = { approve: approveMs, process: wall - Object.values(timings).reduce((a, b) => a + b, 0), ...timings };
    for (const [k, v] of Object.entries(parts)) (split[k] ??= []).push(v);
  }
  kubectl(["delete", "namespace", ns, "--wait=false"]);
  const ms = (k) => `${Math.round(median(split[k] ?? [0]))} ms`;
  const row = { name: "approve + apply overhead (scale; excl. rollout wait and verify window)", runs, median_ms: Math.round(median(overhead)), target: "<= 1 s" };
  const detail = {
    name: "apply split (medians)",
    runs,
    value: `approve commit ${ms("approve")}; audit check ${ms("audit")}, SSAR ${ms("access")}, dry run ${ms("dryRun")}, patch ${ms("patch")}, record commits ${ms("records")}, reads ${ms("read")}, verify poll ${ms("verify")}, process start + rest ${ms("process")}`,
  };
  console.error(`${row.name}: median ${row.median_ms} ms; ${detail.value}`);
  return [row, detail];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const { median } = benchTools(root);
  const rows = await applyBenchmarks({ median, root, plugin: arg("--plugin") ?? path.join(root, "plugin", "kubectl-aiops"), runs: Number(arg("--runs") ?? 10) });
  for (const r of rows) console.log(`| ${r.name} | ${r.runs} | ${r.value ?? `${r.median_ms} ms`} | - | - | ${r.target ?? "-"} |`);
}
