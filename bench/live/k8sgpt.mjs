// k8sgpt for the comparison rows: built once into ~/.cache/kubectl-aiops-testbed/k8sgpt/ (never
// into the repository) and reused. First `go install github.com/k8sgpt-ai/k8sgpt@latest` as the
// issue asks; if that fails, the reason is kept and a pinned version (K8SGPT_VERSION, default
// v0.4.17) is built from its module zip: `go mod download`, copy, `go build` inside the copy.
// That route is needed here because the module proxy answers 403 for k8sgpt's version list
// (which `go install pkg@version` reads for the deprecation check) and for several versions, and
// because k8sgpt's go.mod has replace directives, which `go install pkg@version` refuses.
import { spawnSync } from "node:child_process";
import { cpSync, chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const MODULE = "github.com/k8sgpt-ai/k8sgpt";

function go(args, { cwd, env, timeoutS, logFile }) {
  const r = spawnSync("go", args, { cwd, env: { ...process.env, GOTOOLCHAIN: "local", CGO_ENABLED: "0", ...env }, encoding: "utf8", timeout: timeoutS * 1000, maxBuffer: 64 << 20 });
  appendFileSync(logFile, `$ go ${args.join(" ")}  (in ${cwd})\n${r.stdout ?? ""}${r.stderr ?? ""}\n`);
  const err = r.error ? String(r.error.message ?? r.error) : r.status !== 0 ? (r.stderr ?? "").trim().split("\n").filter((l) => !l.startsWith("go: downloading")).slice(-3).join(" / ") : undefined;
  return { ok: r.status === 0 && !r.error, out: r.stdout ?? "", err };
}

function chmodTree(dir) {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chmodTree(p);
    else if (e.isFile()) chmodSync(p, statSync(p).mode | 0o200);
  }
}

/** Returns {bin, version, notes} or {error, notes}. */
export function ensureK8sgpt({ log, timeoutS = 600 }) {
  const cache = path.join(process.env.AIOPS_TESTBED_CACHE ?? path.join(os.homedir(), ".cache", "kubectl-aiops-testbed"), "k8sgpt");
  mkdirSync(cache, { recursive: true });
  const logFile = path.join(cache, "build.log");
  const pinned = process.env.K8SGPT_VERSION ?? "v0.4.17";
  const notes = [];
  if (process.env.K8SGPT_BIN && existsSync(process.env.K8SGPT_BIN)) return { bin: process.env.K8SGPT_BIN, version: "K8SGPT_BIN", notes };
  const latestBin = path.join(cache, "k8sgpt");
  const pinnedBin = path.join(cache, `k8sgpt-${pinned}`);
  const failedLatest = path.join(cache, "latest-failed.txt");
  if (existsSync(latestBin)) return { bin: latestBin, version: "latest", notes };
  if (existsSync(pinnedBin)) {
    if (existsSync(failedLatest)) notes.push(`@latest: ${readFirst(failedLatest)}`);
    return { bin: pinnedBin, version: pinned, notes };
  }
  if (spawnSync("go", ["version"]).status !== 0) return { error: "no Go toolchain on PATH", notes };
  const t0 = Date.now();
  log(`k8sgpt: go install ${MODULE}@latest (GOBIN=${cache}; log ${logFile})`);
  const latest = go(["install", `${MODULE}@latest`], { cwd: os.tmpdir(), env: { GOBIN: cache }, timeoutS, logFile });
  if (latest.ok && existsSync(latestBin)) return { bin: latestBin, version: "latest", notes };
  notes.push(`@latest: ${latest.err}`);
  writeFileSync(failedLatest, `${latest.err}\n`);
  log(`k8sgpt: @latest failed (${latest.err}); building the pinned ${pinned} from its module zip`);
  const dl = go(["mod", "download", "-json", `${MODULE}@${pinned}`], { cwd: os.tmpdir(), env: {}, timeoutS: 120, logFile });
  if (!dl.ok) return { error: `@latest: ${latest.err}; ${pinned}: go mod download: ${dl.err}`, notes };
  const dir = JSON.parse(dl.out).Dir;
  const src = path.join(cache, `src-${pinned}`);
  rmSync(src, { recursive: true, force: true });
  cpSync(dir, src, { recursive: true });
  chmodTree(src);
  const left = Math.max(60, timeoutS - (Date.now() - t0) / 1000);
  const build = go(["build", "-trimpath", "-o", pinnedBin, "."], { cwd: src, env: { GOFLAGS: "-mod=mod" }, timeoutS: left, logFile });
  if (!build.ok || !existsSync(pinnedBin)) return { error: `@latest: ${latest.err}; ${pinned}: go build: ${build.err}`, notes };
  log(`k8sgpt: built ${pinned} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { bin: pinnedBin, version: pinned, notes };
}

function readFirst(file) {
  try {
    return String(spawnSync("head", ["-n1", file], { encoding: "utf8" }).stdout).trim();
  } catch {
    return "";
  }
}

/**
 * Every analyzer k8sgpt offers, as `k8sgpt filters list` prints them ("Active:" are the ones a run
 * without --filter uses, "Unused:" the others; integrations add theirs): `--filter` with all of
 * them runs them all.
 */
export function k8sgptAnalyzers(bin, env = {}) {
  const r = spawnSync(bin, ["filters", "list"], { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`k8sgpt filters list: ${(r.stderr ?? "").trim().slice(0, 300)}`);
  const sections = {};
  let section = "";
  for (const line of r.stdout.split("\n")) {
    const heading = /^(\w[\w ]*):\s*$/.exec(line.trim());
    if (heading) section = heading[1];
    const item = /^>\s*(\S+)/.exec(line.trim());
    if (item) (sections[section] ??= []).push(item[1]);
  }
  const all = [...new Set(Object.values(sections).flat())].sort();
  if (all.length === 0) throw new Error(`k8sgpt filters list printed no analyzers: ${r.stdout.slice(0, 300)}`);
  return { all, active: [...(sections.Active ?? [])].sort() };
}
