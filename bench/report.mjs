// `kubectl aiops report weekly` on the test bed: wall time and peak RSS with the bench-* load
// (~10,000 pods when bench/live.mjs created it) and a history of 7 days of records, beside
// `kubectl get pods -A -o json` on the same cluster, measured alternately (target <= 15 s).
//
//   node bench/report.mjs [--runs N]     standalone: a Markdown row on stdout
//   reportBenchmarks({ compare, measure, median, root, plugin })   from bench/run.mjs
//
// The parent runs on any Node; what imports src/*.ts runs in a child on the pinned Node 24
// (type stripping), through this file's `--child` mode.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { benchTools, historyRepo, readEnvFile } from "./lib.mjs";

const self = fileURLToPath(import.meta.url);
const defaultRoot = path.dirname(path.dirname(self));
const DAYS = 7;
const RECORDS_PER_DAY = 12;

function pinnedNode(root) {
  return [path.join(root, "node_modules", "node", "bin", "node"), path.join(root, "node_modules", ".bin", "node")].find((c) => existsSync(c)) ?? process.execPath;
}

/** The plugin's report command, as users run it. */
function reportCommand(plugin, dir, prometheus) {
  return [plugin, "report", "weekly", "--force", "--prometheus", prometheus, "-o", "json", "--history-dir", path.join(dir, "history")];
}

export async function reportBenchmarks({ compare, root = defaultRoot, plugin = path.join(root, "plugin", "kubectl-aiops") }) {
  const envFile = path.join(root, ".testbed", "env");
  const env = existsSync(envFile) ? readEnvFile(envFile) : undefined;
  if (env === undefined) {
    console.error("report benchmark skipped: the test bed is not up (npm run testbed -- up --scenarios)");
    return [];
  }
  process.env.KUBECONFIG = env.KUBECONFIG;
  const kubectl = path.join(env.TESTBED_BIN, "kubectl");
  const reference = { name: "kubectl get pods -A -o json", command: [kubectl, "get", "pods", "-A", "-o", "json"] };
  const pods = JSON.parse(execFileSync(kubectl, ["get", "pods", "-A", "-o", "json"], { encoding: "utf8", maxBuffer: 1 << 30 })).items.length;
  console.error(`report benchmark: ${pods} pods on the test bed`);

  const dir = historyRepo("aiops-bench-report-");
  const started = Date.now();
  const child = spawnSync(pinnedNode(root), [self, "--child", dir], { cwd: root, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`generating the history failed: ${child.stderr}`);
  console.error(`history: ${DAYS * RECORDS_PER_DAY} records over ${DAYS} days in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const command = reportCommand(plugin, dir, env.PROMETHEUS_URL);
  const runs = Number(process.env.BENCH_REPORT_RUNS ?? 3);
  const row = compare(`report weekly (${pods} pods, ${DAYS} days of history)`, command, reference, runs, "<= 15 s");
  rmSync(dir, { recursive: true, force: true });
  return [{ ...row, pods }];
}

/** Child: 7 days of diagnoses and proposals (some approved, one rolled back), one commit each. */
async function generate(dir) {
  const src = (p) => import(pathToFileURL(path.join(defaultRoot, "src", p)).href);
  const { resolveHistory } = await src("records/history.ts");
  const { writeRecord, appendToRecord } = await src("records/store.ts");
  const history = resolveHistory({ cwd: dir, env: {} });
  const now = Date.now();
  for (let day = DAYS; day >= 1; day--) {
    for (let i = 0; i < RECORDS_PER_DAY; i++) {
      const at = new Date(now - day * 86_400_000 + i * 3_600_000);
      const proposal = i % 3 === 0;
      const written = await writeRecord(
        history,
        {
          title: `${proposal ? "Raise memory of" : "OOMKilled in"} bench-${String(i).padStart(2, "0")}/app-${day}`,
          stage: proposal ? "proposal" : "diagnosis",
          command: "kubectl aiops bench",
          user: { cluster: "alice" },
          target: { kind: "Deployment", namespace: `bench-${String(i).padStart(2, "0")}`, name: `app-${day}` },
          labels: { category: "OOMKilled" },
          ...(proposal ? { tier: "medium" } : { metrics: { pre: { mttd_seconds: 2 + i } } }),
          body: "## Prompt\n\nbench\n",
        },
        { now: () => at },
      );
      if (proposal) {
        const approvedAt = new Date(at.getTime() + (10 + i) * 60_000);
        await appendToRecord(history, written.frontMatter.id, { status: "approved", approvals: [{ identity: "bob", role: "approver", decision: "approved", at: approvedAt.toISOString().replace(/\.\d{3}Z$/, "Z") }] }, { now: () => approvedAt });
      }
    }
  }
}

if (process.argv[2] === "--child") {
  await generate(process.argv[3]);
} else if (process.argv[1] === self) {
  const { compare, measure, median } = benchTools(defaultRoot);
  const runsArg = process.argv.indexOf("--runs");
  if (runsArg !== -1) process.env.BENCH_REPORT_RUNS = process.argv[runsArg + 1];
  const rows = await reportBenchmarks({ compare, measure, median, root: defaultRoot });
  for (const r of rows) console.log(`| ${r.name} | ${r.runs} | ${r.median_ms} ms | ${r.peak_rss_mib} MiB | ${r.reference}: ${r.reference_median_ms} ms | ${r.target} |`);
}
