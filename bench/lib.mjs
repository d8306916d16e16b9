// Helpers the benchmark files share: the test bed's env file and throwaway history repositories.
import { execFileSync } from "node:child_process";
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
