import { describe, expect, it } from "vitest";
import { runReport } from "../../../src/app/report.ts";
import { createSession, type GlobalOptions, type Io } from "../../../src/app/session.ts";
import { resolveHistory } from "../../../src/records/history.ts";
import { writeRecord } from "../../../src/records/store.ts";
import { gitdir } from "../../helpers/gitdir.ts";

const NOW = new Date("2026-11-21T21:00:00Z");

function ioFor(cwd: string): Io & { err: () => string } {
  let stderr = "";
  return {
    argv: ["report", "weekly"],
    stdout: { write: () => true },
    stderr: { write: (c: string) => (stderr += c) },
    readStdin: async () => "",
    env: { HOME: "/nonexistent" },
    cwd,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    now: () => NOW,
    err: () => stderr,
  };
}

const globals: GlobalOptions = { output: "markdown", color: false, debug: false, allNamespaces: false, requestTimeoutMs: 1000 };

async function repoWithReport(key: string): Promise<string> {
  const dir = gitdir();
  await writeRecord(
    resolveHistory({ cwd: dir, env: {} }),
    { title: `Weekly health report ${key}`, stage: "report", command: "kubectl aiops report weekly", user: { cluster: "admin" }, labels: { period: "weekly", period_key: key }, body: "## Score\n\nx\n" },
    { now: () => new Date("2026-11-20T06:00:00Z") },
  );
  return dir;
}

describe("a period already reported", () => {
  it("is skipped with a note (exit 0, nothing written, no cluster contacted)", async () => {
    const dir = await repoWithReport("2026-W47");
    const io = ioFor(dir);
    const outcome = await runReport(createSession(io, globals), { period: "weekly", force: false, dryRun: false, command: "kubectl aiops report weekly" });
    expect(outcome).toEqual({ text: "", skipped: true });
    expect(io.err()).toContain("the weekly report of 2026-W47 exists already");
    expect(io.err()).toContain("--force");
  });

  it("--force goes on to gather the cluster (here: none configured)", async () => {
    const dir = await repoWithReport("2026-W47");
    await expect(runReport(createSession(ioFor(dir), globals), { period: "weekly", force: true, dryRun: false, command: "kubectl aiops report weekly --force" })).rejects.toThrow(/no kubeconfig found/);
  });

  it("another period, or the other period kind, is not skipped", async () => {
    const dir = await repoWithReport("2026-W46");
    await expect(runReport(createSession(ioFor(dir), globals), { period: "weekly", force: false, dryRun: false, command: "c" })).rejects.toThrow(/no kubeconfig found/);
    await expect(runReport(createSession(ioFor(dir), globals), { period: "daily", force: false, dryRun: false, command: "c" })).rejects.toThrow(/no kubeconfig found/);
  });
});
