import { expect } from "vitest";
import { jobFailed } from "../../../../src/diagnose/rules/job-failed.ts";
import type { Job } from "../../../../src/model/k8s.ts";
import { cronJob, cronRun } from "../../../helpers/cluster-objects.ts";
import { ago, cond, evidenceWith, HOUR, job, MIN, pod, ref, running, terminated, term, testRule } from "../../../helpers/objects.ts";

const nightly = cronJob("nightly");
const backoff = job("etl", { failed: 3, backoffLimit: 2, conditions: [cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", ago(10 * MIN))] });
const attempts = [30, 20, 10].map((m, i) =>
  pod(`etl-${i}`, { owner: backoff, labels: { "job-name": "etl" }, phase: "Failed", spec: { restartPolicy: "Never" }, statuses: [terminated("app", term(1, "Error", ago(m * MIN)))] }),
);
const slow = job("report", { activeDeadlineSeconds: 600, conditions: [cond("Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline", ago(5 * MIN))] });
// Kubernetes 1.31+: FailureTarget first, Failed once the pods are gone.
const terminating = job("sync", { failed: 7, conditions: [cond("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", ago(MIN))] });
const policy = job("train", { failed: 1, conditions: [cond("Failed", "True", "PodFailurePolicy", "Container main for pod shop/train-x failed with exit code 42 matching FailJob rule at index 0", ago(MIN))] });

// Still retrying: two attempts failed, a third runs.
const retrying = job("import", { active: 1, failed: 2, backoffLimit: 6 });
const retryPods = [
  pod("import-a", { owner: retrying, labels: { "job-name": "import" }, phase: "Failed", spec: { restartPolicy: "Never" }, statuses: [terminated("app", term(127, "Error", ago(20 * MIN)))] }),
  pod("import-b", { owner: retrying, labels: { "job-name": "import" }, phase: "Failed", spec: { restartPolicy: "Never" }, statuses: [terminated("app", term(127, "Error", ago(10 * MIN)))] }),
  pod("import-c", { owner: retrying, labels: { "job-name": "import" }, spec: { restartPolicy: "Never" }, statuses: [running("app")] }),
];
// Between retries, one failure from the limit.
const lastChance = job("export", { failed: 2, backoffLimit: 2 });

const suspended: Job = { ...job("batch", { failed: 1 }), spec: { ...job("batch").spec, suspend: true } };
const suspendedByCondition = job("queued", { failed: 1, conditions: [cond("Suspended", "True", "JobSuspended", "Job suspended", ago(HOUR))] });

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
  { name: "FailureTarget before Failed: already given up", objects: [terminating], want: [{ severity: "high", summary: "Job sync failed: its pods failed 7 time(s) (BackoffLimitExceeded).", since: ago(MIN) }] },
  { name: "a pod failure policy rule failed it", objects: [policy], want: [{ summary: expect.stringContaining("a rule of its podFailurePolicy failed it (Container main for pod shop/train-x failed with exit code 42") }] },
  {
    name: "attempts failing while it still retries, before any Failed condition",
    objects: [retrying, ...retryPods],
    want: [
      {
        severity: "medium",
        confidence: 0.85,
        summary: expect.stringMatching(/^Job import is failing: 2 attempt\(s\) failed \(backoffLimit 6\), 1 running; last: app exit 127: command not found/),
        evidence: evidenceWith("status: active=1 succeeded=0 failed=2; spec.backoffLimit=6", "pod import-b status.containerStatuses[app].state.terminated: reason=Error exitCode=127"),
        since: ago(20 * MIN),
        remediation: { action: "config", summary: expect.stringContaining("before the backoff limit fails the Job") },
      },
    ],
  },
  { name: "between retries with one failure left: high", objects: [lastChance], want: [{ severity: "high", summary: "Job export is failing: 2 attempt(s) failed (backoffLimit 2), retrying after a back-off." }] },
  { name: "a suspended Job (spec.suspend) with a failed attempt: not a failure", objects: [suspended], want: [] },
  { name: "a Job suspended by its condition: not a failure", objects: [suspendedByCondition], want: [] },
  { name: "a completed Job with a failed first attempt: none", objects: [job("ok", { succeeded: 1, failed: 1, conditions: [cond("Complete", "True", undefined, undefined, ago(HOUR))] })], want: [] },
  { name: "success criteria met (SuccessCriteriaMet) with failed indexes: none", objects: [job("indexed", { succeeded: 3, failed: 1, conditions: [cond("SuccessCriteriaMet", "True", "SuccessPolicy", undefined, ago(MIN))] })], want: [] },
  { name: "a running Job: none", objects: [job("busy", { active: 1 })], want: [] },
  // A CronJob's runs: an old failure followed by a success is history (CronJobFailed judges runs in a row).
  { name: "a CronJob's failed run followed by a successful one: none", objects: [nightly, cronRun(nightly, "nightly-1", "failed", ago(2 * HOUR)), cronRun(nightly, "nightly-2", "succeeded", ago(HOUR))], want: [] },
  { name: "a CronJob's newest run failed: reported", objects: [nightly, cronRun(nightly, "nightly-1", "succeeded", ago(2 * HOUR)), cronRun(nightly, "nightly-2", "failed", ago(HOUR))], want: [{ object: { kind: "Job", name: "nightly-2" } }] },
]);
