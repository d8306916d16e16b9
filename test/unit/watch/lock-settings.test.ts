import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { watchLockFile, withWatchLock } from "../../../src/app/watch/instance-lock.ts";
import { parseSettings } from "../../../src/app/watch/settings.ts";
import { resolveHistory } from "../../../src/records/history.ts";
import { gitdir } from "../../helpers/gitdir.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
// The holder imports TypeScript sources: it needs the pinned Node 24 (type stripping).
const PINNED = path.join(ROOT, "node_modules", "node", "bin", "node");
const NODE = existsSync(PINNED) ? PINNED : process.execPath;

describe("one watch per history repository", () => {
  it("a second watch fails at once, naming the holder's pid; the lock goes with the holder", async () => {
    const dir = gitdir();
    const history = resolveHistory({ cwd: dir, env: {} });
    const holderScript = `import { withWatchLock } from ${JSON.stringify(path.join(ROOT, "src/app/watch/instance-lock.ts"))};
import { resolveHistory } from ${JSON.stringify(path.join(ROOT, "src/records/history.ts"))};
await withWatchLock(resolveHistory({ cwd: ${JSON.stringify(dir)}, env: {} }), async () => { process.stdout.write("held\\n"); await new Promise((r) => process.stdin.once("data", r)); });`;
    writeFileSync(path.join(dir, "holder.mts"), holderScript);
    const child = spawn(NODE, [path.join(dir, "holder.mts")], { stdio: ["pipe", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    try {
      await expect(withWatchLock(history, async () => "ran")).rejects.toThrow(new RegExp(`another kubectl aiops watch is already running .*pid ${child.pid}`));
    } finally {
      child.stdin.end("stop\n");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    expect(existsSync(watchLockFile(history))).toBe(false);
    await expect(withWatchLock(history, async () => "ran")).resolves.toBe("ran");
  });
});

describe("watch settings in .aiops.yaml", () => {
  it("reads watch rules beside the policy fields", () => {
    const s = parseSettings("prometheus: http://prom:9090\nwatch:\n  autoApplyTrivial: true\n  rules:\n  - {name: http-5xx, expr: 'sum(rate(x[5m])) > 0', for: 2m}\n", ".aiops.yaml");
    expect(s.policy.prometheus).toBe("http://prom:9090");
    expect(s.watch).toEqual({ autoApplyTrivial: true, ruleInterval: 30, rules: [{ name: "http-5xx", expr: "sum(rate(x[5m])) > 0", for: 120 }] });
  });

  it("defaults without a watch section; a bad rule names the field", () => {
    expect(parseSettings("approvers: [alice]\n", ".aiops.yaml").watch).toEqual({ autoApplyTrivial: false, ruleInterval: 30, rules: [] });
    expect(() => parseSettings("watch:\n  rules:\n  - {name: 'bad name', expr: up}\n", ".aiops.yaml")).toThrow(/watch\.rules\.0\.name/);
  });
});
