// Start-up of this checkout against another build of the plugin, alternated run by run in the
// same invocation (the machines are noisy: compare, don't trust one number). Used to show that a
// refactor made nothing slower.
//
//   git worktree add /tmp/before <commit> && ln -s "$PWD/node_modules" /tmp/before/node_modules
//   (cd /tmp/before && node scripts/build.mjs)
//   node bench/startup-compare.mjs --before /tmp/before [--runs 15] [--live]
//
// --live adds `diagnose -A -o json` on the running test bed (source .testbed/env first).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchTools } from "./lib.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({ options: { before: { type: "string" }, runs: { type: "string", default: "15" }, live: { type: "boolean", default: false } } });
if (values.before === undefined || !existsSync(path.join(values.before, "dist", "kubectl-aiops.mjs"))) {
  console.error("startup-compare: --before DIR must be a checkout with a built dist/ (see the comment at the top of this file)");
  process.exit(2);
}
const runs = Number(values.runs);
const { compare } = benchTools(root, runs);
const after = path.join(root, "plugin", "kubectl-aiops");
const before = path.join(values.before, "plugin", "kubectl-aiops");
const onePod = path.join(root, "test", "fixtures", "one-pod.json");

const cases = [
  ["--help", ["--help"]],
  ["diagnose -f one-pod.json", ["diagnose", "-f", onePod]],
  ...(values.live ? [["diagnose -A -o json (test bed)", ["diagnose", "-A", "-o", "json"]]] : []),
];
const rows = cases.map(([name, args]) => compare(`${name}: this checkout`, [after, ...args], { name: "the --before build", command: [before, ...args] }, runs));
console.log("| command | this checkout | before | runs |\n| --- | --- | --- | --- |");
for (const [i, row] of rows.entries()) console.log(`| \`${cases[i][0]}\` | ${row.median_ms} ms | ${row.reference_median_ms} ms | ${row.runs} |`);
