// Scale benchmark on the local test bed (scripts/testbed/README.md, "Scale benchmark"):
// `kubectl aiops diagnose namespace` on 1,000 pods and `diagnose -A` on 11,000 pods (10,000 in 50
// namespaces + the 1,000), wall time, peak RSS and API requests counted in the API server's audit
// log, each beside `kubectl get pods ... -o json` on the same cluster as the floor and beside
// k8sgpt (bench/live/k8sgpt.mjs) with its default analyzers, with all of them (`--filter` listing
// every analyzer `k8sgpt filters list` shows) and with `--filter Pod`: all measured in rounds in
// the same run (bench/live/rounds.mjs), and the objects each side flags compared
// (bench/live/compare.mjs: common, only k8sgpt, only kubectl-aiops).
//
//   node bench/live.mjs [--clean] [--build] [--runs N] [--k8sgpt-all-cluster]
//                                               standalone: Markdown on stdout, progress on stderr
//   npm run bench -- --live                     through bench/run.mjs (liveBenchmarks below)
//
// Either way the tables are written to bench/results/live.md (the README's comparison table is
// its first one) and the numbers to bench/results/live.json.
//
// k8sgpt with all analyzers reads the log of every pod, one after another at client-go's default
// 5 requests/s: about 200 s for the 1,000 pods (measured in BENCH_K8SGPT_ALL_RUNS rounds, default
// 3) and 40 minutes for the whole cluster, which is measured once with --k8sgpt-all-cluster (or
// BENCH_K8SGPT_ALL_CLUSTER=1) and otherwise estimated from the namespace run.
//
// The load (4 kwok nodes, namespaces bench-1k and bench-00..49) stays in place for the next run
// unless --clean is given; creating it takes about 1.5 minutes (bench/live/load.mjs).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compareFlagged, flaggedByK8sgpt, flaggedByUs, versusMarkdown } from "./live/compare.mjs";
import { ensureK8sgpt, k8sgptAnalyzers } from "./live/k8sgpt.mjs";
import { Kube, loadKubeconfig } from "./live/kube.mjs";
import { ONE_K, TEN_K_NAMESPACES, cleanLoad, ensureLoad, expected } from "./live/load.mjs";
import { jsonOutput, measureRounds } from "./live/rounds.mjs";
import { readEnvFile } from "./lib.mjs";

const log = (m) => console.error(`[live ${new Date().toISOString().slice(11, 19)}] ${m}`);
const MIB_300_MB = 300e6 / 2 ** 20; // the target says 300 MB: 286 MiB


function testbedUp(root) {
  const envFile = path.join(root, ".testbed", "env");
  if (!existsSync(envFile)) return false;
  const env = readEnvFile(envFile);
  const kubectl = path.join(env.TESTBED_BIN ?? "", "kubectl");
  return existsSync(kubectl) && spawnSync(kubectl, ["--kubeconfig", env.KUBECONFIG, "get", "--raw", "/readyz"], { stdio: "ignore", timeout: 10_000 }).status === 0;
}

/**
 * Builds dist/ when it is missing, or with --build when src/ has newer files. Not by default:
 * the build removes dist/ first, which breaks a concurrent e2e run that uses the plugin.
 */
function ensureBuilt(root, rebuild) {
  const bundle = path.join(root, "dist", "kubectl-aiops.mjs");
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  const newer = (dir) => readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? newer(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs > built));
  const stale = built === 0 || newer(path.join(root, "src"));
  if (!stale) return { stale: false };
  if (built > 0 && !rebuild) {
    log("warning: dist/ is older than src/ (measuring the bundle as it is; --build rebuilds it)");
    return { stale: true };
  }
  log("node scripts/build.mjs");
  execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { stdio: ["ignore", "ignore", "inherit"] });
  return { stale: false };
}

function defaultMeasure(root) {
  return (command) => {
    const out = spawnSync("python3", [path.join(root, "bench", "measure.py"), ...command], { encoding: "utf8", cwd: root });
    if (out.status !== 0) throw new Error(`measure failed: ${out.stderr}`);
    const result = JSON.parse(out.stdout);
    if (result.status !== 0 && result.status !== 3) throw new Error(`${command.join(" ")} exited ${result.status}: ${result.stderr}`);
    return result;
  };
}

function defaultMedian(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
}

/**
 * Runs the subject and its floor alternately `runs` times (after one unrecorded warm-up each),
 * counting each run's API requests in the audit log.
 */
async function pair({ name, command, floor, runs, target, pods, measure, median, audit, note }) {
  const r = await measureRounds({
    subjects: [
      { key: "subject", command, runs },
      { key: "floor", command: floor.command, runs },
    ],
    measure,
    median,
    audit,
  });
  return rowOf({ name, command, floor, target, pods, note, s: r.get("subject"), f: r.get("floor") });
}

/** One row of the timings table: a subject beside its floor, measured in the same rounds. */
function rowOf({ name, command, floor, target, pods, note, s, f }) {
  const row = {
    name,
    runs: s.runs,
    median_ms: s.median_ms,
    peak_rss_mib: s.peak_rss_mib,
    reference: floor.name,
    reference_median_ms: f.median_ms,
    target,
    pods,
    command: display(command),
    reference_command: display(floor.command),
    api_requests: s.requests,
    api_requests_range: s.requests_range,
    api_requests_by_kind: s.by_kind,
    user_agents: s.agents,
    reference_peak_rss_mib: f.peak_rss_mib,
    reference_api_requests: f.requests,
    reference_api_requests_by_kind: f.by_kind,
    ...(note ? { note } : {}),
  };
  const spread = s.requests_range[0] === s.requests_range[1] ? "" : ` (${s.requests_range.join("-")})`;
  log(`${name}: median ${row.median_ms} ms, peak RSS ${row.peak_rss_mib} MiB, ${row.api_requests}${spread} requests; floor ${floor.name}: ${f.median_ms} ms, ${f.peak_rss_mib} MiB, ${f.requests} requests`);
  return row;
}

/** A command as a user would type it (no absolute paths, no env prefix). */
function display(command) {
  return command
    .filter((c) => !/^[A-Z_]+=/.test(c) && c !== "env")
    .map((c) => (c.endsWith("/plugin/kubectl-aiops") ? "./plugin/kubectl-aiops" : c.startsWith("/") && !c.includes("kubeconfig") ? path.basename(c) : c))
    .join(" ");
}

export async function liveBenchmarks({ measure, median, root, plugin, runs: runsArg } = {}) {
  root ??= path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  plugin ??= path.join(root, "plugin", "kubectl-aiops");
  measure ??= defaultMeasure(root);
  median ??= defaultMedian;
  const argv = process.argv.slice(2);
  const runsFlag = argv.indexOf("--runs");
  const runs = Math.max(5, Number(runsArg ?? (runsFlag >= 0 ? argv[runsFlag + 1] : undefined) ?? process.env.BENCH_LIVE_RUNS ?? 7));
  const t0 = Date.now();

  // 1. the test bed
  if (!testbedUp(root)) {
    log("test bed not up: bash scripts/testbed.sh up");
    execFileSync("bash", [path.join(root, "scripts", "testbed.sh"), "up"], { cwd: root, stdio: ["ignore", process.stderr, "inherit"] });
  }
  const env = readEnvFile(path.join(root, ".testbed", "env"));
  const kubectl = path.join(env.TESTBED_BIN, "kubectl");
  // our own identity (system:masters, like admin): the admin user is shared with the e2e suite
  // and anyone else on the test bed, and their requests must not be counted as ours
  env.KUBECONFIG = execFileSync("bash", [path.join(root, "bench", "live", "identity.sh")], { encoding: "utf8" }).trim();
  const conn = loadKubeconfig(kubectl, env.KUBECONFIG); // refuses anything but 127.0.0.1
  process.env.KUBECONFIG = env.KUBECONFIG;
  process.env.TESTBED_AUDIT_LOG = env.TESTBED_AUDIT_LOG;
  process.env.PATH = `${path.dirname(plugin)}:${env.TESTBED_BIN}:${process.env.PATH}`; // `kubectl aiops` finds the plugin
  const audit = { file: env.TESTBED_AUDIT_LOG, username: conn.username };
  const k8sVersion = execFileSync(kubectl, ["version", "--client", "-o", "json"], { encoding: "utf8" }).match(/"gitVersion":\s*"([^"]+)"/)?.[1] ?? "v1.36.3";
  log(`test bed: ${conn.server.href} (kubectl ${k8sVersion}), audit log ${audit.file}, counting user "${audit.username}"`);
  const bundle = ensureBuilt(root, argv.includes("--build"));

  // 2. the load
  const kube = new Kube(conn);
  let load;
  try {
    load = await ensureLoad({ kube, kubectl, kubeconfig: env.KUBECONFIG, root, stateDir: path.join(root, ".testbed"), k8sVersion, log });
  } catch (e) {
    kube.close();
    throw e;
  }
  const want = expected();
  const allPods = Number(execFileSync(kubectl, ["get", "pods", "-A", "--no-headers", "-o", "name"], { encoding: "utf8", maxBuffer: 1 << 28 }).split("\n").filter(Boolean).length);
  const tenK = TEN_K_NAMESPACES.length * 200;

  // 3. k8sgpt, built (once) before anything is measured: its runs take turns with ours
  const k = ensureK8sgpt({ log });
  const k8sgptNote = k.notes.length > 0 ? `${k.notes.join("; ")}; measured ${k.version}` : undefined;
  let k8sgpt;
  if (k.error !== undefined) log(`k8sgpt: not measured: ${k.error}`);
  else {
    const configHome = path.join(path.dirname(k.bin), "config"); // k8sgpt writes its config there, not in ~/.config
    mkdirSync(configHome, { recursive: true });
    const analyzers = k8sgptAnalyzers(k.bin, { XDG_CONFIG_HOME: configHome });
    k8sgpt = { bin: k.bin, version: k.version, env: ["env", `XDG_CONFIG_HOME=${configHome}`], analyzers };
    log(`k8sgpt ${k.version}: ${analyzers.all.length} analyzers, ${analyzers.active.length} by default (${analyzers.active.join(", ")})`);
  }

  // 4. the measurements: per scope, ours, its floor and the k8sgpt runs in the same rounds
  const floor1k = { name: `kubectl get pods -n ${ONE_K} -o json`, command: [kubectl, "get", "pods", "-n", ONE_K, "-o", "json"] };
  const floorAll = { name: "kubectl get pods -A -o json", command: [kubectl, "get", "pods", "-A", "-o", "json"] };
  const floor200 = { name: `kubectl get pods -n ${TEN_K_NAMESPACES[0]} -o json`, command: [kubectl, "get", "pods", "-n", TEN_K_NAMESPACES[0], "-o", "json"] };
  const allRuns = Math.max(1, Number(process.env.BENCH_K8SGPT_ALL_RUNS ?? 3));
  const allCluster = argv.includes("--k8sgpt-all-cluster") || process.env.BENCH_K8SGPT_ALL_CLUSTER === "1";
  const groups = [
    {
      label: `namespace ${ONE_K} (1,000 pods)`,
      namespaced: true,
      name: `kubectl aiops diagnose namespace ${ONE_K} (1,000 pods)`,
      ours: [kubectl, "aiops", "diagnose", "namespace", ONE_K, "-o", "json"],
      floor: floor1k,
      pods: 1000,
      target: "<= 1 s, <= 300 MB",
      k8sgptArgs: ["--namespace", ONE_K],
      allRuns: Math.min(allRuns, runs),
    },
    {
      label: `all namespaces (${allPods.toLocaleString("en")} pods)`,
      namespaced: false,
      name: `kubectl aiops diagnose -A (${allPods.toLocaleString("en")} pods: ${tenK.toLocaleString("en")} in 50 namespaces, 1,000 in ${ONE_K}${allPods > want.total ? `, ${allPods - want.total} others` : ""})`,
      ours: [kubectl, "aiops", "diagnose", "-A", "-o", "json"],
      floor: floorAll,
      pods: allPods,
      target: "<= 5 s, <= 300 MB",
      k8sgptArgs: [],
      allRuns: allCluster ? 1 : 0,
    },
  ];
  log(`measuring: ${runs} rounds per scope, one warm-up each (load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}, ${os.cpus().length} CPUs)`);
  const loadBefore = os.loadavg()[0];
  const rows = [];
  const versus = [];
  for (const g of groups) {
    const variants = k8sgpt === undefined ? [] : k8sgptVariants(k8sgpt, g, env.KUBECONFIG, runs);
    const subjects = [
      { key: "ours", command: g.ours, runs, capture: true },
      { key: "floor", command: g.floor.command, runs },
      ...variants.filter((v) => v.runs > 0).map((v) => ({ key: v.key, command: v.command, runs: v.runs, warmup: v.key !== "all", capture: true })),
    ];
    log(`${g.label}: ${subjects.map((x) => `${x.key} x${x.runs}`).join(", ")}`);
    const r = await measureRounds({ subjects, measure, median, audit, log: (m) => log(`${g.label}: ${m}`) });
    const ours = r.get("ours");
    if (ours.error !== undefined || r.get("floor").error !== undefined) throw new Error(`${g.label}: ${ours.error ?? r.get("floor").error}`);
    const oursFlagged = flaggedByUs(jsonOutput(ours.output));
    const problems = jsonOutput(ours.output)?.items?.filter((i) => i.status !== "OK").length;
    rows.push(rowOf({ name: g.name, command: g.ours, floor: g.floor, target: g.target, pods: g.pods, note: `${problems} objects with problems reported`, s: ours, f: r.get("floor") }));
    const scope = { label: g.label, namespaced: g.namespaced, pods: g.pods, ours: { command: display(g.ours), ...timings(ours), flagged: oursFlagged.size }, floor: { command: display(g.floor.command), ...timings(r.get("floor")) }, k8sgpt: [] };
    for (const v of variants) {
      const m = r.get(v.key);
      const entry = { key: v.key, label: v.label, command: v.display, ...(m === undefined || m.error !== undefined ? {} : timings(m)) };
      if (m?.error !== undefined) {
        entry.note = `failed: ${m.error.slice(0, 200)}`;
        rows.push({ name: `k8sgpt ${k8sgpt.version} ${v.label}, ${g.label}`, runs: 0, target: "comparison", note: entry.note });
      } else if (m !== undefined) {
        const out = jsonOutput(m.output);
        if (out === undefined) log(`${g.label}: ${v.display}: no JSON output`);
        else entry.comparison = compareFlagged(oursFlagged, flaggedByK8sgpt(out));
        rows.push({ name: `k8sgpt ${k8sgpt.version} ${v.label}, ${g.label}`, runs: m.runs, median_ms: m.median_ms, peak_rss_mib: m.peak_rss_mib, reference: g.name, reference_median_ms: ours.median_ms, target: "comparison", pods: g.pods, command: v.display, api_requests: m.requests, api_requests_by_kind: m.by_kind, note: [`${out?.problems ?? "?"} problems reported`, k8sgptNote].filter(Boolean).join("; ") });
      } else if (v.key === "all") {
        // not run on the whole cluster by default: scaled from the namespace run, whose time is
        // the log reads (one per pod at client-go's 5 requests/s)
        const ns = versus.find((x) => x.namespaced)?.k8sgpt.find((x) => x.key === "all");
        if (ns?.median_ms !== undefined) entry.estimate_ms = Math.round((ns.median_ms * g.pods) / 1000);
        entry.note = "not measured (--k8sgpt-all-cluster measures it once)";
      }
      scope.k8sgpt.push(entry);
    }
    versus.push(scope);
  }
  rows.push(await pair({ name: `kubectl-aiops diagnose namespace ${ONE_K} (plugin alone)`, command: [plugin, "diagnose", "namespace", ONE_K, "-o", "json"], floor: floor1k, runs: 5, target: "<= 1 s, <= 300 MB", pods: 1000, measure, median, audit }));
  rows.push(await pair({ name: "kubectl-aiops diagnose -A (plugin alone)", command: [plugin, "diagnose", "-A", "-o", "json"], floor: floorAll, runs: 5, target: "<= 5 s, <= 300 MB", pods: allPods, measure, median, audit }));
  rows.push(await pair({ name: `kubectl aiops diagnose namespace ${TEN_K_NAMESPACES[0]} (200 pods; request scaling)`, command: [kubectl, "aiops", "diagnose", "namespace", TEN_K_NAMESPACES[0], "-o", "json"], floor: floor200, runs: 5, pods: 200, measure, median, audit }));
  if (k.error !== undefined) rows.push({ name: "k8sgpt analyze", runs: 0, target: "comparison", note: `not built: ${k.error}` });

  // 5. leave the load, or not
  if (argv.includes("--clean")) await cleanLoad({ kube, kubectl, kubeconfig: env.KUBECONFIG, log });
  else log(`load left in place (namespaces ${ONE_K}, ${TEN_K_NAMESPACES[0]}..${TEN_K_NAMESPACES.at(-1)}; nodes kwok-bench-0..3); --clean removes it`);
  kube.close();
  const machine = { cpus: os.cpus().length, loadavg_1m_before: Math.round(loadBefore * 10) / 10, loadavg_1m_after: Math.round(os.loadavg()[0] * 10) / 10 };
  for (const r of rows) Object.assign(r, { load: { pods_total: allPods, bench_pods: want.total, created_now: load.created, create_s: load.create_s, settle_s: load.settle_s }, machine, counted_user: audit.username, ...(bundle.stale ? { dist_stale: true } : {}) });
  const results = path.join(root, "bench", "results");
  mkdirSync(results, { recursive: true });
  writeFileSync(path.join(results, "live.json"), JSON.stringify({ date: new Date().toISOString(), machine, k8sgpt: k.error === undefined ? { version: k.version, analyzers: k8sgpt.analyzers } : { error: k.error }, versus, rows }, null, 2));
  writeFileSync(path.join(results, "live.md"), `${versusMarkdown(versus)}\n\n${liveMarkdown(rows)}\n`);
  log(`live benchmarks done in ${((Date.now() - t0) / 1000).toFixed(0)} s; tables in bench/results/live.md`);
  return rows;
}

/** The timings of a measureRounds result, without the captured output. */
function timings(m) {
  return { runs: m.runs, median_ms: m.median_ms, peak_rss_mib: m.peak_rss_mib, requests: m.requests, requests_range: m.requests_range };
}

/** k8sgpt's three runs of one scope: its default analyzers, all of them, the Pod analyzer alone. */
function k8sgptVariants(k8sgpt, group, kubeconfig, runs) {
  const analyze = (...filter) => [...k8sgpt.env, k8sgpt.bin, "analyze", "--kubeconfig", kubeconfig, ...group.k8sgptArgs, ...filter, "-o", "json"];
  const shown = (...filter) => ["k8sgpt analyze", ...group.k8sgptArgs, ...filter, "-o json"].join(" ");
  const all = k8sgpt.analyzers.all;
  return [
    { key: "default", label: `default analyzers (${k8sgpt.analyzers.active.length})`, command: analyze(), display: shown(), runs },
    { key: "all", label: `all analyzers (${all.length})`, command: analyze("--filter", all.join(",")), display: shown("--filter", `<all ${all.length}>`), runs: group.allRuns },
    { key: "pod", label: "Pod analyzer only", command: analyze("--filter", "Pod"), display: shown("--filter", "Pod"), runs },
  ];
}

/** Markdown: the timings table and the request-count table. */
export function liveMarkdown(rows) {
  const ms = (v) => (v === undefined ? "-" : `${v} ms`);
  const verdict = (r) => {
    const m = /<= ([\d.]+) s/.exec(r.target ?? "");
    if (!m || r.median_ms === undefined) return "-";
    return r.median_ms <= Number(m[1]) * 1000 && r.peak_rss_mib <= MIB_300_MB ? "met" : "NOT met";
  };
  const lines = [
    "| benchmark | pods | runs | median | peak RSS | API requests | floor (same run) | floor median | floor RSS | floor requests | target | |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const req = r.api_requests === undefined ? "-" : r.api_requests_range && r.api_requests_range[0] !== r.api_requests_range[1] ? `${r.api_requests} (${r.api_requests_range.join("-")})` : `${r.api_requests}`;
    lines.push(`| ${r.name} | ${r.pods ?? "-"} | ${r.runs} | ${ms(r.median_ms)} | ${r.peak_rss_mib === undefined ? "-" : `${r.peak_rss_mib} MiB`} | ${req} | ${r.reference ?? "-"} | ${ms(r.reference_median_ms)} | ${r.reference_peak_rss_mib === undefined ? "-" : `${r.reference_peak_rss_mib} MiB`} | ${r.reference_api_requests ?? "-"} | ${r.target ?? "-"} | ${verdict(r)} |`);
  }
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
  const kinds = (o) => Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(", ");
  const req = rows.filter((r) => r.api_requests_by_kind).map((r) => `| ${r.name} | ${r.pods} | ${kinds(r.api_requests_by_kind)} | ${kinds(r.reference_api_requests_by_kind)} |`);
  // where the requests go: one list per resource type, extra pages of the big lists (limit=500),
  // log reads (at most 20 containers, current + previous)
  const parts = (o) => {
    const e = Object.entries(o ?? {});
    const lists = e.filter(([k]) => k.startsWith("list "));
    const logs = e.filter(([k]) => k.includes("pods/log")).reduce((n, [, v]) => n + v, 0);
    const pages = lists.reduce((n, [, v]) => n + v - 1, 0);
    const other = e.filter(([k]) => !k.startsWith("list ") && !k.includes("pods/log")).reduce((n, [, v]) => n + v, 0);
    return `${lists.length} | ${pages} | ${logs} | ${other}`;
  };
  const scaling = rows.filter((r) => r.api_requests_by_kind && /aiops/.test(r.name)).map((r) => `| ${r.name} | ${r.pods} | ${r.api_requests} | ${parts(r.api_requests_by_kind)} |`);
  return [
    ...lines,
    "",
    ...notes,
    "",
    "Request scaling of the plugin (one run): list calls (one per resource type), extra pages of those lists (limit=500), log reads, anything else:",
    "",
    "| benchmark | pods | requests | lists | extra pages | log reads | other |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...scaling,
    "",
    `API requests of one run, by verb and resource (audit log: ResponseComplete events of user ${rows[0]?.counted_user ?? "?"} inside the run's window):`,
    "",
    "| benchmark | pods | subject | floor |",
    "| --- | --- | --- | --- |",
    ...req,
  ].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  await liveBenchmarks({ root });
  console.log(readFileSync(path.join(root, "bench", "results", "live.md"), "utf8"));
}
