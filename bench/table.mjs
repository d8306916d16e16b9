// `diagnose -o table` and `-o wide` against `-o json` on 10,000 pods (target: at most 1.5x json),
// on the bench List (bench/generate-list.mjs, 5 % of pods failing) and on the same List with every
// pod failing: 10,000 findings, a table's worst case. Whole runs of the plugin, each format
// alternating with json so machine load hits both alike; medians. Used by bench/run.mjs through
// `tableBenchmarks(...)`, or standalone: `node bench/table.mjs` (BENCH_RUNS, default 7).
//
// BENCH_BUNDLE=path/to/kubectl-aiops.mjs measures another bundle than dist/ (the plugin's).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchTools } from "./lib.mjs";

const self = fileURLToPath(import.meta.url);
const defaultRoot = path.dirname(path.dirname(self));
const PODS = 10_000;

/** Every pod of a Deployment failing the way the generator's failing pods of that kind fail. */
function failEveryPod(list) {
  const kinds = ["oom", "crash", "pull", "pending"];
  const failing = {};
  for (const item of list.items) {
    if (item.kind !== "Pod") continue;
    const waiting = item.status.containerStatuses?.[0]?.state?.waiting?.reason;
    const terminated = item.status.containerStatuses?.[0]?.lastState?.terminated?.reason;
    const kind = terminated === "OOMKilled" ? "oom" : terminated === "Error" ? "crash" : waiting === "ImagePullBackOff" ? "pull" : item.status.phase === "Pending" ? "pending" : undefined;
    if (kind !== undefined) failing[kind] ??= structuredClone({ status: item.status, nodeName: item.spec.nodeName });
  }
  for (const item of list.items) {
    if (item.kind !== "Pod") continue;
    const deployment = Number(/^app-(\d+)-/.exec(item.metadata.name)?.[1] ?? 0);
    const model = failing[kinds[deployment % kinds.length]];
    item.status = structuredClone(model.status);
    if (model.nodeName === undefined) delete item.spec.nodeName;
  }
  return list;
}

function inputs(root, dir) {
  const raw = execFileSync(process.execPath, [path.join(root, "bench", "generate-list.mjs"), String(PODS), "50"], { maxBuffer: 1 << 30, encoding: "utf8" });
  const some = path.join(dir, `pods-${PODS}.json`);
  const all = path.join(dir, `pods-${PODS}-all-failing.json`);
  writeFileSync(some, raw);
  writeFileSync(all, JSON.stringify(failEveryPod(JSON.parse(raw))));
  return [
    { label: `${PODS} pods, 5 % failing`, file: some },
    { label: `${PODS} pods, all failing`, file: all },
  ];
}

export async function tableBenchmarks({ compare, root = defaultRoot, plugin = path.join(root, "plugin", "kubectl-aiops") }) {
  const runs = Number(process.env.BENCH_RUNS ?? 7);
  const bundle = process.env.BENCH_BUNDLE;
  const node = [path.join(root, "node_modules", "node", "bin", "node"), process.execPath].find((p) => existsSync(p));
  const command = (...args) => (bundle === undefined ? [plugin, ...args] : [node, "--max-semi-space-size=4", bundle, ...args]);
  const dir = mkdtempSync(path.join(tmpdir(), "aiops-bench-table-"));
  const rows = [];
  try {
    for (const { label, file } of inputs(root, dir)) {
      const json = { name: "-o json (same run)", command: command("diagnose", "-f", file, "-o", "json") };
      for (const format of ["table", "wide"]) {
        const row = compare(`diagnose -o ${format}, ${label}`, command("diagnose", "-f", file, "-o", format), json, runs, "<= 1.5x json");
        row.value = `${row.median_ms} ms (${(row.median_ms / row.reference_median_ms).toFixed(2)}x json)`;
        rows.push(row);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] === self) {
  if (process.env.BENCH_BUNDLE === undefined && !existsSync(path.join(defaultRoot, "dist", "kubectl-aiops.mjs"))) execFileSync(process.execPath, [path.join(defaultRoot, "scripts", "build.mjs")]);
  const tools = benchTools(defaultRoot);
  const rows = await tableBenchmarks({ ...tools });
  console.log("| benchmark | runs | median | json median (same run) | target |\n| --- | --- | --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.name} | ${r.runs} | ${r.value} | ${r.reference_median_ms} ms | ${r.target} |`);
}
