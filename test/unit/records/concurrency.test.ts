import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { verifyHistory } from "../../../src/app/records.ts";
import { resolveHistory } from "../../../src/records/history.ts";
import { listRecords } from "../../../src/records/store.ts";
import { git, gitdir, testGitEnv } from "../../helpers/gitdir.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const writer = path.join(here, "concurrent-writer.ts");
const pinnedNode = path.resolve(here, "../../../node_modules/.bin/node");
const node = existsSync(pinnedNode) ? pinnedNode : process.execPath;

function runWriter(dir: string, title: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(node, [writer, dir, title], { env: testGitEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("concurrent writers", () => {
  it("20 processes writing at once produce 20 records, 20 commits and an intact chain", async () => {
    const dir = gitdir({ "README.md": "x\n" });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runWriter(dir, `writer ${String(i).padStart(2, "0")}`)));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const ids = results.map((r) => r.stdout.trim());
    expect(new Set(ids).size).toBe(20);
    expect(git(dir, "rev-list", "--count", "HEAD")).toBe("21");
    expect(git(dir, "log", "--format=%s", "-20").split("\n").every((s) => /^aiops\(diagnosis\): writer \d\d$/.test(s))).toBe(true);
    expect(git(dir, "status", "--porcelain")).toBe("");
    const listing = await listRecords(resolveHistory({ cwd: dir, env: {} }), { now: () => new Date() });
    expect(listing.records).toHaveLength(20);
    const result = await verifyHistory({ cwd: dir, env: {} }, { requireSigned: false });
    expect(result.problems).toEqual([]);
    expect(result.summary).toBe("audit verify: 20 records, 20 commits, chain intact");
  }, 120_000);
});
