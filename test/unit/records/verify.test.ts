import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyHistory } from "../../../src/app/records.ts";
import { serializeRecord } from "../../../src/records/record-file.ts";
import { contentSha256, ZERO_SHA256 } from "../../../src/records/hash.ts";
import { resolveHistory, type History } from "../../../src/records/history.ts";
import { encodeTime } from "../../../src/records/ids.ts";
import { appendToRecord, writeRecord, type WrittenRecord } from "../../../src/records/store.ts";
import { git, gitdir } from "../../helpers/gitdir.ts";
import { fixedDeps, newProposal, proposalFrontMatter, SAMPLE_BODY } from "./fixtures.ts";

interface Repo {
  dir: string;
  history: History;
  records: WrittenRecord[];
}

/** A repository with three records, the second approved and applied. */
async function repoWithRecords(): Promise<Repo> {
  const dir = gitdir({ "README.md": "x\n", ".aiops.yaml": "approvers: [alice, bob, carol]\nsecurityReviewers: [sec]\n" });
  const history = resolveHistory({ cwd: dir, env: {} });
  const deps = fixedDeps();
  const a = await writeRecord(history, newProposal({ title: "first", stage: "diagnosis", tier: undefined, action: undefined, window: undefined }), deps);
  const b = await writeRecord(history, newProposal({ title: "second" }), deps);
  await appendToRecord(history, b.frontMatter.id, { status: "approved", approvals: [{ identity: "bob", role: "approver", decision: "approved", at: "2026-11-21T10:05:00Z" }], bodyAppend: "## Decision\n\nbob approved" }, deps);
  const c = await writeRecord(history, newProposal({ title: "third" }), deps);
  return { dir, history, records: [a, b, c] };
}

const verify = (repo: Repo, options: { requireSigned?: boolean; allowedSignersFile?: string } = {}) =>
  verifyHistory({ cwd: repo.dir, env: {} }, { requireSigned: options.requireSigned ?? false, allowedSignersFile: options.allowedSignersFile });

function edit(repo: Repo, record: WrittenRecord, change: (text: string) => string, message = "hand edit"): string {
  const file = record.location.absolute;
  writeFileSync(file, change(readFileSync(file, "utf8")));
  git(repo.dir, "commit", "-qam", message);
  return git(repo.dir, "rev-parse", "HEAD");
}

describe("audit verify", () => {
  it("passes an intact history with a one-line summary", async () => {
    const repo = await repoWithRecords();
    const result = await verify(repo);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.summary).toBe("audit verify: 3 records, 5 commits, chain intact"); // the commit of the policy counts: it is audited too
  });

  it.each([
    {
      name: "an edited immutable field",
      kind: "edited",
      tamper: (repo: Repo) => edit(repo, repo.records[1] as WrittenRecord, (t) => t.replace('tier: "medium"', 'tier: "low"')),
      message: /immutable field\(s\) changed: tier/,
    },
    {
      name: "an edited line in the middle of the body",
      kind: "edited",
      tamper: (repo: Repo) => edit(repo, repo.records[0] as WrittenRecord, (t) => t.replace("memory request 156Mi", "memory request 512Mi")),
      message: /body edited/,
    },
    {
      name: "an illegal status transition",
      kind: "transition",
      tamper: (repo: Repo) => edit(repo, repo.records[2] as WrittenRecord, (t) => t.replace('status: "proposed"', 'status: "verified"')),
      message: /illegal status transition proposed -> verified/,
    },
    {
      name: "an approval that breaks the tier rule",
      kind: "approval",
      tamper: (repo: Repo) =>
        edit(repo, repo.records[2] as WrittenRecord, (t) => t.replace('status: "proposed"', 'status: "approved"').replace("approvals: []", 'approvals:\n  - identity: "alice"\n    role: "approver"\n    decision: "approved"\n    at: "2026-11-21T10:09:00Z"')),
      message: /medium tier needs 1 approver who is not the proposer \(alice\): only the proposer approved/,
    },
    {
      name: "a rewritten approval",
      kind: "edited",
      tamper: (repo: Repo) => edit(repo, repo.records[1] as WrittenRecord, (t) => t.replace('identity: "bob"', 'identity: "carol"')),
      message: /approvals rewritten/,
    },
    {
      name: "a deleted record",
      kind: "deleted",
      tamper: (repo: Repo) => {
        git(repo.dir, "rm", "-q", (repo.records[0] as WrittenRecord).location.absolute);
        git(repo.dir, "commit", "-qm", "remove");
        return git(repo.dir, "rev-parse", "HEAD");
      },
      message: /was deleted/,
    },
    {
      name: "a renamed record",
      kind: "renamed",
      tamper: (repo: Repo) => {
        const from = (repo.records[0] as WrittenRecord).location.absolute;
        git(repo.dir, "mv", from, from.replace("-first.", "-renamed."));
        git(repo.dir, "commit", "-qm", "rename");
        return git(repo.dir, "rev-parse", "HEAD");
      },
      message: /renamed from/,
    },
  ])("fails on $name, naming the record and the commit", async ({ tamper, kind, message }) => {
    const repo = await repoWithRecords();
    const commit = tamper(repo);
    const result = await verify(repo);
    expect(result.ok).toBe(false);
    const problem = result.problems.find((p) => p.kind === kind);
    expect(problem, JSON.stringify(result.problems)).toBeDefined();
    expect(problem?.message).toMatch(message);
    expect(problem?.commit).toBe(commit);
    expect(repo.records.map((r) => r.frontMatter.id)).toContain(problem?.record);
  });

  it("fails on a record committed with a content_sha256 that does not match", async () => {
    const repo = await repoWithRecords();
    const file = (repo.records[2] as WrittenRecord).location.absolute;
    // An edit made before the record's first commit is caught by its hash.
    git(repo.dir, "reset", "-q", "--hard", "HEAD~1");
    mkdirSync(path.dirname(file), { recursive: true });
    const fm = proposalFrontMatter({ id: (repo.records[2] as WrittenRecord).frontMatter.id, title: "third", prev_record_sha256: (repo.records[1] as WrittenRecord).frontMatter.content_sha256 });
    writeFileSync(file, serializeRecord({ frontMatter: { ...fm, content_sha256: contentSha256(fm, SAMPLE_BODY) }, body: SAMPLE_BODY.replace("156Mi", "999Mi") }));
    git(repo.dir, "add", file);
    git(repo.dir, "commit", "-qm", "forged");
    const result = await verify(repo);
    expect(result.problems.map((p) => p.kind)).toEqual(["edited"]);
    expect(result.problems[0]?.message).toMatch(/content_sha256 does not match/);
  });

  it("fails on a broken chain", async () => {
    const repo = await repoWithRecords();
    const id = `${encodeTime(Date.parse("2026-11-22T00:00:00Z"))}0000000000000000`;
    const fm = proposalFrontMatter({ id, title: "forged link", prev_record_sha256: ZERO_SHA256 });
    const file = path.join(repo.history.dir, `prompts/2026/11/${id}-forged-link.proposal.md`);
    writeFileSync(file, serializeRecord({ frontMatter: { ...fm, content_sha256: contentSha256(fm, SAMPLE_BODY) }, body: SAMPLE_BODY }));
    git(repo.dir, "add", file);
    git(repo.dir, "commit", "-qm", "forged");
    const result = await verify(repo);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ kind: "chain", record: id, commit: git(repo.dir, "rev-parse", "HEAD") });
    expect(result.problems[0]?.message).toMatch(/broken chain/);
  });
});

const hasSshKeygen = (() => {
  try {
    execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
    return true;
  } catch (error) {
    return (error as { status?: number }).status !== undefined && existsSync("/usr/bin/ssh-keygen");
  }
})();

describe.runIf(hasSshKeygen)("audit verify --require-signed (SSH signatures)", () => {
  function sshKey(dir: string, name: string): { key: string; publicKey: string } {
    const key = path.join(dir, name);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key], { stdio: "ignore" });
    return { key, publicKey: readFileSync(`${key}.pub`, "utf8").trim() };
  }

  async function signedRepo(): Promise<Repo & { allowed: string; keysDir: string }> {
    const dir = gitdir();
    const keysDir = path.join(dir, ".git", "test-keys");
    mkdirSync(keysDir);
    const signer = sshKey(keysDir, "signer");
    const allowed = path.join(keysDir, "allowed_signers");
    writeFileSync(allowed, `test@example.com ${signer.publicKey}\n`);
    git(dir, "config", "gpg.format", "ssh");
    git(dir, "config", "user.signingkey", signer.key);
    git(dir, "config", "commit.gpgsign", "true");
    const history = resolveHistory({ cwd: dir, env: {} });
    const deps = fixedDeps();
    const a = await writeRecord(history, newProposal({ title: "signed one" }), deps);
    const b = await writeRecord(history, newProposal({ title: "signed two" }), deps);
    return { dir, history, records: [a, b], allowed, keysDir };
  }

  it("passes when every record commit is signed by an allowed key (the store lets git sign)", async () => {
    const repo = await signedRepo();
    expect(git(repo.dir, "-c", `gpg.ssh.allowedSignersFile=${repo.allowed}`, "log", "-1", "--format=%G?")).toBe("G");
    const result = await verify(repo, { requireSigned: true, allowedSignersFile: repo.allowed });
    expect(result.problems).toEqual([]);
    expect(result.summary).toBe("audit verify: 2 records, 2 commits, chain intact");
  });

  it("fails on an unsigned commit and on a commit signed by an unknown key", async () => {
    const repo = await signedRepo();
    const unsigned = (() => {
      const file = (repo.records[0] as WrittenRecord).location.absolute;
      writeFileSync(file, readFileSync(file, "utf8").replace('status: "proposed"', 'status: "rejected"'));
      git(repo.dir, "-c", "commit.gpgsign=false", "commit", "-qam", "unsigned");
      return git(repo.dir, "rev-parse", "HEAD");
    })();
    const stranger = sshKey(repo.keysDir, "stranger");
    const unknown = (() => {
      const file = (repo.records[1] as WrittenRecord).location.absolute;
      writeFileSync(file, readFileSync(file, "utf8").replace('status: "proposed"', 'status: "expired"'));
      git(repo.dir, "-c", `user.signingkey=${stranger.key}`, "commit", "-qam", "stranger");
      return git(repo.dir, "rev-parse", "HEAD");
    })();
    const result = await verify(repo, { requireSigned: true, allowedSignersFile: repo.allowed });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.kind, p.commit])).toEqual([
      ["unsigned", unsigned],
      ["unsigned", unknown],
    ]);
    expect(result.problems[0]?.message).toMatch(/unsigned/);
    // Without --require-signed the same history is intact.
    expect((await verify(repo)).ok).toBe(true);
  });
});
