import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decideRecord, type DecisionDeps, type DecisionRequest } from "../../../src/app/approve.ts";
import { renderDecision } from "../../../src/render/decision.ts";
import { verifyHistory } from "../../../src/app/records.ts";
import { PolicyError, UsageError } from "../../../src/errors.ts";
import { resolveHistory } from "../../../src/records/history.ts";
import { readLocation, writeRecord, type NewRecord } from "../../../src/records/store.ts";
import { scanRecords } from "../../../src/records/scan.ts";
import { git, gitdir, testGitEnv } from "../../helpers/gitdir.ts";
import { fixedDeps, newProposal } from "../records/fixtures.ts";

const POLICY = "approvers: [alice, bob, group:oncall]\nsecurityReviewers: [sec]\n";
const here = path.dirname(fileURLToPath(import.meta.url));
const pinnedNode = path.resolve(here, "../../../node_modules/.bin/node");
const node = existsSync(pinnedNode) ? pinnedNode : process.execPath;

async function setup(overrides: Partial<NewRecord> = {}): Promise<{ dir: string; id: string }> {
  const dir = gitdir({ ".aiops.yaml": POLICY });
  const action = { type: "resources" as const, patchType: "strategic" as const, patch: { spec: { replicas: 2 } }, dryRun: { result: "passed" as const } };
  const written = await writeRecord(resolveHistory({ cwd: dir, env: {} }), newProposal({ action, ...overrides }), fixedDeps());
  return { dir, id: written.frontMatter.id };
}

function deps(user: string, now = "2026-11-21T10:05:00Z", groups: string[] = []): DecisionDeps & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, now: () => new Date(now), warn: (m) => void warnings.push(m), identify: async () => ({ username: user, groups }), store: { lockTimeoutMs: 20_000 } };
}

const decideAs = (dir: string, request: DecisionRequest, d: DecisionDeps, hook?: (id: string) => Promise<void>) => decideRecord({ cwd: dir, env: {} }, request, d, hook);

async function current(dir: string, id: string) {
  const location = (await scanRecords(resolveHistory({ cwd: dir, env: {} }))).find((l) => l.id === id);
  if (location === undefined) throw new Error(`no record ${id}`);
  return readLocation(location);
}

describe("approve / reject use-case (real git)", () => {
  it("medium: self-approval and a non-approver are refused, another approver approves", async () => {
    const { dir, id } = await setup();
    await expect(decideAs(dir, { record: id, decision: "approve" }, deps("alice"))).rejects.toThrow(/alice proposed .* may not approve it/);
    await expect(decideAs(dir, { record: id.slice(0, 10), decision: "approve" }, deps("viewer"))).rejects.toSatisfy((e) => e instanceof PolicyError && e.message === "user viewer is not an approver in .aiops.yaml (approvers: alice, bob, group:oncall; securityReviewers: sec)");
    const head = git(dir, "rev-parse", "HEAD");
    const outcome = await decideAs(dir, { record: id, decision: "approve", comment: "ok" }, deps("bob"));
    expect(outcome).toMatchObject({ status: "approved", recorded: { identity: "bob", role: "approver", decision: "approved", at: "2026-11-21T10:05:00Z", comment: "ok" } });
    expect(renderDecision(outcome, "table")).toBe(`approved by bob (approver); ${id} is approved: apply it with kubectl aiops apply ${id}\n`);
    expect(git(dir, "rev-list", "--count", `${head}..HEAD`)).toBe("1");
    expect(git(dir, "log", "-1", "--format=%s")).toBe("aiops(proposal): Raise memory of shop/api");
    const record = await current(dir, id);
    expect(record.frontMatter.status).toBe("approved");
    expect(record.frontMatter.events.at(-1)).toMatchObject({ type: "approved", detail: expect.stringContaining("git Test User <test@example.com>") });
    expect(record.body).toMatch(/## Decision\n\n- 2026-11-21T10:05:00Z \*\*approved\*\* by bob \(approver\), git Test User <test@example.com>: ok\n/);
    await expect(decideAs(dir, { record: id, decision: "approve" }, deps("zed", "2026-11-21T10:06:00Z", ["oncall"]))).rejects.toThrow(/already approved/);
    expect((await verifyHistory({ cwd: dir, env: {} }, { requireSigned: false })).problems).toEqual([]);
  });

  it("critical: one approver leaves it proposed and says what is missing; the security reviewer approves", async () => {
    const { dir, id } = await setup({ tier: "critical" });
    const first = await decideAs(dir, { record: id, decision: "approve" }, deps("bob"));
    expect(first.status).toBe("proposed");
    expect(renderDecision(first, "table")).toBe("approved by bob (approver); 1 more approval needed: a security reviewer other than alice (proposer), bob (sec)\n");
    await expect(decideAs(dir, { record: id, decision: "approve" }, deps("bob", "2026-11-21T10:06:00Z"))).rejects.toThrow(/bob already approved/);
    const second = await decideAs(dir, { record: id, decision: "approve" }, deps("sec", "2026-11-21T10:07:00Z"));
    expect(second).toMatchObject({ status: "approved", role: "security-reviewer" });
    expect((await current(dir, id)).frontMatter.approvals.map((a) => a.identity)).toEqual(["bob", "sec"]);
    expect((await verifyHistory({ cwd: dir, env: {} }, { requireSigned: false })).ok).toBe(true);
  });

  it("an expired proposal is recorded as expired, then refused", async () => {
    const { dir, id } = await setup();
    const d = deps("bob", "2026-11-21T11:00:00Z");
    await expect(decideAs(dir, { record: id, decision: "approve" }, d)).rejects.toThrow(/expired: its medium window closed at 2026-11-21T10:30:00Z/);
    const record = await current(dir, id);
    expect(record.frontMatter.status).toBe("expired");
    expect(record.frontMatter.events).toEqual([{ at: "2026-11-21T11:00:00Z", type: "expired", detail: expect.stringContaining("window closed") }]);
    expect(git(dir, "status", "--porcelain")).toBe("");
    await expect(decideAs(dir, { record: id, decision: "reject", comment: "late" }, d)).rejects.toThrow(/"expired", which is final/);
  });

  it("reject needs a reason, is final, and approvals afterwards are refused", async () => {
    const { dir, id } = await setup();
    await expect(decideAs(dir, { record: id, decision: "reject" }, deps("bob"))).rejects.toBeInstanceOf(UsageError);
    const outcome = await decideAs(dir, { record: id, decision: "reject", comment: "too tight" }, deps("bob"));
    expect(renderDecision(outcome, "table")).toBe(`rejected by bob (approver); ${id} is rejected (final): too tight\n`);
    await expect(decideAs(dir, { record: id, decision: "approve" }, deps("sec"))).rejects.toThrow(/"rejected", which is final/);
  });

  it("--apply calls the hook only once the rule is met", async () => {
    const { dir, id } = await setup({ tier: "critical" });
    const applied: string[] = [];
    const hook = async (recordId: string): Promise<void> => void applied.push(recordId);
    const d = deps("bob");
    expect((await decideAs(dir, { record: id, decision: "approve", apply: true }, d, hook)).applied).toBe(false);
    expect(d.warnings.join("\n")).toMatch(/not applied: .* is proposed; 1 more approval needed/);
    expect(applied).toEqual([]);
    expect((await decideAs(dir, { record: id, decision: "approve", apply: true }, deps("sec"), hook)).applied).toBe(true);
    expect(applied).toEqual([id]);
    await expect(decideAs(dir, { record: id, decision: "approve", apply: true }, deps("sec"))).rejects.toThrow(/--apply is not available/);
  });

  it("trivial: approve is a note, nothing is committed", async () => {
    const { dir, id } = await setup({ tier: "trivial", window: undefined, target: { kind: "Pod", namespace: "shop", name: "api-1" }, action: { type: "restart", patch: { delete: { kind: "Pod" } }, rollback: { none: "x" } }, metrics: { pre: { otherReadyReplicas: 2 } } });
    const head = git(dir, "rev-parse", "HEAD");
    const outcome = await decideAs(dir, { record: id, decision: "approve" }, deps("alice"));
    expect(outcome).toMatchObject({ status: "proposed", note: expect.stringMatching(/trivial tier: no approval needed/), applied: false });
    expect(git(dir, "rev-parse", "HEAD")).toBe(head);
  });

  it("two approvers deciding at the same moment in two processes both count", async () => {
    const { dir, id } = await setup({ tier: "critical" });
    const run = (user: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(node, [path.join(here, "concurrent-decider.ts"), dir, id, user, "2026-11-21T10:05:00Z"], { env: testGitEnv(), stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
    const results = await Promise.all([run("bob"), run("sec")]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const record = await current(dir, id);
    expect(record.frontMatter.approvals.map((a) => a.identity).sort()).toEqual(["bob", "sec"]);
    expect(record.frontMatter.status).toBe("approved");
    expect(results.map((r) => (JSON.parse(r.stdout) as { status: string }).status).sort()).toEqual(["approved", "proposed"]);
    expect((await verifyHistory({ cwd: dir, env: {} }, { requireSigned: false })).ok).toBe(true);
  }, 60_000);
});
