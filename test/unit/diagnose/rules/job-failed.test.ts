import { expect } from "vitest";
import { jobFailed } from "../../../../src/diagnose/rules/job-failed.ts";
import { ago, cond, evidenceWith, HOUR, job, MIN, pod, ref, terminated, term, testRule } from "../../../helpers/objects.ts";

const backoff = job("etl", { failed: 3, backoffLimit: 2, conditions: [cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", ago(10 * MIN))] });
const attempts = [30, 20, 10].map((m, i) =>
  pod(`etl-${i}`, { owner: backoff, labels: { "job-name": "etl" }, phase: "Failed", spec: { restartPolicy: "Never" }, statuses: [terminated("app", term(1, "Error", ago(m * MIN)))] }),
);
const slow = job("report", { activeDeadlineSeconds: 600, conditions: [cond("Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline", ago(5 * MIN))] });

testRule(jobFailed, [
  {
    name: "backoff limit exceeded, with the pods' exit codes",
    objects: [backoff, ...attempts],
    want: [
      {
        id: "job.failed",
        category: "JobFailed",
        object: ref("Job", "etl"),
        severity: "high",
        confidence: 0.95,
        summary: "Job etl failed: its pods failed 3 time(s) (BackoffLimitExceeded); last: app exit 1: application error (the process reported a failure).",
        evidence: evidenceWith("status.conditions[Failed]: True reason=BackoffLimitExceeded", "failed=3; spec.backoffLimit=2", "pod etl-2 status.containerStatuses[app].state.terminated: reason=Error exitCode=1"),
        since: ago(10 * MIN),
        remediation: { action: "config", tier: "medium" },
      },
    ],
  },
  { name: "deadline exceeded", objects: [slow], want: [{ summary: "Job report failed: it ran longer than activeDeadlineSeconds (600s).", remediation: { summary: expect.stringContaining("Raise activeDeadlineSeconds") } }] },
  { name: "a completed Job: none", objects: [job("ok", { succeeded: 1, conditions: [cond("Complete", "True", undefined, undefined, ago(HOUR))] })], want: [] },
  { name: "a running Job: none", objects: [job("busy", { active: 1 })], want: [] },
]);
