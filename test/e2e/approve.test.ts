import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { git, gitdir } from "../helpers/gitdir.ts";
import { describeTestbed } from "./suite.ts";
import { kubectl, ROOT, testbed } from "./testbed.ts";

/**
 * The approval gate on the test bed, with identities the API server authenticates (client
 * certificates of alice, bob, sec, viewer). Proposals are made with the real plugin; decisions go
 * through `kubectl aiops approve|reject` once registered in the bundle, and until then through the
 * same command modules run by node from the sources (same flags, same exit codes).
 */

type User = "alice" | "bob" | "sec" | "viewer";
interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

const POLICY = "approvers: [alice, bob]\nsecurityReviewers: [sec]\nprotectedNamespaces: [kube-system]\n";
const node = existsSync(path.join(ROOT, "node_modules/.bin/node")) ? path.join(ROOT, "node_modules/.bin/node") : process.execPath;

/** The command modules under a bare yargs, as main.ts registers them: used until they are in the bundle. */
const RUNNER = `
import yargs from ${JSON.stringify(path.join(ROOT, "node_modules/yargs/index.mjs"))};
import { GLOBAL_OPTIONS } from ${JSON.stringify(path.join(ROOT, "src/cli/options.ts"))};
import { approveCommand, rejectCommand } from ${JSON.stringify(path.join(ROOT, "src/cli/commands/approve.ts"))};
import { processIo } from ${JSON.stringify(path.join(ROOT, "src/cli/io.ts"))};
const io = processIo();
const result = { exitCode: 0 };
try {
  await yargs(process.argv.slice(1)).options(GLOBAL_OPTIONS).command(approveCommand(io, result)).command(rejectCommand(io, result))
    .strict().fail((m, e) => { throw e ?? Object.assign(new Error(m), { exitCode: 2 }); }).parseAsync();
} catch (e) {
  process.stderr.write("error: " + e.message + "\\n" + (e.hint ? "hint: " + e.hint + "\\n" : ""));
  process.exitCode = e.exitCode ?? 1;
}`;

let registered: boolean | undefined;

/** `kubectl aiops ARGS` as USER, asynchronously so two can run at the same moment. */
function aiops(user: User, args: string[], cwd: string): Promise<Run> {
  const bed = testbed();
  registered ??= /kubectl aiops approve <record>/.test(kubectl(["aiops", "--help"]).stdout);
  const env = { ...process.env, PATH: `${path.join(ROOT, "plugin")}:${bed.binDir}:${process.env["PATH"] ?? ""}`, KUBECONFIG: bed.users[user], NO_COLOR: "1" };
  const [command, argv] = registered || !["approve", "reject"].includes(args[0] ?? "") ? [bed.kubectl, ["aiops", ...args]] : [node, ["--input-type=module", "-e", RUNNER, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

describeTestbed("kubectl aiops approve / reject (test bed, real identities)", () => {
  let repo: string;
  let history: string;

  const propose = async (args: string[], dir = history): Promise<{ id: string; path: string; tier: string }> => {
    const result = await aiops("alice", ["propose", ...args, "--history-dir", dir, "-o", "json"], repo);
    expect(result.status, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as { path: string; frontMatter: { id: string; tier: string } };
    return { id: record.frontMatter.id, path: record.path, tier: record.frontMatter.tier };
  };
  const decide = (user: User, verb: "approve" | "reject", id: string, extra: string[] = [], dir = history) => aiops(user, [verb, id, "--history-dir", dir, ...extra], repo);
  const frontMatter = async (id: string, dir = history) => {
    const result = await aiops("viewer", ["show", id, "--history-dir", dir, "-o", "json"], repo);
    expect(result.status, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { frontMatter: { status: string; approvals: { identity: string; role: string; decision: string }[]; events: { type: string }[] } }).frontMatter;
  };

  beforeAll(() => {
    repo = gitdir({ ".aiops.yaml": POLICY });
    history = path.join(repo, "history");
  });

  it("medium: alice may not approve her own proposal, viewer is no approver, bob approves", async () => {
    const { id, tier } = await propose(["resources", "deployment/web", "-n", "rightsizing", "--prometheus", testbed().prometheusUrl]);
    expect(tier).toBe("medium");
    const self = await decide("alice", "approve", id);
    expect(self.status, self.stderr).toBe(1);
    expect(self.stderr).toMatch(/error: alice proposed .* may not approve it: the medium tier needs approvers other than the proposer/);
    const viewer = await decide("viewer", "approve", id.slice(0, 12));
    expect(viewer.status).toBe(1);
    expect(viewer.stderr).toContain("error: user viewer is not an approver in .aiops.yaml (approvers: alice, bob; securityReviewers: sec)");
    expect(viewer.stderr).toMatch(/hint: /);
    const bob = await decide("bob", "approve", id, ["--comment", "numbers match the dashboards"]);
    expect(bob.status, bob.stderr).toBe(0);
    expect(bob.stdout).toBe(`approved by bob (approver); ${id} is approved: apply it with kubectl aiops apply ${id}\n`);
    const fm = await frontMatter(id);
    expect(fm.status).toBe("approved");
    expect(fm.approvals).toEqual([expect.objectContaining({ identity: "bob", role: "approver", decision: "approved", comment: "numbers match the dashboards" })]);
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("critical: bob alone leaves it proposed and says a security reviewer is missing; sec makes it approved", async () => {
    const { id, tier } = await propose(["scale", "deployment/web", "-n", "rightsizing", "--replicas", "0"]);
    expect(tier).toBe("critical");
    const bob = await decide("bob", "approve", id);
    expect(bob.status, bob.stderr).toBe(0);
    expect(bob.stdout).toBe("approved by bob (approver); 1 more approval needed: a security reviewer other than alice (proposer), bob (sec)\n");
    expect((await frontMatter(id)).status).toBe("proposed");
    const sec = await decide("sec", "approve", id, ["-o", "json"]);
    expect(sec.status, sec.stderr).toBe(0);
    expect(JSON.parse(sec.stdout)).toMatchObject({ kind: "Decision", record: id, status: "approved", role: "security-reviewer", recorded: { identity: "sec" } });
    expect((await frontMatter(id)).approvals.map((a) => a.identity)).toEqual(["bob", "sec"]);
  });

  it("two approvals at the same moment (bob and sec, two processes) both count", async () => {
    const { id } = await propose(["scale", "deployment/web", "-n", "rightsizing", "--replicas", "0"]);
    const [bob, sec] = await Promise.all([decide("bob", "approve", id), decide("sec", "approve", id)]);
    expect(bob.status, bob.stderr).toBe(0);
    expect(sec.status, sec.stderr).toBe(0);
    const fm = await frontMatter(id);
    expect(fm.approvals.map((a) => a.identity).sort()).toEqual(["bob", "sec"]);
    expect(fm.status).toBe("approved");
  });

  it("reject needs a reason and is final", async () => {
    const { id } = await propose(["scale", "deployment/web", "-n", "rightsizing", "--replicas", "3"]);
    expect((await decide("bob", "reject", id)).status).toBe(2);
    const rejected = await decide("bob", "reject", id, ["--reason", "traffic is flat"]);
    expect(rejected.status, rejected.stderr).toBe(0);
    expect(rejected.stdout).toBe(`rejected by bob (approver); ${id} is rejected (final): traffic is flat\n`);
    const late = await decide("sec", "approve", id);
    expect(late.status).toBe(1);
    expect(late.stderr).toMatch(/"rejected", which is final/);
  });

  it("a proposal past its window is recorded as expired and refused", async () => {
    const shortRepo = gitdir({ ".aiops.yaml": `${POLICY}windows: {low: 1s, medium: 1s, critical: 1s}\n` });
    const shortHistory = path.join(shortRepo, "history");
    const { id } = await propose(["scale", "deployment/web", "-n", "rightsizing", "--replicas", "3"], shortHistory);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const bob = await decide("bob", "approve", id, [], shortHistory);
    expect(bob.status).toBe(1);
    expect(bob.stderr).toMatch(/error: record .* expired: its low window closed at/);
    const fm = await frontMatter(id, shortHistory);
    expect(fm.status).toBe("expired");
    expect(fm.events.map((e) => e.type)).toEqual(["expired"]);
    expect(git(shortRepo, "status", "--porcelain")).toBe("");
  });

  it("an approval edited by hand and committed is caught by audit verify", async () => {
    const { id, path: file } = await propose(["scale", "deployment/web", "-n", "rightsizing", "--replicas", "3"]);
    expect((await decide("bob", "approve", id)).status).toBe(0);
    expect((await aiops("viewer", ["audit", "verify", "--history-dir", history], repo)).status).toBe(0);
    writeFileSync(file, readFileSync(file, "utf8").replace(/identity: "?bob"?/, 'identity: "mallory"'));
    git(repo, "commit", "-q", "-am", "fix approval");
    const verify = await aiops("viewer", ["audit", "verify", "--history-dir", history], repo);
    expect(verify.status).toBe(1);
    expect(verify.stdout).toMatch(new RegExp(`EDITED\\s+record ${id}.*approvals rewritten`));
  });
});
