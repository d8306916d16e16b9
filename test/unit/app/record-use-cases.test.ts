import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decide } from "../../../src/app/approve.ts";
import { changePolicy } from "../../../src/app/policy-change.ts";
import { verifyAudit } from "../../../src/app/audit.ts";
import { auditLog, listHistory, showRecord } from "../../../src/app/records.ts";
import { createSession, type GlobalOptions, type Io, type Session } from "../../../src/app/session.ts";
import { auditStats } from "../../../src/app/stats.ts";
import type { KubeClient } from "../../../src/kube/client.ts";
import { resolveHistory } from "../../../src/records/history.ts";
import { writeRecord } from "../../../src/records/store.ts";
import { git, gitdir } from "../../helpers/gitdir.ts";
import { sessionIo } from "../../helpers/io.ts";
import { fixedDeps, newProposal } from "../records/fixtures.ts";

/**
 * The record, audit and decision use cases run on a session over a real temporary git repository,
 * with no command line: they return data, and say nothing on stdout.
 */

const POLICY = "approvers: [alice, bob]\nsecurityReviewers: [sec]\n";

const GLOBALS: GlobalOptions = { allNamespaces: false, requestTimeoutMs: 5_000, output: "table", color: false, debug: false };

interface Captured {
  session: Session;
  stdout: string[];
  stderr: string[];
}

/** A session in `dir` at a fixed time; `user` is who the (fake) API server says we are. */
function sessionIn(dir: string, options: { now?: string; user?: string; argv?: string[] } = {}): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = sessionIo({
    cwd: dir,
    env: {},
    argv: options.argv ?? [],
    now: () => new Date(options.now ?? "2026-11-21T10:05:00Z"),
    stdout: { write: (chunk: string) => stdout.push(chunk) },
    stderr: { write: (chunk: string) => stderr.push(chunk) },
  });
  // These use cases ask the API server one thing, who we are (SelfSubjectReview): a stand-in answers.
  const client = { request: async () => ({ status: { userInfo: { username: options.user ?? "unknown", groups: [] } } }) } as unknown as KubeClient;
  const session: Session = createSession(io, GLOBALS, { client: Promise.resolve(client) });
  return { session, stdout, stderr };
}

/** A diagnosis and a medium proposal linked to it, both `alice`'s, committed by the store. */
async function twoRecords(): Promise<{ dir: string; diagnosis: string; proposal: string }> {
  const dir = gitdir({ ".aiops.yaml": POLICY });
  const history = resolveHistory({ cwd: dir, env: {} });
  const deps = fixedDeps();
  const d = await writeRecord(history, newProposal({ title: "OOMKilled in shop/api", stage: "diagnosis", action: undefined, window: undefined }), deps);
  const action = { type: "resources" as const, patchType: "strategic" as const, patch: { spec: { replicas: 2 } }, dryRun: { result: "passed" as const } };
  const p = await writeRecord(history, newProposal({ action, links: { diagnosis: d.frontMatter.id } }), deps);
  return { dir, diagnosis: d.frontMatter.id, proposal: p.frontMatter.id };
}

describe("listHistory", () => {
  it("returns both records as rows, oldest first, with their paths, and filters by stage and status", async () => {
    const r = await twoRecords();
    const { session, stdout, stderr } = sessionIn(r.dir);
    const listing = await listHistory(session, {});
    expect(listing.dir).toBe(path.join(r.dir, "history"));
    expect(listing.warnings).toEqual([]);
    expect(listing.rows.map((row) => [row.frontMatter.id, row.frontMatter.stage, row.frontMatter.status])).toEqual([
      [r.diagnosis, "diagnosis", "recorded"],
      [r.proposal, "proposal", "proposed"],
    ]);
    for (const row of listing.rows) expect(row.path.startsWith(`${listing.dir}/`)).toBe(true);
    expect((await listHistory(session, { stage: "proposal" })).rows.map((row) => row.frontMatter.id)).toEqual([r.proposal]);
    expect((await listHistory(session, { status: "approved" })).rows).toEqual([]);
    expect([stdout, stderr]).toEqual([[], []]);
  });

  it("returns an unreadable record as a warning, not on stderr", async () => {
    const r = await twoRecords();
    const { session, stderr } = sessionIn(r.dir);
    const file = (await listHistory(session, { stage: "diagnosis" })).rows[0]?.path ?? "";
    writeFileSync(file, "not a record\n");
    git(r.dir, "commit", "-qam", "break the diagnosis");
    const listing = await listHistory(session, {});
    expect(listing.rows.map((row) => row.frontMatter.id)).toEqual([r.proposal]);
    expect(listing.warnings).toHaveLength(1);
    expect(listing.warnings[0]).toContain(path.basename(file));
    expect(stderr).toEqual([]);
  });
});

describe("showRecord", () => {
  it("reads the record an id prefix names, with its absolute path", async () => {
    const r = await twoRecords();
    const shown = await showRecord(sessionIn(r.dir).session, r.proposal.slice(0, 12).toLowerCase());
    expect(shown.path).toMatch(new RegExp(`^${path.join(r.dir, "history")}/.*${r.proposal}.*\\.proposal\\.md$`));
    expect(shown.record.frontMatter).toMatchObject({ id: r.proposal, stage: "proposal", status: "proposed", tier: "medium", links: { diagnosis: r.diagnosis } });
    expect(shown.record.body).toContain("## Evidence");
  });
});

describe("decide, auditLog, verifyAudit, auditStats", () => {
  it("a proposal approved through the session: the outcome, the log entry, a clean verify and the latency in the stats", async () => {
    const r = await twoRecords();
    const bob = sessionIn(r.dir, { user: "bob", now: "2026-11-21T10:05:00Z" });
    const outcome = await decide(bob.session, { record: r.proposal, decision: "approve", comment: "ok" });
    expect(outcome).toMatchObject({ kind: "Decision", record: r.proposal, stage: "proposal", decision: "approve", status: "approved", role: "approver", applied: false, recorded: { identity: "bob", decision: "approved", at: "2026-11-21T10:05:00Z", comment: "ok" } });
    expect(outcome.commit).toBe(git(r.dir, "rev-parse", "HEAD"));
    expect(bob.stdout).toEqual([]);

    const { session } = sessionIn(r.dir);
    const entries = await auditLog(session);
    expect(entries.map((e) => [e.record, e.change, e.from, e.to, e.approvals])).toEqual([
      [r.diagnosis, "created", undefined, "recorded", []],
      [r.proposal, "created", undefined, "proposed", []],
      [r.proposal, "updated", "proposed", "approved", ["bob approved"]],
    ]);

    const verified = await verifyAudit(session, { requireSigned: false });
    expect(verified).toMatchObject({ ok: true, problems: [] });

    const stats = await auditStats(session);
    const proposedAt = (await showRecord(session, r.proposal)).record.frontMatter.date;
    expect(stats).toMatchObject({ kind: "AuditStats", proposals: 1, byStatus: { approved: 1 }, mttr: { count: 0 }, rollbacks: { count: 0, succeeded: 0 } });
    expect(stats.approvalLatency.medium).toEqual({ count: 1, p50Seconds: (Date.parse("2026-11-21T10:05:00Z") - Date.parse(proposedAt)) / 1000, p95Seconds: (Date.parse("2026-11-21T10:05:00Z") - Date.parse(proposedAt)) / 1000 });
    expect(stats.completeness).toEqual({ changes: 0, complete: 0, percent: 100, incomplete: [] });
  });

  it("verify on a clean history is ok; a body edited by hand makes it return the problem", async () => {
    const r = await twoRecords();
    const { session } = sessionIn(r.dir);
    expect(await verifyAudit(session, { requireSigned: false })).toMatchObject({ ok: true, problems: [] });
    const file = (await showRecord(session, r.proposal)).path;
    writeFileSync(file, readFileSync(file, "utf8").replace("156Mi", "999Mi"));
    git(r.dir, "commit", "-qam", "edit by hand");
    const result = await verifyAudit(session, { requireSigned: false });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.kind, p.record])).toEqual([["edited", r.proposal]]);
  });

  it("stats warn through the session about an unreadable record and leave it out", async () => {
    const r = await twoRecords();
    const { session, stdout, stderr } = sessionIn(r.dir);
    writeFileSync((await showRecord(session, r.proposal)).path, "not a record\n");
    const stats = await auditStats(session);
    expect(stats.proposals).toBe(0);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^warning: .*\.proposal\.md.*\n$/);
    expect(stdout).toEqual([]);
  });

  it("a rejection without a reason is refused before anything is written", async () => {
    const r = await twoRecords();
    const head = git(r.dir, "rev-parse", "HEAD");
    await expect(decide(sessionIn(r.dir, { user: "bob" }).session, { record: r.proposal, decision: "reject", comment: " " })).rejects.toThrow("reject needs --reason TEXT");
    expect(git(r.dir, "rev-parse", "HEAD")).toBe(head);
  });
});

describe("changePolicy", () => {
  it("proposes a new .aiops.yaml as a critical policy record and returns the changed fields", async () => {
    const dir = gitdir({ ".aiops.yaml": POLICY, "new-policy.yaml": `${POLICY}protectedNamespaces: [prod]\n` });
    const { session, stdout } = sessionIn(dir, { user: "alice", argv: ["policy", "propose", "new-policy.yaml"] });
    const outcome = await changePolicy(session, { action: "propose", file: "new-policy.yaml" });
    expect(outcome).toMatchObject({ kind: "PolicyChange", status: "proposed", fields: ["protectedNamespaces"], commit: git(dir, "rev-parse", "HEAD") });
    const shown = await showRecord(session, outcome.record);
    expect(shown.path).toBe(outcome.path);
    expect(shown.record.frontMatter).toMatchObject({ stage: "policy", tier: "critical", command: "kubectl aiops policy propose new-policy.yaml", user: { cluster: "alice" } });
    expect(stdout).toEqual([]);
  });
});
