import { describe, expect, it } from "vitest";
import { checkApplicable, checkRecordTier } from "../../../src/app/apply/checks.ts";
import { policyChangeRecord } from "../../../src/app/policy-change.ts";
import { proposalRecord } from "../../../src/app/propose/record.ts";
import type { ProposalDraft } from "../../../src/app/propose/types.ts";
import { verifyHistory } from "../../../src/app/records.ts";
import { PolicyError } from "../../../src/errors.ts";
import { decide } from "../../../src/gate/gate.ts";
import { defaultPolicy, parsePolicy, tierPolicyOf, type Policy } from "../../../src/policy/policy-file.ts";
import { classifyAction, type Tier } from "../../../src/policy/tiers.ts";
import { hpaCreatePlan, restartPodPlan, restartWorkloadPlan, scalePatch, type PatchPlan } from "../../../src/recommend/patch.ts";
import { resolveHistory } from "../../../src/records/history.ts";
import { writeRecord, type NewRecord } from "../../../src/records/store.ts";
import { recomputeTier } from "../../../src/records/tier-check.ts";
import { gitdir } from "../../helpers/gitdir.ts";
import { fixedDeps, newProposal } from "./fixtures.ts";

/**
 * "Tier computed, never trusted": `audit verify`, the apply pre-checks and the gate recompute a
 * record's tier from its action and target. Genuine records (built by propose's own record
 * builder, with the tier propose computes) recompute clean; hand-written lower tiers are refused.
 */

const NOW = new Date("2026-11-21T10:00:00Z");
const deployment = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" };
const template = { metadata: { annotations: {} }, spec: { containers: [{ name: "web", image: "web:1" }] } };

type DraftInput = Pick<ProposalDraft, "action" | "plan" | "tierInput"> & { lowConfidence?: boolean; metricsPre?: Record<string, unknown> };

/** A proposal record exactly as `propose` writes it: finishProposal's tier, proposalRecord's fields. */
function genuine(d: DraftInput, policy: Policy = defaultPolicy()): { record: NewRecord; tier: Tier } {
  const draft: ProposalDraft = {
    title: `${d.action} ${d.plan.target.namespace}/${d.plan.target.name}`,
    object: undefined,
    lowConfidence: false,
    snapshot: "s",
    evidence: "e",
    metricsPre: {},
    notes: [],
    procedure: {},
    ...d,
  };
  const tier = classifyAction({ ...draft.tierInput, lowConfidence: draft.lowConfidence }, tierPolicyOf(policy));
  const record = proposalRecord(draft, { tier, dryRun: { result: "passed", message: "dry run passed" }, user: "alice", now: NOW, policy, policyFile: undefined, cost: undefined, command: "kubectl aiops propose", cluster: { context: "kind", server: "https://127.0.0.1:6443" }, request: {} });
  return { record, tier };
}

const usage = (confidence: "high" | "low") => ({ confidence, containers: { web: { memory_p95: "120Mi" } }, replicas: 2 });
const resourcesPlan: PatchPlan = { operation: "patch", target: deployment, patchType: "strategic", patch: { spec: { template: { spec: { containers: [{ name: "web", resources: { requests: { memory: "156Mi" } } }] } } } }, rollback: { spec: { template: { spec: { containers: [{ name: "web", resources: { requests: { memory: "128Mi" } } }] } } } } };
const rollbackPlan: PatchPlan = { operation: "patch", target: deployment, patchType: "strategic", patch: { spec: { template: { spec: { containers: [{ name: "web", image: "web:1" }] } } } }, rollback: { spec: { template: { spec: { containers: [{ name: "web", image: "web:2" }] } } } } };
const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "shop", uid: "u1" } };
const hpaPlan = hpaCreatePlan({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } } as never, { minReplicas: 2, maxReplicas: 5, metrics: [{ resource: "cpu", averageUtilization: 70 }] });

/** Every action type propose writes, at every tier it can reach. */
const GENUINE: { name: string; draft: DraftInput; tier: Tier }[] = [
  { name: "restart a pod with ready peers", tier: "trivial", draft: { action: "restart", plan: restartPodPlan(pod as never, "ReplicaSet web-abc"), tierInput: { type: "restart", namespace: "shop", targetKind: "Pod", otherReadyReplicas: 2 }, metricsPre: { pod: "web-1", otherReadyReplicas: 2 } } },
  { name: "restart a pod without ready peers", tier: "low", draft: { action: "restart", plan: restartPodPlan(pod as never, "ReplicaSet web-abc"), tierInput: { type: "restart", namespace: "shop", targetKind: "Pod", otherReadyReplicas: 0 }, metricsPre: { pod: "web-1", otherReadyReplicas: 0 } } },
  { name: "rolling restart of a deployment", tier: "low", draft: { action: "restart", plan: restartWorkloadPlan(deployment, template as never, "2026-11-21T10:00:00Z"), tierInput: { type: "restart", namespace: "shop", targetKind: "Deployment" }, metricsPre: { replicas: 2 } } },
  { name: "scale 2 -> 3 as asked", tier: "low", draft: { action: "scale", plan: scalePatch(deployment, 2, 3), tierInput: { type: "scale", namespace: "shop", targetKind: "Deployment", replicas: { from: 2, to: 3 } }, metricsPre: { replicas: 2 } } },
  { name: "scale 2 -> 3 from low-confidence usage", tier: "medium", draft: { action: "scale", plan: scalePatch(deployment, 2, 3), tierInput: { type: "scale", namespace: "shop", targetKind: "Deployment", replicas: { from: 2, to: 3 } }, lowConfidence: true, metricsPre: usage("low") } },
  { name: "scale 2 -> 6", tier: "medium", draft: { action: "scale", plan: scalePatch(deployment, 2, 6), tierInput: { type: "scale", namespace: "shop", targetKind: "Deployment", replicas: { from: 2, to: 6 } }, metricsPre: usage("high") } },
  { name: "scale 0 -> 3", tier: "medium", draft: { action: "scale", plan: scalePatch(deployment, 0, 3), tierInput: { type: "scale", namespace: "shop", targetKind: "Deployment", replicas: { from: 0, to: 3 } }, metricsPre: { replicas: 0 } } },
  { name: "scale 3 -> 0", tier: "critical", draft: { action: "scale", plan: scalePatch(deployment, 3, 0), tierInput: { type: "scale", namespace: "shop", targetKind: "Deployment", replicas: { from: 3, to: 0 } }, metricsPre: { replicas: 3 } } },
  { name: "resources", tier: "medium", draft: { action: "resources", plan: resourcesPlan, tierInput: { type: "resources", namespace: "shop", targetKind: "Deployment" }, metricsPre: usage("high") } },
  { name: "resources from low-confidence usage", tier: "critical", draft: { action: "resources", plan: resourcesPlan, tierInput: { type: "resources", namespace: "shop", targetKind: "Deployment" }, lowConfidence: true, metricsPre: usage("low") } },
  { name: "hpa", tier: "medium", draft: { action: "hpa", plan: hpaPlan, tierInput: { type: "hpa", namespace: "shop", targetKind: "HorizontalPodAutoscaler" }, metricsPre: usage("high") } },
  { name: "hpa from low-confidence usage", tier: "critical", draft: { action: "hpa", plan: hpaPlan, tierInput: { type: "hpa", namespace: "shop", targetKind: "HorizontalPodAutoscaler" }, lowConfidence: true, metricsPre: usage("low") } },
  { name: "rollback", tier: "medium", draft: { action: "rollback", plan: rollbackPlan, tierInput: { type: "rollback", namespace: "shop", targetKind: "Deployment" }, metricsPre: { replicas: 2, revision: 2 } } },
  { name: "restart in a protected namespace", tier: "critical", draft: { action: "restart", plan: restartPodPlan({ ...pod, metadata: { ...pod.metadata, namespace: "kube-system" } } as never, "ReplicaSet dns"), tierInput: { type: "restart", namespace: "kube-system", targetKind: "Pod", otherReadyReplicas: 2 }, metricsPre: { otherReadyReplicas: 2 } } },
];

/** The hand-written record of the security issue: delete a Secret, claimed trivial. */
const forgedSecret = (): NewRecord =>
  newProposal({ title: "Tidy up", tier: "trivial", window: undefined, target: { apiVersion: "v1", kind: "Secret", namespace: "shop", name: "db-creds" }, action: { type: "delete", patch: { delete: { apiVersion: "v1", kind: "Secret", namespace: "shop", name: "db-creds" } }, rollback: { none: "x" } } });
const forgedScale = (): NewRecord =>
  newProposal({ title: "Scale web to 0", tier: "low", target: deployment, action: { type: "scale", patchType: "strategic", patch: { spec: { replicas: 0 } }, rollback: { spec: { replicas: 3 } } } });

async function commit(dir: string, records: NewRecord[]) {
  const history = resolveHistory({ cwd: dir, env: {} });
  const deps = fixedDeps();
  const written = [];
  for (const r of records) written.push(await writeRecord(history, r, deps));
  return written;
}

const verify = (dir: string) => verifyHistory({ cwd: dir, env: {} }, { requireSigned: false });

describe("tier recomputation: genuine records", () => {
  it.each(GENUINE)("$name recomputes to its recorded tier ($tier)", ({ draft, tier }) => {
    const { record, tier: recorded } = genuine(draft);
    expect(recorded).toBe(tier);
    const fm = { ...record, id: "01JD3X5Y6Z7A8B9C0D1E2F3G4H", date: "2026-11-21T10:00:00Z", status: "proposed", approvals: [], events: [], user: { cluster: "alice", git: "a" } } as never;
    expect(recomputeTier(fm, tierPolicyOf(defaultPolicy()))?.tier).toBe(tier);
    expect(checkRecordTier(fm, tierPolicyOf(defaultPolicy()))).toBe(tier);
  });

  it("audit verify passes a history of every kind of genuine proposal, a policy change and an undo", async () => {
    const dir = gitdir({ "README.md": "x\n" });
    const records = GENUINE.map((g) => genuine(g.draft).record);
    records.push(policyChangeRecord({ before: "", after: "approvers: [bob]\n", source: "new.yaml", user: "alice", now: NOW, policy: defaultPolicy(), command: "kubectl aiops policy propose new.yaml" }));
    const written = await commit(dir, records);
    // `rollback` of the verified 0 -> 3 scale keeps its medium tier, though the undo scales to 0.
    const original = written[GENUINE.findIndex((g) => g.name === "scale 0 -> 3")];
    await commit(dir, [newProposal({ title: "Roll back", tier: "medium", target: deployment, links: { supersedes: original?.frontMatter.id ?? "" }, action: { type: "scale", patchType: "strategic", patch: { spec: { replicas: 0 } }, rollback: { spec: { replicas: 3 } } } })]);
    const result = await verify(dir);
    expect(result.problems).toEqual([]);
    expect(result.records).toBe(GENUINE.length + 2);
  });

  it("recomputes with the policy's protected namespaces", async () => {
    const policyText = "protectedNamespaces: [kube-system, prod]\n";
    const policy = parsePolicy(policyText, ".aiops.yaml");
    const dir = gitdir({ ".aiops.yaml": policyText });
    const { record, tier } = genuine({ action: "resources", plan: { ...resourcesPlan, target: { ...deployment, namespace: "prod" } }, tierInput: { type: "resources", namespace: "prod", targetKind: "Deployment" } }, policy);
    expect(tier).toBe("critical");
    const medium = genuine({ action: "resources", plan: { ...resourcesPlan, target: { ...deployment, namespace: "prod" } }, tierInput: { type: "resources", namespace: "prod", targetKind: "Deployment" } }).record;
    await commit(dir, [record, { ...medium, title: "claimed medium in prod" }]);
    const result = await verify(dir);
    expect(result.problems.map((p) => [p.kind, p.message])).toEqual([["tier", expect.stringMatching(/^tier forged: recorded medium, the action \(resources Deployment prod\/web\) is critical/)]]);
  });
});

describe("tier recomputation: hand-written records", () => {
  it("audit verify reports a Secret deletion written as trivial", async () => {
    const dir = gitdir({ "README.md": "x\n" });
    const [written] = await commit(dir, [forgedSecret()]);
    const result = await verify(dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ kind: "tier", record: written?.frontMatter.id, path: written?.location.relative, commit: expect.any(String), message: "tier forged: recorded trivial, the action (delete Secret shop/db-creds) is critical: the record looks forged or was written by hand" }]);
  });

  it("audit verify reports a scale to 0 written as low", async () => {
    const dir = gitdir({ "README.md": "x\n" });
    await commit(dir, [forgedScale()]);
    const result = await verify(dir);
    expect(result.problems.map((p) => [p.kind, p.message])).toEqual([["tier", "tier forged: recorded low, the action (scale Deployment shop/web from 3 to 0 replicas) is critical: the record looks forged or was written by hand"]]);
  });

  it("the apply pre-checks refuse the forged Secret deletion before anything is sent (exit 1, both tiers named)", async () => {
    const dir = gitdir({ "README.md": "x\n" });
    const [written] = await commit(dir, [forgedSecret()]);
    const fm = written?.frontMatter;
    if (fm === undefined) throw new Error("not written");
    const tierPolicy = tierPolicyOf(defaultPolicy());
    let error: unknown;
    try {
      checkApplicable(fm, new Date("2026-11-21T10:03:00Z"), undefined, { resume: false, tierPolicy });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).exitCode).toBe(1);
    expect((error as PolicyError).message).toMatch(/records tier trivial, but its action \(delete Secret shop\/db-creds\) is critical tier: the record looks forged or was written by hand/);
    expect(() => checkRecordTier(fm, tierPolicy)).toThrow(PolicyError);
  });

  it("the apply pre-checks refuse a scale to 0 written as low even when one approver approved it", async () => {
    const dir = gitdir({ "README.md": "x\n" });
    const [written] = await commit(dir, [forgedScale()]);
    const fm = { ...(written?.frontMatter as never as Record<string, unknown>), status: "approved", approvals: [{ identity: "bob", role: "approver", decision: "approved", at: "2026-11-21T10:01:00Z" }] } as never;
    expect(() => checkApplicable(fm, new Date("2026-11-21T10:03:00Z"), undefined, { resume: false, tierPolicy: tierPolicyOf(defaultPolicy()) })).toThrow(/records tier low, but its action \(scale Deployment shop\/web from 3 to 0 replicas\) is critical tier/);
  });

  it("the gate refuses to approve a forged record", async () => {
    const dir = gitdir({ "README.md": "x\n" });
    const [written] = await commit(dir, [forgedScale()]);
    const fm = written?.frontMatter;
    if (fm === undefined) throw new Error("not written");
    const result = decide({ record: fm, decision: "approve", identity: { username: "bob", groups: [] }, now: new Date("2026-11-21T10:03:00Z"), policy: { approvers: ["bob"], securityReviewers: [], protectedNamespaces: defaultPolicy().protectedNamespaces } });
    expect(result).toMatchObject({ kind: "refused", reason: expect.stringMatching(/records tier low, but its action .* is critical tier/) });
  });
});
