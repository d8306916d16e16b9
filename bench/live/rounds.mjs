// Measures several commands in rounds, each round running every command once (in an order that
// rotates from round to round), so that drift in the machine's load hits them all alike. Each run:
// wall time and peak RSS (bench/measure.py) and the API requests it made, counted in the audit log
// (the benchmark user's ResponseComplete events received inside the run's window).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { auditCount, auditMark } from "./audit.mjs";

/**
 * subjects: [{ key, command, runs, warmup = true, capture = false }]. `runs` may differ (an
 * expensive subject takes part in the first rounds only); `warmup: false` skips the unrecorded
 * first run; `capture: true` keeps what the command printed (its last run), returned as `output`.
 * A subject that fails (exits with an error, is killed) leaves the rounds with its error; the
 * others go on. Returns Map key -> { runs, median_ms, peak_rss_mib, requests, requests_range,
 * by_kind, agents, output } or { runs: 0, error }.
 */
export async function measureRounds({ subjects, measure, median, audit, log = () => {} }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "aiops-bench-rounds-"));
  try {
    const file = (s) => path.join(dir, `${s.key.replace(/[^A-Za-z0-9_.-]+/g, "_")}.out`);
    // the command's stdout into a file: exec keeps the measured process the command itself
    const commandOf = (s) => (s.capture ? ["sh", "-c", 'exec "$@" >"$0"', file(s), ...s.command] : s.command);
    const failed = new Map();
    const attempt = (s, fn) => {
      try {
        return fn();
      } catch (error) {
        failed.set(s.key, error.message.slice(0, 500));
        log(`${s.key} failed, left out of the next rounds: ${error.message.slice(0, 300)}`);
        return undefined;
      }
    };
    for (const s of subjects) if (s.warmup !== false) attempt(s, () => measure(commandOf(s)));
    const samples = new Map(subjects.map((s) => [s.key, []]));
    const rounds = Math.max(...subjects.map((s) => s.runs));
    for (let round = 0; round < rounds; round++) {
      const shift = round % subjects.length;
      const order = [...subjects.slice(shift), ...subjects.slice(0, shift)].filter((s) => s.runs > round && !failed.has(s.key));
      for (const s of order) {
        const mark = auditMark(audit.file);
        const m = attempt(s, () => measure(commandOf(s)));
        if (m === undefined) continue;
        const requests = await auditCount(mark, audit.username, Date.now());
        samples.get(s.key).push({ wall_s: m.wall_s, rss_mib: m.rss_mib, requests });
      }
      log(`round ${round + 1}/${rounds}: ${order.filter((s) => !failed.has(s.key)).map((s) => `${s.key} ${Math.round(samples.get(s.key).at(-1).wall_s * 1000)} ms`).join(", ")}`);
    }
    const results = new Map();
    for (const s of subjects) {
      if (failed.has(s.key)) {
        results.set(s.key, { runs: 0, error: failed.get(s.key) });
        continue;
      }
      const xs = samples.get(s.key);
      const totals = xs.map((x) => x.requests.total);
      let output;
      if (s.capture) {
        try {
          output = readFileSync(file(s), "utf8");
        } catch {
          output = undefined;
        }
      }
      results.set(s.key, {
        runs: xs.length,
        median_ms: Math.round(median(xs.map((x) => x.wall_s)) * 1000),
        peak_rss_mib: Math.round(Math.max(...xs.map((x) => x.rss_mib))),
        requests: median(totals),
        requests_range: [Math.min(...totals), Math.max(...totals)],
        by_kind: xs[0].requests.byKey,
        agents: xs[0].requests.agents,
        output,
      });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** JSON printed by a command, skipping lines before it (k8sgpt prints notes on stdout first). */
export function jsonOutput(text) {
  if (text === undefined) return undefined;
  const start = text.search(/^[{[]/m);
  if (start < 0) return undefined;
  try {
    return JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
}
