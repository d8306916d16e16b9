// Record-layer benchmarks (docs/records.md): write+commit one record, `list` and
// `audit verify` over 10,000 records, and repository growth per record. Used by bench/run.mjs
// through `recordBenchmarks(...)`, or standalone: `node bench/records.mjs [--keep]`.
//
// The parent runs on any Node; everything that imports src/*.ts runs in a child on the pinned
// Node 24 (type stripping), through this same file's `--child` modes.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { benchTools, gitIn, historyRepo } from "./lib.mjs";

const self = fileURLToPath(import.meta.url);
const defaultRoot = path.dirname(path.dirname(self));
const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000);
const PER_COMMIT = 500;
const AUTHOR = { GIT_AUTHOR_NAME: "Alice", GIT_AUTHOR_EMAIL: "alice@example.com", GIT_COMMITTER_NAME: "Alice", GIT_COMMITTER_EMAIL: "alice@example.com" };

function pinnedNode(root) {
  const candidates = [path.join(root, "node_modules", "node", "bin", "node"), path.join(root, "node_modules", ".bin", "node")];
  return candidates.find((c) => existsSync(c)) ?? process.execPath;
}



function duKiB(dir) {
  return Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split(/\s/)[0]);
}

function child(root, args) {
  const out = spawnSync(pinnedNode(root), [self, "--child", ...args], { cwd: root, encoding: "utf8", maxBuffer: 1 << 28 });
  if (out.status !== 0) throw new Error(`bench child ${args.join(" ")} failed: ${out.stderr}`);
  return out.stdout;
}

/**
 * The command that lists / verifies: the plugin once the lead registered the commands; until
 * then the same use-cases bundled by esbuild like the plugin is (type-stripping the sources at
 * every start would measure the loader, not the records), else the sources directly.
 */
/** A record command run through the plugin, as users run it. */
function recordCommand(plugin, dir, words) {
  return [plugin, ...words, "--history-dir", path.join(dir, "history")];
}

export async function recordBenchmarks({ compare, median, root = defaultRoot, plugin = path.join(root, "plugin", "kubectl-aiops"), keep = false }) {
  const rows = [];
  const runs = Number(process.env.BENCH_RUNS ?? 15);

  // 1. Write + commit one record, in-process, beside a plain `git commit` of one file.
  const small = historyRepo("aiops-bench-write-");
  const write = JSON.parse(child(root, ["write", small, String(Math.max(runs, 20))]));
  rows.push(row("write+commit one record (in-process, small repo)", write.record, write.git, "git add + git commit of one file", "<= 150 ms", median));

  // 2. 10,000 records, generated on the fast path (one commit per 500 records, chain intact).
  // the policy in force from the first commit names bob, who approves 200 proposals below
  const big = historyRepo("aiops-bench-10k-", { "README.md": "bench\n", ".aiops.yaml": "approvers: [bob]\n" });
  gitIn(big, "gc", "-q");
  const before = duKiB(path.join(big, ".git"));
  const started = Date.now();
  child(root, ["generate", big, String(RECORDS)]);
  console.error(`generated ${RECORDS} records in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const writeBig = JSON.parse(child(root, ["write", big, "10"]));
  rows.push(row(`write+commit one record (in-process, repo of ${RECORDS} records)`, writeBig.record, writeBig.git, "git add + git commit of one file", "<= 150 ms", median));

  rows.push(compare(`list over ${RECORDS} records`, recordCommand(plugin, big, ["list"]), undefined, 5, "<= 1 s"));
  rows.push(compare(`audit verify over ${RECORDS} records`, recordCommand(plugin, big, ["audit", "verify"]), undefined, 3, "<= 10 s"));

  // 3. Growth: packed repository size per record.
  gitIn(big, "gc", "-q");
  const after = duKiB(path.join(big, ".git"));
  const perRecord = ((after - before) / (RECORDS + 10)).toFixed(2);
  console.error(`repository growth: ${before} KiB -> ${after} KiB after gc, ${perRecord} KiB per record`);
  rows.push({ name: "repository growth per record (.git after gc)", runs: 1, median_ms: undefined, value: `${perRecord} KiB/record`, peak_rss_mib: undefined, reference: undefined, reference_median_ms: undefined, target: "-" });

  if (!keep) for (const dir of [small, big]) rmSync(dir, { recursive: true, force: true });
  else console.error(`kept ${small} and ${big}`);
  return rows;
}

function row(name, subject, reference, referenceName, target, median) {
  const r = { name, runs: subject.length, median_ms: Math.round(median(subject)), peak_rss_mib: undefined, reference: referenceName, reference_median_ms: Math.round(median(reference)), target };
  console.error(`${name}: median ${r.median_ms} ms (reference ${referenceName}: ${r.reference_median_ms} ms)`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Child modes (pinned Node 24: imports the TypeScript sources directly).

async function childMain([mode, dir, count]) {
  const src = (p) => import(pathToFileURL(path.join(defaultRoot, "src", p)).href);
  const { resolveHistory } = await src("records/history.ts");
  const history = resolveHistory({ cwd: dir, env: {} });
  switch (mode) {
    case "write": {
      const { writeRecord } = await src("records/store.ts");
      const record = [];
      const git = [];
      const scratch = path.join(dir, "scratch.txt");
      for (let i = 0; i < Number(count); i++) {
        let t = performance.now();
        await writeRecord(history, { title: `Bench write ${i}`, stage: "diagnosis", command: "bench", user: { cluster: "bench" }, labels: { category: "OOMKilled" }, body: `## Prompt\n\nbench ${i}\n` }, { now: () => new Date() });
        record.push(performance.now() - t);
        writeFileSync(scratch, `${i}\n`);
        t = performance.now();
        execFileSync("git", ["add", "--", "scratch.txt"], { cwd: dir });
        execFileSync("git", ["commit", "-q", "-m", `plain ${i}`, "--", "scratch.txt"], { cwd: dir });
        git.push(performance.now() - t);
      }
      process.stdout.write(JSON.stringify({ record, git }));
      return;
    }
    case "generate":
      return generate(history, dir, Number(count), src);
    case "list": {
      const { runList } = await src("app/records.ts");
      const io = { stdout: process.stdout, stderr: process.stderr, env: {}, cwd: dir, now: () => new Date(), stdoutIsTTY: false, stderrIsTTY: false, readStdin: async () => "" };
      process.stdout.write(await runList({ output: "table", color: false, debug: false, allNamespaces: false, requestTimeoutMs: 30000 }, {}, io));
      return;
    }
    case "audit-verify": {
      const { verifyHistory } = await src("app/records.ts");
      const result = await verifyHistory({ cwd: dir, env: {} }, { requireSigned: false });
      process.stdout.write(`${result.summary}\n`);
      if (!result.ok) {
        process.stderr.write(`${JSON.stringify(result.problems.slice(0, 5))}\n`);
        process.exitCode = 1;
      }
      return;
    }
    default:
      throw new Error(`unknown child mode ${mode}`);
  }
}

/** The fast path: records built and chained in memory, committed 500 at a time by plain git. */
async function generate(history, dir, count, src) {
  const { serializeRecord } = await src("records/record-file.ts");
  const { contentSha256, ZERO_SHA256 } = await src("records/hash.ts");
  const { createIdGenerator } = await src("records/ids.ts");
  const { recordRelativePath } = await src("records/paths.ts");
  const categories = ["OOMKilled", "CrashLoopBackOff", "ImagePullError", "Unschedulable", "ReadinessProbeFailure"];
  const nextId = createIdGenerator();
  const start = Date.parse("2026-01-01T00:00:00Z");
  let prev = ZERO_SHA256;
  const proposals = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(start + i * 60_000);
    const date = at.toISOString().replace(/\.\d{3}Z$/, "Z");
    const category = categories[i % categories.length];
    const ns = `team-${i % 50}`;
    const isProposal = i % 3 === 1;
    const fm = {
      id: nextId(at.getTime()),
      title: isProposal ? `Raise memory of ${ns}/app-${i}` : `${category} in ${ns}/app-${i}`,
      stage: isProposal ? "proposal" : "diagnosis",
      date,
      surface: "kubectl-aiops",
      tool_version: "0.1.0",
      model: "rules",
      command: isProposal ? `kubectl aiops propose resources deployment/app-${i} -n ${ns}` : `kubectl aiops diagnose deployment app-${i} -n ${ns} --record`,
      user: { cluster: "alice", git: `${AUTHOR.GIT_AUTHOR_NAME} <${AUTHOR.GIT_AUTHOR_EMAIL}>` },
      cluster: { context: "bench", server: "https://127.0.0.1:6443" },
      target: { apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: `app-${i}`, generation: 3 },
      labels: { category },
      tier: "medium",
      status: isProposal ? "proposed" : "recorded",
      ...(isProposal
        ? { action: { type: "resources", patchType: "strategic", patch: { spec: { template: { spec: { containers: [{ name: "main", resources: { requests: { memory: "156Mi" }, limits: { memory: "200Mi" } } }] } } } }, rollback: { spec: { template: { spec: { containers: [{ name: "main", resources: { requests: { memory: "128Mi" }, limits: { memory: "128Mi" } } }] } } } }, dryRun: { result: "passed" } }, window: { opened: date, expires: new Date(at.getTime() + 1_800_000).toISOString().replace(/\.\d{3}Z$/, "Z") }, metrics: { pre: { memory_p95: "120Mi", memory_max: "150Mi", samples: 2016 } } }
        : {}),
      content_sha256: ZERO_SHA256,
      prev_record_sha256: prev,
      approvals: [],
      events: [],
    };
    const body = `## Prompt\n\n\`\`\`\n${fm.command}\n\`\`\`\n\n## Response snapshot\n\n- **${category}** (critical) deployment/${ns}/app-${i}: container main restarted ${i % 9} times\n\n## Evidence\n\n- lastState.terminated: exit 137 at ${date}\n- event BackOff: Back-off restarting failed container\n`;
    fm.content_sha256 = contentSha256(fm, body);
    prev = fm.content_sha256;
    const relative = recordRelativePath(fm);
    const file = path.join(history.dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, serializeRecord({ frontMatter: fm, body }));
    if (isProposal && proposals.length < 200) proposals.push({ file, fm, body });
    if ((i + 1) % PER_COMMIT === 0 || i === count - 1) {
      execFileSync("git", ["add", "-A", "--", history.relDir], { cwd: dir });
      // committed as the identity the records name: audit verify checks who wrote a record
      execFileSync("git", ["commit", "-q", "-m", `bench: records up to ${i + 1}`], { cwd: dir, env: { ...process.env, ...AUTHOR } });
    }
  }
  // Later versions for 200 proposals (approved by someone other than the proposer), one commit.
  for (const p of proposals) {
    const fm = { ...p.fm, status: "approved", approvals: [{ identity: "bob", role: "approver", decision: "approved", at: p.fm.date }] };
    writeFileSync(p.file, serializeRecord({ frontMatter: fm, body: `${p.body}\n## Decision\n\nbob approved\n` }));
  }
  execFileSync("git", ["commit", "-q", "-a", "-m", "bench: approvals"], { cwd: dir });
  readFileSync(path.join(dir, ".git", "HEAD"));
}

// ---------------------------------------------------------------------------------------------
// Standalone: node bench/records.mjs [--keep]


if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === self) {
  if (process.argv[2] === "--child") {
    await childMain(process.argv.slice(3));
  } else {
    const { compare, measure, median } = benchTools(defaultRoot);
    const rows = await recordBenchmarks({ compare, measure, median, root: defaultRoot, keep: process.argv.includes("--keep") });
    console.log("| benchmark | runs | median | peak RSS | reference (same run) | target |\n| --- | --- | --- | --- | --- | --- |");
    for (const r of rows) {
      console.log(`| ${r.name} | ${r.runs} | ${r.value ?? `${r.median_ms} ms`} | ${r.peak_rss_mib === undefined ? "-" : `${r.peak_rss_mib} MiB`} | ${r.reference === undefined ? "-" : `${r.reference}: ${r.reference_median_ms} ms`} | ${r.target ?? "-"} |`);
    }
  }
}
