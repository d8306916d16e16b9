// `npm run bench`: speed and memory of kubectl-aiops, measured as whole processes, each beside a
// reference measured in the same invocation (the machines are noisy: compare, don't trust one
// number). Prints a Markdown table and writes bench/results/latest.json.
//
//   npm run bench                # offline benchmarks (no cluster needed)
//   npm run bench -- --live      # also the test bed benchmarks (bench/live.mjs, bench/node.mjs)
//   npm run bench -- --node      # also the real node benchmarks (bench/node.mjs: chaos loop, MTTD, MTTR)
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { benchTools } from "./lib.mjs";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const plugin = path.join(root, "plugin", "kubectl-aiops");
const results = path.join(root, "bench", "results");
mkdirSync(results, { recursive: true });
const runs = Number(process.env.BENCH_RUNS ?? 15);

if (!existsSync(path.join(root, "dist", "kubectl-aiops.mjs"))) execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")]);

const { measure, median, compare } = benchTools(root, runs);

const node = path.join(root, "node_modules", "node", "bin", "node");
const nodeFloor = { name: "node -e 0 (same Node)", command: [existsSync(node) ? node : process.execPath, "-e", "0"] };
const onePod = path.join(root, "test", "fixtures", "one-pod.json");
const bigList = path.join(results, "pods-10000.json");
writeFileSync(bigList, execFileSync(process.execPath, [path.join(root, "bench", "generate-list.mjs"), "10000", "50"], { maxBuffer: 1 << 30 }));

const rows = [
  compare("kubectl aiops --help", [plugin, "--help"], nodeFloor, runs, "<= 150 ms"),
  compare("diagnose -f one-pod.json", [plugin, "diagnose", "-f", onePod], nodeFloor, runs, "<= 150 ms"),
  compare("diagnose -f 10,000-pod List", [plugin, "diagnose", "-f", bigList, "-o", "json"], undefined, 5, "<= 2 s, <= 300 MB"),
];

// The self-contained binary of `npm run release` for this machine, when built, beside the Node wrapper.
const binary = path.join(root, "release", "bin", `${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`, "kubectl-aiops");
if (existsSync(binary)) {
  rows.push(compare("binary (npm run release): --help", [binary, "--help"], { name: "plugin/kubectl-aiops --help", command: [plugin, "--help"] }, runs, "<= 150 ms"));
  rows.push(compare("binary (npm run release): diagnose -f one-pod.json", [binary, "diagnose", "-f", onePod], { name: "plugin/kubectl-aiops", command: [plugin, "diagnose", "-f", onePod] }, runs, "<= 150 ms"));
}

{
  const { tableBenchmarks } = await import("./table.mjs");
  rows.push(...(await tableBenchmarks({ compare, measure, median, root, plugin })));
}

{
  const { recordBenchmarks } = await import("./records.mjs");
  rows.push(...(await recordBenchmarks({ compare, measure, median, root, plugin })));
}

if (process.argv.includes("--live")) {
  const { proposeBenchmarks } = await import("./propose.mjs");
  rows.push(...(await proposeBenchmarks({ compare, measure, median, root, plugin })));
  const { applyBenchmarks } = await import("./apply.mjs");
  rows.push(...(await applyBenchmarks({ compare, measure, median, root, plugin })));
  const { reportBenchmarks } = await import("./report.mjs");
  rows.push(...(await reportBenchmarks({ compare, measure, median, root, plugin })));
  const { liveBenchmarks } = await import("./live.mjs");
  rows.push(...(await liveBenchmarks({ compare, measure, median, root, plugin })));
}

if (process.argv.includes("--node") || process.argv.includes("--live")) {
  const { nodeBenchmarks } = await import("./node.mjs");
  rows.push(...(await nodeBenchmarks({ compare, measure, median, root, plugin })));
}

const machine = { node: execFileSync(nodeFloor.command[0], ["-p", "process.version"], { encoding: "utf8" }).trim(), cpus: (await import("node:os")).cpus().length, date: new Date().toISOString() };
writeFileSync(path.join(results, "latest.json"), JSON.stringify({ machine, rows }, null, 2));
console.log(`| benchmark | runs | median | peak RSS | reference (same run) | target |\n| --- | --- | --- | --- | --- | --- |`);
for (const r of rows) {
  console.log(`| ${r.name} | ${r.runs} | ${r.value ?? `${r.median_ms} ms`} | ${r.peak_rss_mib === undefined ? "-" : `${r.peak_rss_mib} MiB`} | ${r.reference === undefined ? "-" : `${r.reference}: ${r.reference_median_ms} ms`} | ${r.target ?? "-"} |`);
}
