// `propose resources` on the test bed: the median wall time of a whole proposal (read the
// Deployment, its pods and HPA, 12 Prometheus queries, the server-side dry run, SelfSubjectReview,
// one record written and committed), target <= 1 s, beside `kubectl get deployment web -o json`
// on the same cluster, measured alternately in the same run.
//
//   node bench/propose.mjs [--runs N] [--plugin PATH]   standalone (a Markdown row on stdout)
//   proposeBenchmarks({ compare, measure, median, root, plugin })   from bench/run.mjs --live
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { historyRepo, readEnvFile } from "./lib.mjs";



export async function proposeBenchmarks({ compare, root, plugin, runs = Number(process.env.BENCH_RUNS ?? 15) }) {
  const envFile = path.join(root, ".testbed", "env");
  if (!existsSync(envFile)) {
    console.error("propose benchmark skipped: the test bed is not running (npm run testbed -- up --scenarios)");
    return [];
  }
  const env = readEnvFile(envFile);
  const kubectl = path.join(env.TESTBED_BIN ?? "", "kubectl");
  if (spawnSync(plugin, ["propose", "--help"], { stdio: "ignore" }).status !== 0) {
    console.error("propose benchmark skipped: this build of the plugin has no propose command (register it in src/cli/main.ts and npm run build)");
    return [];
  }
  const repo = historyRepo("aiops-bench-propose-");
  const command = [plugin, "propose", "resources", "deployment/web", "-n", "rightsizing", "--kubeconfig", env.KUBECONFIG, "--prometheus", env.PROMETHEUS_URL, "--history-dir", path.join(repo, "history"), "-o", "json"];
  const reference = { name: "kubectl get deployment web -o json", command: [kubectl, "--kubeconfig", env.KUBECONFIG, "get", "deployment", "web", "-n", "rightsizing", "-o", "json"] };
  return [compare("propose resources deployment/web (Prometheus + dry run + record)", command, reference, runs, "<= 1 s")];
}

// Standalone: the same measurement with run.mjs's helpers re-created here.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const plugin = arg("--plugin") ?? path.join(root, "plugin", "kubectl-aiops");
  const runs = Number(arg("--runs") ?? 15);
  const median = (values) => {
    const s = [...values].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 0 ? (s[mid - 1] + s[mid]) / 2 : s[mid];
  };
  const measure = (command) => {
    const out = spawnSync("python3", [path.join(root, "bench", "measure.py"), ...command], { encoding: "utf8", cwd: root });
    const result = JSON.parse(out.stdout);
    if (result.status !== 0) throw new Error(`${command.join(" ")} exited ${result.status}: ${result.stderr}`);
    return result;
  };
  const compare = (name, command, reference, n, target) => {
    const a = [];
    const b = [];
    let rss = 0;
    for (let i = 0; i < n; i++) {
      const m = measure(command);
      a.push(m.wall_s);
      rss = Math.max(rss, m.rss_mib);
      b.push(measure(reference.command).wall_s);
    }
    return { name, runs: n, median_ms: Math.round(median(a) * 1000), peak_rss_mib: Math.round(rss), reference: reference.name, reference_median_ms: Math.round(median(b) * 1000), target };
  };
  for (const r of await proposeBenchmarks({ compare, measure, median, root, plugin, runs })) {
    console.log(`| ${r.name} | ${r.runs} | ${r.median_ms} ms | ${r.peak_rss_mib} MiB | ${r.reference}: ${r.reference_median_ms} ms | ${r.target} |`);
  }
}
