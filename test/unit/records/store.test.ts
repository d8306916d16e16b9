import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { serializeRecord } from "../../../src/records/record-file.ts";
import { ZERO_SHA256, contentSha256 } from "../../../src/records/hash.ts";
import { resolveHistory } from "../../../src/records/history.ts";
import { encodeTime } from "../../../src/records/ids.ts";
import { notePendingWrite } from "../../../src/records/journal.ts";
import { resolveRecord } from "../../../src/records/resolve-record.ts";
import { appendToRecord, listRecords, writeRecord } from "../../../src/records/store.ts";
import { git, gitdir } from "../../helpers/gitdir.ts";
import { fixedDeps, newProposal, proposalFrontMatter, SAMPLE_BODY } from "./fixtures.ts";

const historyIn = (dir: string) => resolveHistory({ cwd: dir, env: {} });

describe("writeRecord", () => {
  it("writes one file at the docs/records.md path and commits exactly it", async () => {
    const dir = gitdir({ "README.md": "hi\n" });
    const history = historyIn(dir);
    const written = await writeRecord(history, newProposal(), fixedDeps());
    expect(written.location.relative).toMatch(/^prompts\/2026\/11\/[0-9A-Z]{26}-raise-memory-of-shop-api\.proposal\.md$/);
    expect(git(dir, "log", "-1", "--format=%s")).toBe("aiops(proposal): Raise memory of shop/api");
    expect(git(dir, "show", "--name-only", "--format=", "HEAD")).toBe(`history/${written.location.relative}`);
    expect(git(dir, "rev-parse", "HEAD")).toBe(written.commit);
    const fm = written.frontMatter;
    expect(fm).toMatchObject({ stage: "proposal", status: "proposed", surface: "kubectl-aiops", date: "2026-11-21T10:00:01Z", prev_record_sha256: ZERO_SHA256, user: { cluster: "alice", git: "Test User <test@example.com>" } });
    expect(contentSha256(fm, written.body)).toBe(fm.content_sha256);
  });

  it("chains each record to the one before it", async () => {
    const history = historyIn(gitdir());
    const deps = fixedDeps();
    const a = await writeRecord(history, newProposal({ title: "first" }), deps);
    const b = await writeRecord(history, newProposal({ title: "second" }), deps);
    expect(b.frontMatter.prev_record_sha256).toBe(a.frontMatter.content_sha256);
    expect(b.frontMatter.id > a.frontMatter.id).toBe(true);
  });

  it("leaves other staged and modified files exactly as they were", async () => {
    const dir = gitdir({ "app.txt": "v1\n", "staged.txt": "s1\n" });
    writeFileSync(path.join(dir, "app.txt"), "v2 dirty\n");
    writeFileSync(path.join(dir, "staged.txt"), "s2 staged\n");
    git(dir, "add", "staged.txt");
    writeFileSync(path.join(dir, "new.txt"), "untracked\n");
    const statusBefore = git(dir, "status", "--porcelain");
    const stagedBefore = git(dir, "diff", "--cached");
    await writeRecord(historyIn(dir), newProposal(), fixedDeps());
    expect(git(dir, "status", "--porcelain")).toBe(statusBefore);
    expect(git(dir, "diff", "--cached")).toBe(stagedBefore);
    expect(readFileSync(path.join(dir, "app.txt"), "utf8")).toBe("v2 dirty\n");
    expect(git(dir, "show", "HEAD:app.txt")).toBe("v1");
    expect(git(dir, "show", "--name-only", "--format=", "HEAD")).toMatch(/^history\/prompts\//);
  });

  it("recovers a record a crashed run left uncommitted, and removes its temporary file", async () => {
    const dir = gitdir();
    const history = historyIn(dir);
    const deps = fixedDeps();
    const first = await writeRecord(history, newProposal({ title: "first" }), deps);
    // A crash after the rename, before the commit: a valid record, chained, not committed.
    const orphanId = `${encodeTime(Date.parse("2026-11-21T10:30:00Z"))}0000000000000000`;
    const orphanFm = { ...proposalFrontMatter({ id: orphanId, title: "orphan", prev_record_sha256: first.frontMatter.content_sha256 }) };
    const orphan = { frontMatter: { ...orphanFm, content_sha256: contentSha256(orphanFm, SAMPLE_BODY) }, body: SAMPLE_BODY };
    const orphanPath = path.join(history.dir, `prompts/2026/11/${orphanId}-orphan.proposal.md`);
    // The store notes every write before making it (src/records/journal.ts).
    await notePendingWrite(history, path.relative(history.dir, orphanPath), serializeRecord(orphan));
    writeFileSync(orphanPath, serializeRecord(orphan));
    // A crash before the rename: a temporary file.
    const temp = path.join(history.dir, "prompts/2026/11/.aiops-tmp-999-abcd");
    writeFileSync(temp, "half a rec");
    const warnings: string[] = [];
    const next = await writeRecord(history, newProposal({ title: "next" }), { ...fixedDeps(warnings), now: () => new Date("2026-11-21T11:00:00Z") });
    expect(existsSync(temp)).toBe(false);
    expect(git(dir, "log", "--format=%s")).toBe(["aiops(proposal): next", "aiops(proposal): orphan (recovered)", "aiops(proposal): first", "initial commit"].join("\n"));
    expect(next.frontMatter.prev_record_sha256).toBe(orphan.frontMatter.content_sha256);
    expect(warnings.join("\n")).toMatch(/recovered/);
    expect(git(dir, "status", "--porcelain")).toBe("");
  });

  it("never commits an approval edited into a record by hand (no journal entry): it is left and the record refuses updates", async () => {
    const dir = gitdir();
    const history = historyIn(dir);
    const deps = fixedDeps();
    const proposal = await writeRecord(history, newProposal({ title: "target" }), deps);
    const file = proposal.location.absolute;
    const forged = serializeRecord({
      ...proposal,
      frontMatter: { ...proposal.frontMatter, status: "approved", approvals: [{ identity: "bob", role: "approver", decision: "approved", at: "2026-11-21T10:06:00Z" }] },
    });
    writeFileSync(file, forged);
    const warnings: string[] = [];
    await writeRecord(history, newProposal({ title: "someone else's record" }), { ...fixedDeps(warnings), now: () => new Date("2026-11-21T11:00:00Z") });
    expect(git(dir, "log", "--format=%s")).not.toContain("(recovered)");
    expect(warnings.join("\n")).toMatch(/not written by an interrupted kubectl aiops command/);
    expect(git(dir, "status", "--porcelain")).toContain(path.basename(file));
    await expect(appendToRecord(history, proposal.frontMatter.id, { events: [{ at: "2026-11-21T11:00:00Z", type: "note" }] }, deps)).rejects.toThrow(/uncommitted changes/);
  });

  it("does not commit an uncommitted file that is not a valid record", async () => {
    const dir = gitdir();
    const history = historyIn(dir);
    mkdirSync(path.join(history.dir, "prompts/2026/11"), { recursive: true });
    const bogus = path.join(history.dir, "prompts/2026/11/01M7YRRT80S09ZHTEHQ0A8A9T0-bogus.proposal.md");
    writeFileSync(bogus, "---\nid: nope\n---\n");
    const warnings: string[] = [];
    await writeRecord(history, newProposal(), fixedDeps(warnings));
    expect(git(dir, "status", "--porcelain")).toContain("bogus");
    expect(warnings.join("\n")).toMatch(/bogus.*not committed/);
  });

  it("refuses to write on a detached HEAD, naming git switch", async () => {
    const dir = gitdir();
    git(dir, "commit", "-q", "--allow-empty", "-m", "second");
    git(dir, "checkout", "-q", "--detach", "HEAD~1");
    await expect(writeRecord(historyIn(dir), newProposal(), fixedDeps())).rejects.toMatchObject({ message: expect.stringMatching(/detached/), hint: expect.stringMatching(/git switch <branch>/) });
  });

  it("gives up on a held lock with an error naming the lock file", async () => {
    const dir = gitdir();
    const history = historyIn(dir);
    writeFileSync(path.join(dir, ".git", "aiops-records.lock"), JSON.stringify({ pid: process.pid, host: (await import("node:os")).hostname(), time: new Date().toISOString(), token: "x" }));
    await expect(writeRecord(history, newProposal(), { ...fixedDeps(), lockTimeoutMs: 300 })).rejects.toThrow(/aiops-records\.lock/);
  });

  it("breaks a stale lock left by a dead process", async () => {
    const dir = gitdir();
    writeFileSync(path.join(dir, ".git", "aiops-records.lock"), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import("node:os")).hostname(), time: new Date().toISOString(), token: "x" }));
    await writeRecord(historyIn(dir), newProposal(), fixedDeps());
    expect(existsSync(path.join(dir, ".git", "aiops-records.lock"))).toBe(false);
  });

  it("retries while .git/index.lock exists, then names it", async () => {
    const dir = gitdir();
    const history = historyIn(dir);
    const indexLock = path.join(dir, ".git", "index.lock");
    writeFileSync(indexLock, "");
    setTimeout(() => void import("node:fs").then((fs) => fs.rmSync(indexLock)), 300);
    await writeRecord(history, newProposal(), fixedDeps());
    expect(git(dir, "log", "-1", "--format=%s")).toMatch(/^aiops\(proposal\)/);
    const { openGit } = await import("../../../src/records/git.ts");
    writeFileSync(indexLock, "");
    await expect(writeRecord(history, newProposal(), { ...fixedDeps(), git: (root) => openGit(root, { indexLockTimeoutMs: 200 }) })).rejects.toThrow(/\.git\/index\.lock/);
  });
});

describe("appendToRecord", () => {
  it("appends approvals, status, events and body, one commit each", async () => {
    const dir = gitdir();
    const history = historyIn(dir);
    const deps = fixedDeps();
    const written = await writeRecord(history, newProposal(), deps);
    const id = written.frontMatter.id;
    const approved = await appendToRecord(history, id, { status: "approved", approvals: [{ identity: "bob", role: "approver", decision: "approved", at: "2026-11-21T10:05:00Z" }], bodyAppend: "## Decision\n\nbob approved" }, deps);
    expect(approved.frontMatter.status).toBe("approved");
    expect(approved.body.startsWith(written.body)).toBe(true);
    expect(approved.frontMatter.content_sha256).toBe(written.frontMatter.content_sha256);
    await appendToRecord(history, id, { status: "applying", events: [{ at: "2026-11-21T10:06:00Z", type: "patched" }] }, deps);
    await appendToRecord(history, id, { status: "verified", metricsPost: { memory_p95: "130Mi" }, bodyAppend: "## Validation\n\nhealthy for 2m" }, deps);
    expect(git(dir, "rev-list", "--count", "HEAD")).toBe("5");
    const listed = await listRecords(history, deps);
    expect(listed.records[0]?.frontMatter).toMatchObject({ status: "verified", metrics: { post: { memory_p95: "130Mi" } } });
  });

  it.each([
    { name: "an illegal transition", change: { status: "verified" }, error: /illegal status transition proposed -> verified/ },
    { name: "an unknown status", change: { status: "done" }, error: /illegal status transition|not a status/ },
    { name: "approval without the tier's approvers", change: { status: "approved", approvals: [{ identity: "alice", role: "approver", decision: "approved" as const, at: "2026-11-21T10:05:00Z" }] }, error: /medium tier needs 1 approver who is not the proposer/ },
    { name: "nothing at all", change: {}, error: /nothing to record/ },
  ])("refuses $name", async ({ change, error }) => {
    const dir = gitdir();
    const history = historyIn(dir);
    const written = await writeRecord(history, newProposal(), fixedDeps());
    await expect(appendToRecord(history, written.frontMatter.id, change, fixedDeps())).rejects.toThrow(error);
    expect(git(dir, "rev-list", "--count", "HEAD")).toBe("2");
    expect(git(dir, "status", "--porcelain")).toBe("");
  });
});

describe("history folder and RECORD arguments", () => {
  it("uses --history-dir, then $AIOPS_HISTORY_DIR, then history/ at the repository root", () => {
    const dir = gitdir();
    mkdirSync(path.join(dir, "sub/deeper"), { recursive: true });
    expect(resolveHistory({ cwd: path.join(dir, "sub/deeper"), env: {} }).dir).toBe(path.join(dir, "history"));
    expect(resolveHistory({ cwd: path.join(dir, "sub"), env: { AIOPS_HISTORY_DIR: "audit" } }).dir).toBe(path.join(dir, "sub/audit"));
    expect(resolveHistory({ historyDir: "x", cwd: dir, env: { AIOPS_HISTORY_DIR: "audit" } })).toMatchObject({ dir: path.join(dir, "x"), relDir: "x", repoRoot: dir });
  });

  it("outside any git repository says how to create one", () => {
    const outside = path.dirname(gitdir());
    expect(() => resolveHistory({ cwd: outside, env: {} })).toThrow(/not inside a git repository/);
    try {
      resolveHistory({ cwd: outside, env: {} });
    } catch (error) {
      expect((error as { hint: string }).hint).toMatch(/git init/);
    }
  });

  it("resolves ids, unique prefixes and paths; refuses paths outside the history folder", async () => {
    const dir = gitdir({ "secret.txt": "s\n" });
    const history = historyIn(dir);
    const deps = fixedDeps();
    const a = await writeRecord(history, newProposal({ title: "a" }), deps);
    const b = await writeRecord(history, newProposal({ title: "b" }), deps);
    const idA = a.frontMatter.id;
    expect((await resolveRecord(history, idA, dir)).absolute).toBe(a.location.absolute);
    expect((await resolveRecord(history, idA.slice(0, 20).toLowerCase(), dir)).id).toBe(idA);
    expect((await resolveRecord(history, `history/${b.location.relative}`, dir)).id).toBe(b.frontMatter.id);
    await expect(resolveRecord(history, idA.slice(0, 6), dir)).rejects.toThrow(/ambiguous: 2 records match/);
    await expect(resolveRecord(history, "7ZZZZZZZ", dir)).rejects.toThrow(/no record "7ZZZZZZZ"/);
    await expect(resolveRecord(history, `${idA.slice(0, 24)}XX`, dir)).rejects.toMatchObject({ hint: expect.stringContaining(idA) });
    await expect(resolveRecord(history, "./secret.txt", dir)).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/refused.*outside the history directory/) });
    await expect(resolveRecord(history, "history/../secret.txt", dir)).rejects.toThrow(/outside the history directory/);
    await expect(resolveRecord(history, "/etc/passwd", dir)).rejects.toThrow(/outside the history directory/);
    symlinkSync(path.join(dir, "secret.txt"), path.join(history.dir, "prompts/2026/11/link.md"));
    await expect(resolveRecord(history, "history/prompts/2026/11/link.md", dir)).rejects.toThrow(/link.md is a symbolic link; records and their folders must be real files/);
  });
});
