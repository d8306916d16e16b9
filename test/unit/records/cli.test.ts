import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveHistory } from "../../../src/records/history.ts";
import { notePendingWrite } from "../../../src/records/journal.ts";
import { appendToRecord, writeRecord } from "../../../src/records/store.ts";
import { git, gitdir } from "../../helpers/gitdir.ts";
import { runCli } from "../../helpers/io.ts";
import { fixedDeps, newProposal } from "./fixtures.ts";

/** Runs the record commands through the CLI as users do (main.ts wires them). */
async function runRecords(argv: string[], cwd: string, now = "2026-11-21T10:10:00Z"): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(argv, { cwd, now, env: {} });
}

async function repo(): Promise<{ dir: string; proposal: string; diagnosis: string }> {
  const dir = gitdir({ ".aiops.yaml": "approvers: [bob, carol]\nsecurityReviewers: [sec]\n" });
  const history = resolveHistory({ cwd: dir, env: {} });
  const deps = fixedDeps();
  const d = await writeRecord(history, newProposal({ title: "OOMKilled in shop/api", stage: "diagnosis", tier: "medium", action: undefined, window: undefined }), deps);
  const p = await writeRecord(history, newProposal({ links: { diagnosis: d.frontMatter.id } }), deps);
  await appendToRecord(history, p.frontMatter.id, { status: "approved", approvals: [{ identity: "bob", role: "approver", decision: "approved", at: "2026-11-21T10:05:00Z" }], bodyAppend: "## Decision\n\nbob approved" }, deps);
  return { dir, proposal: p.frontMatter.id, diagnosis: d.frontMatter.id };
}

describe("list", () => {
  it("prints a table with id, stage, tier, status, target, age and window left", async () => {
    const r = await repo();
    const out = await runRecords(["list"], r.dir);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+STAGE\s+TIER\s+STATUS\s+TARGET\s+AGE\s+WINDOW LEFT$/);
    expect(lines[1]).toMatch(new RegExp(`^${r.diagnosis}\\s+diagnosis\\s+medium\\s+recorded\\s+deployment/shop/api\\s+9m\\s+-$`));
    expect(lines[2]).toMatch(new RegExp(`^${r.proposal}\\s+proposal\\s+medium\\s+approved\\s+deployment/shop/api\\s+9m\\s+20m$`));
  });

  it("prints the front matter as JSON with -o json, and filters", async () => {
    const r = await repo();
    const out = await runRecords(["list", "-o", "json", "--stage", "proposal"], r.dir);
    const parsed = JSON.parse(out.stdout) as { kind: string; items: { id: string; status: string; path: string; approvals: unknown[] }[] };
    expect(parsed.kind).toBe("RecordList");
    expect(parsed.items.map((i) => [i.id, i.status])).toEqual([[r.proposal, "approved"]]);
    expect(parsed.items[0]?.path).toMatch(/\.proposal\.md$/);
    expect(out.stderr).toBe("");
  });

  it("says how to create a repository when run outside one", async () => {
    const outside = path.join(path.dirname(gitdir()), `not-a-repo-${process.pid}`);
    mkdirSync(outside, { recursive: true });
    const out = await runRecords(["list"], outside);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/not inside a git repository[\s\S]*hint: create one with: git init/);
  });

  it("recovers an uncommitted record before listing", async () => {
    const r = await repo();
    git(r.dir, "reset", "-q", "--soft", "HEAD~1");
    git(r.dir, "reset", "-q");
    // The crash came after the store noted the write (journal) and before its commit.
    const history = resolveHistory({ cwd: r.dir, env: {} });
    const changed = git(r.dir, "diff", "--name-only", "--relative=history").split("\n")[0] ?? "";
    await notePendingWrite(history, changed, readFileSync(path.join(history.dir, changed), "utf8"));
    const out = await runRecords(["list"], r.dir);
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/recovered/);
    expect(git(r.dir, "log", "-1", "--format=%s")).toBe("aiops(proposal): Raise memory of shop/api (recovered)");
  });
});

describe("show", () => {
  it("renders a record as Markdown by id prefix, and as data with -o yaml", async () => {
    const r = await repo();
    // The records are a second apart: their first 10 (time) characters already differ.
    const out = await runRecords(["show", r.proposal.slice(0, 12).toLowerCase()], r.dir);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^# Raise memory of shop\/api\n\n\| field \| value \|/);
    expect(out.stdout).toContain("| status | approved |");
    expect(out.stdout).toContain("## Decision\n\nbob approved");
    const yaml = await runRecords(["show", r.proposal, "-o", "yaml"], r.dir);
    expect(yaml.stdout).toMatch(/^apiVersion: aiops.dev\/v1\nkind: Record\npath: /);
    expect(yaml.stdout).toContain("body: ");
  });

  it("refuses a path outside the history folder with exit 1", async () => {
    const r = await repo();
    const out = await runRecords(["show", "../../etc/passwd"], path.join(r.dir, "history"));
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/refused: .* outside the history directory/);
  });

  it("lists candidates for an ambiguous prefix and suggests ids for an unknown one", async () => {
    const r = await repo();
    const ambiguous = await runRecords(["show", r.proposal.slice(0, 4)], r.dir);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(r.proposal);
    expect(ambiguous.stderr).toContain(r.diagnosis);
    const unknown = await runRecords(["show", `${r.proposal.slice(0, 25)}${r.proposal.endsWith("X") ? "Y" : "X"}`], r.dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/closest ids: /);
  });
});

describe("audit", () => {
  it("verify exits 0 with one summary line; log prints one line per record commit", async () => {
    const r = await repo();
    const verify = await runRecords(["audit", "verify"], r.dir);
    expect(verify).toMatchObject({ code: 0, stdout: "audit verify: 2 records, 4 commits, chain intact\n" });
    const log = await runRecords(["audit", "log"], r.dir);
    const lines = log.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(new RegExp(`^\\S+  Test User <test@example.com>  ${r.proposal}  proposal  proposed -> approved \\[bob approved\\]  Raise memory of shop/api$`));
    const json = JSON.parse((await runRecords(["audit", "log", "-o", "json"], r.dir)).stdout) as { items: { to: string }[] };
    expect(json.items.map((i) => i.to)).toEqual(["recorded", "proposed", "approved"]);
  });

  it("verify exits 1 naming the record and commit of a tampered history, JSON on stdout", async () => {
    const r = await repo();
    const file = git(r.dir, "ls-files", "history/prompts").split("\n").find((f) => f.includes(r.diagnosis)) ?? "";
    git(r.dir, "rm", "-q", file);
    git(r.dir, "commit", "-qm", "oops");
    const out = await runRecords(["audit", "verify", "-o", "json"], r.dir);
    expect(out.code).toBe(1);
    const parsed = JSON.parse(out.stdout) as { ok: boolean; problems: { kind: string; record: string; commit: string }[] };
    expect(parsed.ok).toBe(false);
    expect(parsed.problems[0]).toMatchObject({ kind: "deleted", record: r.diagnosis, commit: git(r.dir, "rev-parse", "HEAD") });
    expect(out.stderr).toMatch(/error: audit verify: 1 problem/);
    const table = await runRecords(["audit", "verify"], r.dir);
    expect(table.stdout).toMatch(new RegExp(`^DELETED  record ${r.diagnosis}  commit [0-9a-f]{12}`));
  });
});
