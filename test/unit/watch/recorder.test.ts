import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TrivialApplier } from "../../../src/app/watch/auto-apply.ts";
import { IncidentBook } from "../../../src/app/watch/incidents.ts";
import { openWatchIncidents, recordResolution, recordWorkloadIncident, type RecorderContext } from "../../../src/app/watch/recorder.ts";
import type { Diagnosis } from "../../../src/diagnose/types.ts";
import { resolveHistory } from "../../../src/records/history.ts";
import { listRecords } from "../../../src/records/store.ts";
import { gitdir } from "../../helpers/gitdir.ts";

/** A trivial applier that only says what it would do (the real one proposes and applies). */
const recordOnlyApplier: TrivialApplier = async (finding) => ({
  applied: false,
  detail: `would ${finding.remediation.action} (${finding.remediation.tier} tier, autoApplyTrivial): ${finding.remediation.summary}; not applied: automatic apply is not wired yet`,
});

const T0 = Date.parse("2026-03-10T12:00:00Z");

const diagnosis: Diagnosis = {
  apiVersion: "aiops.dev/v1",
  kind: "Diagnosis",
  target: { kind: "Deployment", namespace: "shop", name: "api" },
  status: "ProblemDetected",
  similar: [],
  findings: [
    {
      id: "pod.crashloopbackoff",
      category: "CrashLoopBackOff",
      severity: "critical",
      confidence: 0.9,
      object: { kind: "Pod", namespace: "shop", name: "api-1" },
      container: "api",
      summary: "Container api is crash-looping",
      evidence: ["state.waiting: CrashLoopBackOff"],
      since: "2026-03-10T11:59:50Z",
      remediation: { action: "restart", summary: "Restart pod api-1 (2 other ready replicas)", tier: "trivial" },
      runbook: "runbooks/crashloopbackoff.md",
    },
  ],
};

function context(dir: string, autoApplyTrivial: boolean, now: () => number): RecorderContext {
  return {
    history: resolveHistory({ cwd: dir, env: {} }),
    command: "kubectl aiops watch -n shop",
    cluster: { context: "prod", server: "https://k8s:6443" },
    user: "system:serviceaccount:aiops:watch",
    store: { now: () => new Date(now()) },
    autoApplyTrivial,
    applyTrivial: recordOnlyApplier,
  };
}

describe("watch records", () => {
  it("one record per incident with its MTTD; resolved in place; adoptable by the next run", async () => {
    const dir = gitdir();
    let now = T0;
    const ctx = context(dir, true, () => now);
    const book = new IncidentBook({ resolveAfterMs: 0 });
    const [open] = book.observe("shop", T0, [{ key: "Deployment/shop/api", firstEvidenceMs: Date.parse("2026-03-10T11:59:50Z"), payload: diagnosis }]);
    if (open?.type !== "open") throw new Error("expected an open action");
    const opened = await recordWorkloadIncident(ctx, open.incident, diagnosis, T0);
    expect(opened.mttdSeconds).toBe(10);
    book.setRecord(open.incident.key, opened.id);
    const text = readFileSync(opened.path, "utf8");
    expect(text).toContain("mttd_seconds: 10");
    expect(text).toContain('type: "first-evidence"');
    expect(text).toContain('type: "auto-apply-recorded"');
    expect(text).toContain("not applied: automatic apply is not wired yet");
    expect(text).toContain('detector: "watch"');

    const listed = (await listRecords(ctx.history, ctx.store)).records;
    expect(openWatchIncidents(listed)).toEqual([{ key: "Deployment/shop/api", scope: "shop", recordId: opened.id, firstEvidenceMs: Date.parse("2026-03-10T11:59:50Z"), openedMs: T0 }]);

    now = T0 + 60_000;
    const [resolve] = book.observe("shop", now, []);
    if (resolve?.type !== "resolve") throw new Error("expected a resolve action");
    await recordResolution(ctx, resolve.incident, now);
    const after = readFileSync(opened.path, "utf8");
    expect(after).toContain('status: "resolved"');
    expect(after).toContain("duration_seconds: 70");
    expect(openWatchIncidents((await listRecords(ctx.history, ctx.store)).records)).toEqual([]);
  });

  it("without autoApplyTrivial nothing is said about applying", async () => {
    const dir = gitdir();
    const ctx = context(dir, false, () => T0);
    const book = new IncidentBook();
    const [open] = book.observe("shop", T0, [{ key: "Deployment/shop/api", firstEvidenceMs: T0, payload: diagnosis }]);
    if (open?.type !== "open") throw new Error("expected an open action");
    const opened = await recordWorkloadIncident(ctx, open.incident, diagnosis, T0);
    expect(readFileSync(opened.path, "utf8")).not.toContain("auto-apply");
  });
});
