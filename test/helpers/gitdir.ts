import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** The environment for test git processes: no GIT_DIR & co. leaking in from a surrounding hook. */
export function testGitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: "1" };
  for (const name of ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"]) delete env[name];
  return env;
}

/** Runs git in `dir` and returns its trimmed stdout. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, env: testGitEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * A real temporary git repository on branch main, with an identity and one commit holding
 * `files` (path -> content). Records are tested against real git, never a fake.
 */
export function gitdir(files: Record<string, string> = {}): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "aiops-git-")));
  git(dir, "init", "-q", "-b", "main");
  git(dir, "config", "user.name", "Test User");
  git(dir, "config", "user.email", "test@example.com");
  git(dir, "config", "commit.gpgsign", "false");
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", "initial commit");
  return dir;
}
