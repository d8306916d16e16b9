import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findSimilar, recordDiagnosis } from "../../../src/app/records.ts";
import type { Diagnosis, Finding } from "../../../src/diagnose/types.ts";
import { parseRecord } from "../../../src/records/record-file.ts";
import { evidenceSha256 } from "../../../src/records/hash.ts";
import { resolveHistory } from "../../../src/records/history.ts";
import { baseName, findSimilarIncidents, summarizeSimilar } from "../../../src/records/similar.ts";
import { appendToRecord, writeRecord } from "../../../src/records/store.ts";
import { git, gitdir } from "../../helpers/gitdir.ts";
import { fixedDeps, newProposal } from "./fixtures.ts";

function oomDiagnosis(pod = "api-7d9f8b6c5-x2k4q"): Diagnosis {
  const finding: Finding = {
    id: "pod.oomkilled",
    category: "OOMKilled",
    severity: "critical",
    confidence: 0.95,
    object: { kind: "Pod", namespace: "shop", name: pod },
    container: "api",
    summary: "container api was OOMKilled (exit 137) 5 times: memory limit 256Mi is too low",
    evidence: ["lastState.terminated: OOMKilled exit 137", "env DB_PASSWORD=hunter2 seen in logs"],
    remediation: { action: "resources", summary: "raise the memory limit", tier: "medium" },
    runbook: "runbooks/oomkilled.md",
  };
  return { apiVersion: "aiops.dev/v1", kind: "Diagnosis", target: { kind: "Pod", namespace: "shop", name: pod }, status: "ProblemDetected", findings: [finding], similar: [] };
}

describe("similar incidents", () => {
  it.each([
    ["api-7d9f8b6c5-x2k4q", "api"],
    ["api-7d9f8b6c5", "api"],
    ["db-0", "db"],
    ["web-frontend", "web-frontend"],
    ["checkout-service-5c9b7d4f6d-zz7kp", "checkout-service"],
  ])("strips generated suffixes: %s -> %s", (name, base) => {
    expect(baseName(name)).toBe(base);
  });

  it("summarises outcomes by action", () => {
    expect(summarizeSimilar([])).toBe("no similar incidents in the history");
    const incident = (outcome: string, action = "resources") => ({ record: "x", category: "OOMKilled" as const, outcome, action, score: 0.5 });
    expect(summarizeSimilar([incident("verified"), incident("verified"), incident("rolled-back"), incident("proposed")])).toBe("resolved 3 times by raising the memory limit (resources), 2 verified, 1 rolled back");
    expect(summarizeSimilar([incident("proposed")])).toBe("1 similar incident(s), none acted on");
  });

  it("records a diagnosis (redacted evidence) and finds it again for the next pod of the workload, with its outcome", async () => {
    const dir = gitdir();
    const env = {};
    const first = await recordDiagnosis(oomDiagnosis(), { command: "kubectl aiops diagnose pod api-7d9f8b6c5-x2k4q -n shop --record", now: new Date("2026-11-21T10:00:00Z"), cwd: dir, env, user: "alice" });
    const text = readFileSync(first.path, "utf8");
    expect(text).not.toContain("hunter2");
    const record = parseRecord(text, first.path);
    expect(record.frontMatter).toMatchObject({ title: "OOMKilled in shop/api-7d9f8b6c5-x2k4q", stage: "diagnosis", status: "recorded", tier: "medium", labels: { category: "OOMKilled" }, target: { kind: "Pod", namespace: "shop", name: "api-7d9f8b6c5-x2k4q" }, user: { cluster: "alice" } });
    expect(record.body).toMatch(/^## Prompt\n[\s\S]*## Response snapshot\n[\s\S]*## Evidence\n/);
    expect(record.frontMatter.evidence_sha256).toBe(evidenceSha256(/## Evidence\n\n([\s\S]*)$/.exec(record.body)?.[1] ?? ""));
    expect(git(dir, "log", "-1", "--format=%s")).toBe("aiops(diagnosis): OOMKilled in shop/api-7d9f8b6c5-x2k4q");

    const history = resolveHistory({ cwd: dir, env });
    const proposal = await writeRecord(history, newProposal({ links: { diagnosis: first.id } }), fixedDeps());
    const deps = fixedDeps();
    await appendToRecord(history, proposal.frontMatter.id, { status: "approved", approvals: [{ identity: "bob", role: "approver", decision: "approved", at: "2026-11-21T10:05:00Z" }] }, deps);
    await appendToRecord(history, proposal.frontMatter.id, { status: "applying" }, deps);
    await appendToRecord(history, proposal.frontMatter.id, { status: "verified" }, deps);

    const result = await findSimilar(oomDiagnosis("api-7d9f8b6c5-q8zzt"), { cwd: dir, env });
    expect(result.similar).toHaveLength(1);
    expect(result.similar[0]).toMatchObject({ record: first.id, category: "OOMKilled", outcome: "verified", action: "resources", target: "pod/shop/api-7d9f8b6c5-x2k4q" });
    expect(result.similar[0]?.score).toBeGreaterThan(0.5);
    expect(result.summary).toBe("resolved once by raising the memory limit (resources), 1 verified");
  });

  it("ignores records of other categories", () => {
    const result = findSimilarIncidents(oomDiagnosis(), [
      {
        frontMatter: { ...newProposal(), id: "01JD3X5Y6Z7A8B9C0D1E2F3G4H", date: "2026-11-21T10:00:00Z", surface: "kubectl-aiops", tool_version: "0", model: "rules", status: "proposed", user: { cluster: "a", git: "a <a@b>" }, content_sha256: "0".repeat(64), prev_record_sha256: "0".repeat(64), approvals: [], events: [], labels: { category: "ImagePullError" } },
        body: "",
      },
    ]);
    expect(result.similar).toEqual([]);
  });
});
