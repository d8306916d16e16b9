// The whole loop on the test bed's real node, both outcomes, through the real kubectl with the
// plugin on PATH: `testbed chaos` breaks a healthy demo Deployment with a new revision, a running
// `kubectl aiops watch` records the incident with its MTTD, alice proposes, bob approves (his own
// kubeconfig: the identity the API server authenticates), bob applies, and the apply either
// verifies against the kubelet's real readiness and restart counts or rolls itself back.
//
//   a. bad-env (a revision without the DATABASE_URL the app requires: a real crash loop, exit 1)
//      -> `propose rollback deployment/demo` (medium) -> verified: the revision with the variable
//      serves again, the broken ReplicaSet is scaled to 0, the watch resolves the incident.
//   b. bad-env again -> `propose restart deployment/demo` (low): a rolling restart does not give a
//      container the variable its spec lacks, so the restarted pod crash-loops at once; apply sees
//      its restarts, sends the recorded inverse and records rolled-back with the Deployment's spec
//      as it was before the apply. The spec the rollback restores was failing already, so the
//      rollback waits for the controller to take it back, not for a rollout that cannot complete.
//
// One namespace, one watch and one history for both, in order (b breaks what a repaired), so
// `audit stats` at the end counts two incidents, one verified change and one rollback.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { FrontMatter } from "../../src/records/schema.ts";
import { gitdir } from "../helpers/gitdir.ts";
import { describeTestbed } from "./suite.ts";
import { ROOT, kubectl, testbed, type RunResult } from "./testbed.ts";
import { WatchProcess, type WatchLine } from "./watch-process.ts";

const REAL_NODE = "real-node-0";
const POLICY = "approvers: [alice, bob]\nsecurityReviewers: [sec]\n";

interface ChaosResult {
  kind: string;
  namespace: string;
  deployment: string;
  brokenAt: string;
  revision: string;
}

/** `npm run testbed -- chaos KIND -n NS` (its last stdout line is the JSON summary). */
function chaos(kind: string, namespace: string): ChaosResult {
  const run = spawnSync("bash", ["scripts/testbed.sh", "chaos", kind, "-n", namespace], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
  if (run.status !== 0) throw new Error(`testbed chaos ${kind} -n ${namespace} exited ${run.status}:\n${run.stderr}`);
  const last = run.stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as ChaosResult;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number, detail: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${detail() === "" ? "" : `:\n${detail()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface Pod {
  metadata: { name: string; uid: string; ownerReferences?: { kind: string; name: string }[]; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { env?: { name: string }[] }[] };
  status: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { ready: boolean; restartCount: number; lastState?: { terminated?: { exitCode?: number; reason?: string } } }[];
  };
}

interface ReplicaSet {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { replicas?: number; template: { spec: { containers: { env?: { name: string }[] }[] } } };
  status: { replicas?: number; readyReplicas?: number };
}

interface Deployment {
  metadata: { generation: number; annotations?: Record<string, string> };
  spec: Record<string, unknown> & { template: { metadata?: { annotations?: Record<string, string> }; spec: { containers: { env?: { name: string }[] }[] } } };
}

interface AuditStats {
  byStatus: Record<string, number>;
  mttr: { count: number; p50Seconds?: number };
  mttd: { count: number; p50Seconds?: number };
  rollbacks: { count: number; succeeded: number };
  completeness: { changes: number; percent: number };
}

const hasDatabaseUrl = (containers: { env?: { name: string }[] }[]): boolean => containers.some((c) => (c.env ?? []).some((e) => e.name === "DATABASE_URL"));
const isReady = (pod: Pod): boolean => pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

describeTestbed("the chaos loop on the real node (chaos -> watch -> propose -> approve -> apply -> verify | rollback)", () => {
  const suffix = randomBytes(3).toString("hex");
  const ns = `chaos-loop-${suffix}`;
  let repo = "";
  let historyDir = "";
  let watch: WatchProcess | undefined;

  type User = "admin" | "alice" | "bob";
  const as = (user: User, timeoutMs = 120_000) => ({ ...(user === "admin" ? {} : { kubeconfig: testbed().users[user] }), timeoutMs });
  const aiops = (user: User, args: string[], timeoutMs?: number): RunResult => kubectl(["aiops", ...args, "--history-dir", historyDir], as(user, timeoutMs));
  const ok = (args: string[]): string => {
    const result = kubectl(args);
    if (result.status !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    return result.stdout;
  };
  const json = <T>(args: string[]): T => JSON.parse(ok([...args, "-o", "json"])) as T;
  const deployment = (): Deployment => json<Deployment>(["get", "deployment", "demo", "-n", ns]);
  const replicaSets = (): ReplicaSet[] => json<{ items: ReplicaSet[] }>(["get", "replicasets", "-n", ns, "-l", "app=demo"]).items;
  const pods = (): Pod[] => json<{ items: Pod[] }>(["get", "pods", "-n", ns, "-l", "app=demo"]).items;
  const revisionOf = (rs: ReplicaSet): string => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? "";
  const fm = (id: string): FrontMatter => {
    const shown = aiops("admin", ["show", id, "-o", "json"]);
    expect(shown.status, shown.stderr).toBe(0);
    return (JSON.parse(shown.stdout) as { frontMatter: FrontMatter }).frontMatter;
  };
  const body = (id: string): string => (JSON.parse(aiops("admin", ["show", id, "-o", "json"]).stdout) as { body: string }).body;
  const stats = (): AuditStats => {
    const result = aiops("admin", ["audit", "stats", "-o", "json"]);
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as AuditStats;
  };
  const propose = (args: string[]): FrontMatter => {
    const result = aiops("alice", ["propose", ...args, "-n", ns, "-o", "json"]);
    expect(result.status, `alice: propose ${args.join(" ")}: ${result.stderr}`).toBe(0);
    return (JSON.parse(result.stdout) as { frontMatter: FrontMatter }).frontMatter;
  };
  const approveAsBob = (id: string): void => {
    const result = aiops("bob", ["approve", id]);
    expect(result.status, `bob: approve ${id}: ${result.stderr}`).toBe(0);
    expect(result.stdout).toContain(`approved by bob (approver); ${id} is approved`);
  };
  /** The watch's "opened" line for the demo Deployment, the nth one (0-based). */
  const opened = (n: number): WatchLine | undefined => watch?.lines.filter((l) => l.event === "opened" && l.incident === `Deployment/${ns}/demo`)[n];

  /** The controller has rolled the Deployment to this revision (`testbed chaos` may print it before it has). */
  const waitForRevision = (revision: string): Promise<true> =>
    waitFor(`deployment/demo at revision ${revision}`, () => (deployment().metadata.annotations?.["deployment.kubernetes.io/revision"] === revision ? true : undefined), 30_000, () => JSON.stringify(deployment().metadata.annotations));

  /** What the watch must have recorded for a break: one diagnosis record with its MTTD. */
  const checkDetection = async (n: number, broken: ChaosResult): Promise<WatchLine> => {
    const line = await watch!.waitFor(`watch to record the incident of deployment/demo after chaos ${broken.kind} (incident #${n + 1})`, () => opened(n), 60_000);
    expect(line.categories).toMatch(/CrashLoopBackOff|ContainerExitError/);
    expect(line.mttd_seconds).toBeGreaterThanOrEqual(0);
    expect(line.mttd_seconds).toBeLessThan(60);
    expect(line.record).toMatch(/^[0-9A-Z]{26}$/);
    const record = readFileSync(line.path ?? "", "utf8");
    expect(record).toContain('stage: "diagnosis"');
    expect(record).toContain(`incident: "Deployment/${ns}/demo"`);
    expect(record).toMatch(/type: "first-evidence"/);
    expect(record).toMatch(/exit 1|exitCode=1/);
    const diagnosis = fm(line.record ?? "");
    expect(diagnosis.metrics?.pre?.["mttd_seconds"]).toBe(line.mttd_seconds);
    // Detection is measured from the break: the first evidence is the broken revision's, and the
    // record was written less than a minute after the revision was rolled out.
    const firstEvidence = Date.parse(String(diagnosis.metrics?.pre?.["first_evidence"]));
    const detectedAt = Date.parse(String(diagnosis.metrics?.pre?.["detected_at"]));
    expect(firstEvidence).toBeGreaterThanOrEqual(Date.parse(broken.brokenAt) - 1000);
    expect(detectedAt - Date.parse(broken.brokenAt)).toBeLessThan(60_000);
    return line;
  };

  /** The broken revision's pod really crash-loops on the real node: exit 1, and its log says why. */
  const checkRealCrash = async (): Promise<Pod> => {
    const crashed = await waitFor("a pod without DATABASE_URL terminated with exit 1 on the real node", () =>
      pods().find((p) => !hasDatabaseUrl(p.spec.containers) && p.status.containerStatuses?.[0]?.lastState?.terminated?.exitCode === 1), 60_000, () => ok(["get", "pods", "-n", ns, "-o", "wide"]));
    expect(crashed.spec.nodeName).toBe(REAL_NODE);
    // the kubelet may be between two containers of the loop: ask again until it serves the log
    await waitFor(`the log of a failed container of ${crashed.metadata.name}`, () => {
      const log = kubectl(["logs", "-n", ns, crashed.metadata.name, "--previous"]).stdout;
      return log.includes("Error: required environment variable DATABASE_URL is not set") ? log : undefined;
    }, 30_000, () => kubectl(["logs", "-n", ns, crashed.metadata.name, "--previous"]).stderr);
    return crashed;
  };

  beforeAll(async () => {
    repo = gitdir({ ".aiops.yaml": POLICY });
    historyDir = path.join(repo, "history");
    // The namespace does not exist yet: `testbed chaos` makes it with the RoleBindings of alice,
    // bob and sec. The watch starts first, so the whole break happens under its eyes.
    watch = new WatchProcess(["-n", ns, "-o", "json", "--history-dir", historyDir, "--resolve-after", "5s", "--duration", "30m"]);
    await watch.waitFor("the watch's initial sync", () => (watch?.stderr.includes("synced") === true ? true : undefined), 60_000);
  }, 120_000);

  afterAll(async () => {
    await watch?.stop();
    kubectl(["delete", "namespace", ns, "--wait=false", "--ignore-not-found"]);
  });

  it("a. a bad revision is detected, rolled back on bob's approval of alice's proposal, and verified on the real node", async () => {
    const broken = chaos("bad-env", ns);
    expect(broken).toMatchObject({ kind: "bad-env", namespace: ns, deployment: "demo" });
    await waitForRevision("2");
    const detected = await checkDetection(0, broken);
    const crashed = await checkRealCrash();
    const brokenRs = crashed.metadata.ownerReferences?.find((o) => o.kind === "ReplicaSet")?.name ?? "";
    const goodRs = replicaSets().find((rs) => revisionOf(rs) === "1")?.metadata.name ?? "";
    expect(brokenRs).not.toBe("");
    expect(goodRs).not.toBe("");

    const proposal = propose(["rollback", "deployment/demo"]);
    expect(proposal.tier).toBe("medium");
    expect(proposal.status).toBe("proposed");
    expect(proposal.title).toBe(`Roll back ${ns}/demo from revision 2 to 1`);
    const id = proposal.id;
    // medium: one approver who is not the proposer
    const self = aiops("alice", ["approve", id]);
    expect(self.status).toBe(1);
    expect(self.stderr).toMatch(/alice proposed .* may not approve it/);
    approveAsBob(id);
    expect(fm(id).status).toBe("approved");

    const applied = aiops("bob", ["apply", id, "--verify-window", "20s", "--progress-timeout", "120s", "-o", "json"], 300_000);
    expect(applied.status, applied.stderr).toBe(0);
    const outcome = JSON.parse(applied.stdout) as { status: string; timings: Record<string, number> };
    expect(outcome.status).toBe("verified");
    // the verification window was really watched
    expect(outcome.timings["verify"]).toBeGreaterThanOrEqual(19_000);

    // The rollout happened: the revision with DATABASE_URL is the Deployment's again (revision 3,
    // served by the ReplicaSet of revision 1, as `kubectl rollout undo` does), its pods are
    // Running and ready on the real node without a restart; the broken ReplicaSet is at 0, its pod gone.
    const deploy = deployment();
    expect(deploy.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(hasDatabaseUrl(deploy.spec.template.spec.containers)).toBe(true);
    const sets = replicaSets();
    const serving = sets.find((rs) => rs.metadata.name === goodRs);
    expect(revisionOf(serving!)).toBe("3");
    expect(serving?.status.readyReplicas).toBe(2);
    expect(sets.find((rs) => rs.metadata.name === brokenRs)?.spec.replicas).toBe(0);
    const live = await waitFor(`the pods of the broken ReplicaSet ${brokenRs} to be gone`, () => {
      const list = pods();
      return list.some((p) => p.metadata.ownerReferences?.some((o) => o.name === brokenRs)) ? undefined : list;
    }, 60_000, () => ok(["get", "pods", "-n", ns, "-o", "wide"]));
    expect(live).toHaveLength(2);
    for (const pod of live) {
      expect(pod.spec.nodeName, pod.metadata.name).toBe(REAL_NODE);
      expect(pod.status.phase, pod.metadata.name).toBe("Running");
      expect(isReady(pod), pod.metadata.name).toBe(true);
      expect(pod.status.containerStatuses?.[0]?.restartCount, pod.metadata.name).toBe(0);
      expect(hasDatabaseUrl(pod.spec.containers)).toBe(true);
    }

    const record = fm(id);
    expect(record.status).toBe("verified");
    expect(record.events.map((e) => e.type)).toEqual(["approved", "apply-checked", "applying", "patched", "rollout-complete", "verified"]);
    expect(record.approvals.map((a) => a.identity)).toEqual(["bob"]);
    expect(record.metrics?.post?.["podsReady"]).toBe(2);
    expect(record.metrics?.post?.["restarts"]).toBe(0);
    expect(body(id)).toMatch(/## Execution[\s\S]*## Validation\n\nVerified/);

    // detection sees the fix too: the incident is resolved
    await watch!.waitFor("watch to resolve the incident once the rollback served again", () => watch?.lines.find((l) => l.event === "resolved" && l.record === detected.record), 60_000);

    const figures = stats();
    expect(figures.mttd.count).toBe(1);
    expect(figures.mttd.p50Seconds).toBeLessThan(60);
    expect(figures.mttr.count).toBe(1);
    // approval -> verified: the rollout and the 20 s window, well under 5 minutes
    expect(figures.mttr.p50Seconds).toBeGreaterThanOrEqual(20);
    expect(figures.mttr.p50Seconds).toBeLessThan(300);
    expect(figures.byStatus).toEqual({ verified: 1 });
    expect(figures.completeness).toMatchObject({ changes: 1, percent: 100 });
    const verify = aiops("admin", ["audit", "verify"]);
    expect(verify.status, verify.stderr).toBe(0);
  }, 600_000);

  it("b. a rolling restart that does not cure the missing variable is rolled back automatically to the pre-apply spec", async () => {
    // The automatic rollback restores a spec that was already failing: it waits for the
    // controller to take it back, not for a rollout that could not complete before the change.
    const broken = chaos("bad-env", ns);
    expect(broken).toMatchObject({ kind: "bad-env", namespace: ns, deployment: "demo" });
    // the revision without DATABASE_URL again: its ReplicaSet comes back as revision 4
    await waitForRevision("4");
    const detected = await checkDetection(1, broken);
    expect(detected.record).not.toBe(opened(0)?.record);
    await checkRealCrash();

    const proposal = propose(["restart", "deployment/demo"]);
    expect(proposal.tier).toBe("low");
    const id = proposal.id;
    approveAsBob(id);
    const before = deployment();
    const rsBefore = replicaSets().map((rs) => rs.metadata.name).sort();

    const applied = aiops("bob", ["apply", id, "--verify-window", "20s", "--progress-timeout", "120s", "-o", "json"], 420_000);
    expect(applied.status, `apply should fail and roll back; stderr:\n${applied.stderr}`).toBe(1);
    const outcome = JSON.parse(applied.stdout) as { status: string; problems: string[] };
    expect(outcome.status).toBe("rolled-back");
    // what failed is the restarted pod itself: the new ReplicaSet's pod exited 1 (a new finding
    // on it, or restarts since the change, whichever the first failing poll saw)
    const restartedRs = replicaSets().find((rs) => !rsBefore.includes(rs.metadata.name));
    expect(restartedRs, "the rolling restart made a ReplicaSet of its own").toBeDefined();
    const podOfRestart = `${restartedRs!.metadata.name}-[a-z0-9]+`;
    expect(outcome.problems.join("; ")).toMatch(new RegExp(`pod ${podOfRestart} restarted \\d+ time\\(s\\) since the change|new finding (ContainerExitError|CrashLoopBackOff) on pod/${podOfRestart} \\[demo\\]`));

    const record = fm(id);
    expect(record.status).toBe("rolled-back");
    const types = record.events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["apply-checked", "applying", "patched", "rollback-started", "rolled-back"]));
    expect(types.some((t) => t === "rollout-failed" || t === "verify-failed")).toBe(true);
    expect(types.indexOf("patched")).toBeLessThan(types.indexOf("rollback-started"));
    expect(types.indexOf("rollback-started")).toBeLessThan(types.indexOf("rolled-back"));
    expect(types).not.toContain("verified");
    const rolledBack = record.events.find((e) => e.type === "rolled-back")?.detail ?? "";
    expect(rolledBack).toMatch(/old spec back \(the controller observed generation \d+\); it was failing before the change too \([^)]*CrashLoopBackOff/);
    expect(Number(/rollback took (\d+)s/.exec(applied.stderr)?.[1])).toBeLessThan(60);
    expect(rolledBack).not.toMatch(/WARNING: not every field is back/);
    expect(body(id)).toMatch(/## Execution[\s\S]*## Validation/);

    // the Deployment's spec is the one it had before the apply: no restartedAt, same template
    const after = deployment();
    expect(after.spec).toEqual(before.spec);
    expect(after.spec.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"]).toBeUndefined();
    expect(after.metadata.generation).toBeGreaterThan(before.metadata.generation);
    await waitFor(`the restarted ReplicaSet ${restartedRs!.metadata.name} to be scaled to 0`, () => (replicaSets().find((rs) => rs.metadata.name === restartedRs!.metadata.name)?.spec.replicas === 0 ? true : undefined), 60_000);

    const figures = stats();
    expect(figures.mttd.count).toBe(2);
    expect(figures.mttd.p50Seconds).toBeLessThan(60);
    expect(figures.rollbacks).toEqual({ count: 1, succeeded: 1 });
    expect(figures.byStatus).toEqual({ verified: 1, "rolled-back": 1 });
    expect(figures.mttr.count).toBe(1);
    const verify = aiops("admin", ["audit", "verify"]);
    expect(verify.status, verify.stderr).toBe(0);
  }, 600_000);
});
