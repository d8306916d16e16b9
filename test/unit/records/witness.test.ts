import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveHistory } from "../../../src/records/history.ts";
import { writeRecord } from "../../../src/records/store.ts";
import { git, gitdir } from "../../helpers/gitdir.ts";
import { runCli } from "../../helpers/io.ts";
import { fixedDeps, newProposal } from "./fixtures.ts";

/**
 * Anchors (docs/trust.md): a checkpoint kept outside the repository finds what a valid-looking
 * history cannot show by itself — a truncation (`git reset --hard HEAD~N`) and a rewrite (every
 * commit id changes). Real git, the CLI as users run it; the ConfigMap witness is tested end to end
 * against the test bed's API server (test/e2e/witness.test.ts).
 */

async function repoWithTwoRecords(): Promise<{ dir: string; witness: string }> {
  const dir = gitdir({ ".aiops.yaml": "approvers: [bob]\nsecurityReviewers: [sec]\n" });
  const history = resolveHistory({ cwd: dir, env: {} });
  const deps = fixedDeps();
  await writeRecord(history, newProposal({ title: "first" }), deps);
  await writeRecord(history, newProposal({ title: "second" }), deps);
  return { dir, witness: path.join(path.dirname(dir), `${path.basename(dir)}-checkpoint.json`) };
}

const run = (argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => runCli(argv, { cwd, env, now: "2026-11-21T10:10:00Z" });

describe("audit checkpoint and audit verify --witness", () => {
  it("a checkpoint holds while the history only grows", async () => {
    const r = await repoWithTwoRecords();
    const taken = await run(["audit", "checkpoint", "--witness", r.witness], r.dir);
    expect(taken).toMatchObject({ code: 0, stdout: expect.stringMatching(/^checkpoint: 2 records, head [0-9a-f]{12}, unsigned, written to /) });
    const checkpoint = JSON.parse(readFileSync(r.witness, "utf8")) as Record<string, unknown>;
    expect(checkpoint).toMatchObject({ kind: "AuditCheckpoint", records: 2, head: git(r.dir, "rev-parse", "HEAD"), branch: "refs/heads/main", takenBy: "Test User <test@example.com>" });
    await writeRecord(resolveHistory({ cwd: r.dir, env: {} }), newProposal({ title: "third" }), fixedDeps());
    const verified = await run(["audit", "verify", "--witness", r.witness], r.dir);
    expect(verified).toMatchObject({ code: 0, stdout: expect.stringMatching(/chain intact; checkpoint in .* holds\n$/) });
  });

  it("git reset --hard HEAD~1 passes alone but fails against the witness", async () => {
    const r = await repoWithTwoRecords();
    await run(["audit", "checkpoint", "--witness", r.witness], r.dir);
    git(r.dir, "reset", "-q", "--hard", "HEAD~1");
    expect((await run(["audit", "verify"], r.dir)).code).toBe(0);
    const out = await run(["audit", "verify", "--witness", r.witness, "-o", "json"], r.dir);
    expect(out.code).toBe(1);
    const messages = (JSON.parse(out.stdout) as { problems: { kind: string; message: string }[] }).problems.map((p) => `${p.kind}: ${p.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^witness: .* is no longer in the branch's history: the branch was reset or rewritten since$/),
      expect.stringMatching(/^witness: .* the history now holds 1 records, fewer than the 2 checkpointed: records were dropped$/),
      expect.stringMatching(/^witness: .* its last record \w+ is gone from the history$/),
    ]);
  });

  it("a rewritten commit (amend, rebase, a rehashed chain) fails against the witness", async () => {
    const r = await repoWithTwoRecords();
    await run(["audit", "checkpoint", "--witness", r.witness], r.dir);
    git(r.dir, "commit", "-q", "--amend", "-m", "reworded");
    const out = await run(["audit", "verify", "--witness", r.witness], r.dir);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/is no longer in the branch's history/);
  });

  it("refuses to checkpoint a history that fails audit verify", async () => {
    const r = await repoWithTwoRecords();
    writeFileSync(path.join(r.dir, ".aiops.yaml"), "approvers: [mallory]\n");
    git(r.dir, "commit", "-qam", "by hand");
    const out = await run(["audit", "checkpoint", "--witness", r.witness], r.dir);
    expect(out).toMatchObject({ code: 1, stderr: expect.stringMatching(/refused to checkpoint a history that fails audit verify/) });
  });

  it("a witness that is missing, not JSON or not a checkpoint is bad input (exit 2, no stack trace)", async () => {
    const r = await repoWithTwoRecords();
    expect(await run(["audit", "verify", "--witness", r.witness], r.dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/no checkpoint file/) });
    writeFileSync(r.witness, "{not json");
    expect(await run(["audit", "verify", "--witness", r.witness], r.dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/holds no JSON checkpoint/) });
    writeFileSync(r.witness, JSON.stringify({ apiVersion: "aiops.dev/v1", kind: "AuditCheckpoint", head: "x" }));
    const bad = await run(["audit", "verify", "--witness", r.witness], r.dir);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/is not a checkpoint: head: must be a commit id: 40 \(or 64\) lowercase hex digits/) });
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(await run(["audit", "verify", "--witness", "configmap/only-namespace"], r.dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/configmap\/NAMESPACE\/NAME/) });
  });

  const hasSshKeygen = spawnSync("ssh-keygen", ["-?"], { stdio: "ignore" }).error === undefined;
  it.runIf(hasSshKeygen || process.env["CI"] === "true")("a signed checkpoint edited by hand fails; signed with a key file from AIOPS_SIGNING_KEY (as a CronJob mounts a Secret)", async () => {
    const r = await repoWithTwoRecords();
    const key = path.join(path.dirname(r.dir), `${path.basename(r.dir)}-key`);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "sec", "-f", key], { stdio: "ignore" });
    const env = { AIOPS_SIGNING_KEY: key };
    // The checkpoint is verified against the allowed signers the policy names.
    const withSigners = await (async () => {
      const dir = gitdir({ ".aiops.yaml": "approvers: [bob]\nsecurityReviewers: [sec]\nallowedSigners: signers\n", signers: `sec ${readFileSync(`${key}.pub`, "utf8")}` });
      await writeRecord(resolveHistory({ cwd: dir, env: {} }), newProposal(), fixedDeps());
      return dir;
    })();
    const taken = await run(["audit", "checkpoint", "--witness", r.witness], withSigners, env);
    expect(taken).toMatchObject({ code: 0, stdout: expect.stringMatching(/signed by sec, written to/) });
    expect((await run(["audit", "verify", "--witness", r.witness], withSigners)).code).toBe(0);
    const checkpoint = JSON.parse(readFileSync(r.witness, "utf8")) as { records: number };
    writeFileSync(r.witness, JSON.stringify({ ...checkpoint, records: 0 }));
    const out = await run(["audit", "verify", "--witness", r.witness], withSigners);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/carries a signature that no allowed signer's key made: the witness was edited or forged/);
  });
});
