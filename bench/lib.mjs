// Helpers the benchmark files share: the test bed's env file and throwaway history repositories.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** `.testbed/env` as an object (`export NAME="value"` lines). */
export function readEnvFile(file) {
  const env = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^export ([A-Z_]+)="(.*)"$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** Runs git in `dir`, returning its trimmed stdout. */
export function gitIn(dir, ...args) {
  return execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A fresh git repository with an identity and one commit holding `files` (path -> content). */
export function historyRepo(prefix, files = { "README.md": "bench\n" }) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  gitIn(dir, "init", "-q", "-b", "main");
  gitIn(dir, "config", "user.name", "Bench");
  gitIn(dir, "config", "user.email", "bench@example.com");
  gitIn(dir, "config", "commit.gpgsign", "false");
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content);
  gitIn(dir, "add", "-A");
  gitIn(dir, "commit", "-q", "--allow-empty", "-m", "initial");
  return dir;
}

/**
 * The measuring tools every benchmark uses: `measure` runs a command through bench/measure.py
 * (wall seconds and the child's peak RSS), `compare` alternates a subject with its reference so
 * drift in machine load hits both alike, and reports medians.
 */
export function benchTools(root, defaultRuns = 15) {
  const measure = (command) => {
    const out = spawnSync("python3", [path.join(root, "bench", "measure.py"), ...command], { encoding: "utf8", cwd: root });
    if (out.status !== 0) throw new Error(`measure failed: ${out.stderr}`);
    const result = JSON.parse(out.stdout);
    if (result.status !== 0 && result.status !== 3) throw new Error(`${command.join(" ")} exited ${result.status}: ${result.stderr}`);
    return result;
  };
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
  };
  const compare = (name, command, reference, n = defaultRuns, target) => {
    const a = [];
    const b = [];
    let rss = 0;
    for (let i = 0; i < n; i++) {
      const m = measure(command);
      a.push(m.wall_s);
      rss = Math.max(rss, m.rss_mib);
      if (reference !== undefined) b.push(measure(reference.command).wall_s);
    }
    const row = { name, runs: n, median_ms: Math.round(median(a) * 1000), peak_rss_mib: Math.round(rss), reference: reference?.name, reference_median_ms: reference === undefined ? undefined : Math.round(median(b) * 1000), target };
    console.error(`${name}: median ${row.median_ms} ms${reference === undefined ? "" : ` (reference ${reference.name}: ${row.reference_median_ms} ms)`}, peak RSS ${row.peak_rss_mib} MiB`);
    return row;
  };
  return { measure, median, compare };
}
