import { expect } from "vitest";
import { cronJobFailed } from "../../../../src/diagnose/rules/cronjob-failed.ts";
import { cronJob, cronRun } from "../../../helpers/cluster-objects.ts";
import { ago, DAY, event, evidenceWith, HOUR, MIN, pod, ref, term, terminated, testRule } from "../../../helpers/objects.ts";

// NOW is Tuesday 2026-03-10 12:00 UTC.

const badDay = cronJob("report", { schedule: "0 0 * * 7" });
const badZone = cronJob("billing", { schedule: "0 6 * * *", timeZone: "Europe/Atlantis" });
const never = cronJob("leap", { schedule: "0 0 30 2 *", lastSchedule: undefined, lastSuccess: undefined });
const refused = cronJob("sync", { schedule: "*/10 * * * *", lastSchedule: ago(40 * MIN) });

const nightly = cronJob("nightly", { schedule: "0 2 * * *", lastSchedule: ago(10 * HOUR), lastSuccess: ago(DAY + 10 * HOUR - MIN) });
const nightlyOk = cronRun(nightly, "nightly-29541720", "succeeded", ago(DAY + 10 * HOUR));
const nightlyBad = cronRun(nightly, "nightly-29543160", "failed", ago(10 * HOUR));
const nightlyPod = pod("nightly-29543160-x7k2p", { owner: nightlyBad, labels: { "job-name": "nightly-29543160" }, phase: "Failed", spec: { restartPolicy: "Never" }, statuses: [terminated("task", term(1, "Error", ago(10 * HOUR - 20)))] });

const broken = cronJob("export", { schedule: "0 * * * *", lastSchedule: ago(HOUR), lastSuccess: undefined });
const brokenRuns = [cronRun(broken, "export-1", "failed", ago(2 * HOUR)), cronRun(broken, "export-2", "failed", ago(HOUR))];

const forbid = cronJob("backup", { schedule: "*/5 * * * *", concurrencyPolicy: "Forbid", lastSchedule: ago(3 * HOUR), active: ["backup-29543000"] });
const hung = cronRun(forbid, "backup-29543000", "running", ago(3 * HOUR));

const late = cronJob("rotate", { schedule: "0 * * * *", startingDeadlineSeconds: 60, lastSchedule: ago(2 * HOUR) });
const tooMany = cronJob("poll", { schedule: "* * * * *", lastSchedule: ago(3 * HOUR) });
const silent = cronJob("cleanup", { schedule: "0 3 * * *", created: ago(2 * DAY), lastSchedule: undefined, lastSuccess: undefined });
const edited = cronJob("cleanup2", { schedule: "0 3 * * *", created: ago(2 * DAY), generation: 3, lastSchedule: undefined, lastSuccess: undefined });

const retried = cronJob("digest", { schedule: "0 * * * *", lastSchedule: ago(MIN), lastSuccess: ago(HOUR - MIN) });
const deleting = cronJob("gone", { schedule: "0 0 * * 7" });
deleting.metadata.deletionTimestamp = ago(10);
const statusless = cronJob("dumped", { schedule: "0 * * * *", lastSchedule: undefined, lastSuccess: undefined, created: ago(DAY) });

testRule(cronJobFailed, [
  {
    name: "an invalid day of week: it never runs",
    objects: [badDay, event(badDay, "UnparseableSchedule", 'unparseable schedule: "0 0 * * 7" : end of range (7) above maximum (6): 7', { count: 40 })],
    want: [
      {
        id: "cronjob.failed",
        category: "CronJobFailed",
        object: ref("CronJob", "report"),
        severity: "high",
        confidence: 0.95,
        summary: 'CronJob report never runs: its schedule is invalid (day of week "7" is out of range 0-6).',
        evidence: evidenceWith('spec: schedule="0 0 * * 7"', "UnparseableSchedule x40"),
        since: ago(5 * MIN),
        remediation: { action: "config", tier: "medium", summary: expect.stringContaining("Fix spec.schedule of CronJob report") },
        runbook: "runbooks/cronjobfailed.md",
      },
    ],
  },
  {
    name: "an unknown spec.timeZone",
    objects: [badZone, event(badZone, "UnknownTimeZone", 'invalid timeZone: "Europe/Atlantis": unknown time zone Europe/Atlantis')],
    want: [{ summary: expect.stringContaining('unknown time zone "Europe/Atlantis"'), evidence: evidenceWith("timeZone=Europe/Atlantis", "UnknownTimeZone"), remediation: { summary: expect.stringContaining("spec.schedule/spec.timeZone") } }],
  },
  { name: "a schedule that matches no date (February 30)", objects: [never], want: [{ severity: "high", summary: 'CronJob leap never runs: schedule "0 0 30 2 *" matches no date.' }] },
  {
    name: "the API server refuses its Jobs (quota)",
    objects: [refused, event(refused, "FailedCreate", 'Error creating job: jobs.batch "sync-29543270" is forbidden: exceeded quota: batch, requested: count/jobs.batch=1, used: count/jobs.batch=10, limited: count/jobs.batch=10', { first: ago(40 * MIN), last: ago(MIN), count: 4 })],
    want: [{ severity: "high", confidence: 0.9, summary: expect.stringContaining("cannot start its Jobs: the API server refuses them (Error creating job"), since: ago(40 * MIN), remediation: { action: "quota", tier: "critical" } }],
  },
  {
    name: "the last run failed after an earlier success",
    objects: [nightly, nightlyOk, nightlyBad, nightlyPod],
    want: [
      {
        severity: "high",
        confidence: 0.9,
        summary: `CronJob nightly: its last run, Job nightly-29543160, failed; last success at ${ago(DAY + 10 * HOUR - MIN)}.`,
        evidence: evidenceWith("job nightly-29543160: Job nightly-29543160 failed", "job nightly-29543160 status.conditions[Failed]: True reason=BackoffLimitExceeded", "exitCode=1"),
        since: ago(10 * HOUR - 30),
        remediation: { action: "config", tier: "medium", summary: expect.stringContaining("CronJob/nightly") },
      },
    ],
  },
  { name: "every kept run failed and it never succeeded", objects: [broken, ...brokenRuns], want: [{ summary: "CronJob export: its last run, Job export-2, failed (the last 2 runs failed); it has never succeeded." }] },
  {
    name: "Forbid and a hung run: every later run is skipped",
    objects: [forbid, hung, event(forbid, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", { type: "Normal", last: ago(MIN), count: 35 })],
    want: [
      {
        severity: "high",
        confidence: 0.9,
        summary: expect.stringMatching(/^CronJob backup does not run on schedule: the previous run, Job backup-29543000 \(running since .*\), is still active and concurrencyPolicy is Forbid \(35 run\(s\) missed, first due at /),
        evidence: evidenceWith("active=[backup-29543000]", `last run scheduled at ${ago(3 * HOUR)}; the next was due at ${ago(3 * HOUR - 5 * MIN)}; 35 run(s) missed`, "JobAlreadyActive x35"),
        since: ago(3 * HOUR - 5 * MIN),
        remediation: { action: "delete", tier: "critical", summary: expect.stringContaining("activeDeadlineSeconds") },
      },
    ],
  },
  {
    name: "runs start later than startingDeadlineSeconds",
    objects: [late, event(late, "MissSchedule", "Missed scheduled time to start a job: Tue, 10 Mar 2026 11:00:00 +0000", { last: ago(2 * MIN) })],
    want: [{ summary: expect.stringContaining("runs start later than startingDeadlineSeconds (60s) allows"), evidence: evidenceWith("startingDeadlineSeconds=60", "MissSchedule"), remediation: { action: "config" } }],
  },
  {
    name: "too many missed start times",
    objects: [tooMany, event(tooMany, "TooManyMissedTimes", "too many missed start times: 180. Set or decrease .spec.startingDeadlineSeconds or check clock skew")],
    want: [{ summary: expect.stringContaining("missed more than 100 start times and the controller stopped catching up (more than 100 run(s) missed"), remediation: { action: "config", summary: expect.stringContaining("startingDeadlineSeconds") } }],
  },
  {
    name: "created two days ago and never fired",
    objects: [silent],
    want: [{ severity: "high", confidence: 0.8, summary: expect.stringContaining("it has never started a Job although its schedule was due (2 run(s) missed"), evidence: evidenceWith(`no run since creation at ${ago(2 * DAY)}`), remediation: { action: "investigate", tier: "trivial" } }],
  },
  { name: "never fired, but its spec changed since (maybe unsuspended): medium, less sure", objects: [edited], want: [{ severity: "medium", confidence: 0.6 }] },
  { name: "suspended, even with an invalid schedule: none", objects: [cronJob("paused", { schedule: "0 0 * * 7", suspend: true })], want: [] },
  { name: "suspended for days: none", objects: [cronJob("off", { suspend: true, lastSchedule: ago(10 * DAY) })], want: [] },
  { name: "on schedule, last run succeeded: none", objects: [cronJob("ok"), cronRun(cronJob("ok"), "ok-1", "succeeded", ago(2 * MIN))], want: [] },
  { name: "the newest run succeeded after a failed one: none", objects: [retried, cronRun(retried, "digest-0", "failed", ago(2 * HOUR)), cronRun(retried, "digest-1", "succeeded", ago(HOUR))], want: [] },
  { name: "the newest run is running after a failed one: none", objects: [retried, cronRun(retried, "digest-1", "failed", ago(HOUR)), cronRun(retried, "digest-2", "running", ago(MIN))], want: [] },
  { name: "created a minute ago: none", objects: [cronJob("fresh", { schedule: "@daily", created: ago(MIN), lastSchedule: undefined, lastSuccess: undefined })], want: [] },
  { name: "a run due 4 minutes ago, not yet started: none", objects: [cronJob("tick", { schedule: "*/2 * * * *", lastSchedule: ago(6 * MIN) })], want: [] },
  { name: "a dump without status but with its Jobs: none", objects: [statusless, cronRun(statusless, "dumped-1", "succeeded", ago(HOUR))], want: [] },
  { name: "being deleted: none", objects: [deleting], want: [] },
]);
