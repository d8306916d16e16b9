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
import { benchTools, historyRepo, readEnvFile } from "./lib.mjs";



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
  const { compare, measure, median } = benchTools(root, runs);
  for (const r of await proposeBenchmarks({ compare, measure, median, root, plugin, runs })) {
    console.log(`| ${r.name} | ${r.runs} | ${r.median_ms} ms | ${r.peak_rss_mib} MiB | ${r.reference}: ${r.reference_median_ms} ms | ${r.target} |`);
  }
}
