import type { CronJob } from "../../model/cluster.ts";
import type { Condition, Job } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { parseCron } from "../cron.ts";
import { describeCondition, describeEvent, eventsWith, firstSeen, makeFinding, oneLine, remediate, truncate, type FindingInput } from "../finding.ts";
import type { Finding, Rule } from "../types.ts";
import { jobFailed } from "./job-failed.ts";
import { conditionOf, isTerminating, recentEvents } from "./shared.ts";

/**
 * How late a scheduled run may start before it counts as missed. The controller starts a run
 * within seconds of its time; minutes late means it will not start (or has not, for a reason).
 */
export const CRON_LATE_S = 5 * 60;

/** At most this many missed runs are counted for the evidence (the controller itself stops at 100). */
const MAX_COUNTED = 100;

/**
 * A CronJob whose scheduled work does not get done:
 * - its schedule (or spec.timeZone) does not parse, or matches no date (`0 0 30 2 *`);
 * - the API server refuses the Jobs it creates (FailedCreate: quota, admission);
 * - the last Job it started failed (the newest owned Job has Failed=True);
 * - a run is overdue: the next time after status.lastScheduleTime (or after creation when it
 *   never ran) is more than CRON_LATE_S ago. Causes named: a still-running previous Job under
 *   concurrencyPolicy Forbid, a missed startingDeadlineSeconds, too many missed runs, or a
 *   controller that does not run.
 * A suspended CronJob is not a failure. One finding per CronJob: the first cause above wins; the
 * failed Job itself is also reported as JobFailed.
 */
export const cronJobFailed: Rule = {
  id: "cronjob.failed",
  category: "CronJobFailed",
  kinds: ["CronJob"],
  evaluate(object, ctx) {
    const cron = object as CronJob;
    if (cron.spec.suspend === true || isTerminating(cron)) return [];
    const spec = cron.spec;
    const evidence = [
      `spec: schedule="${spec.schedule}"${spec.timeZone === undefined ? "" : ` timeZone=${spec.timeZone}`} concurrencyPolicy=${spec.concurrencyPolicy ?? "Allow"}${spec.startingDeadlineSeconds === undefined ? "" : ` startingDeadlineSeconds=${spec.startingDeadlineSeconds}`}`,
      describeStatus(cron),
    ];
    const finding = (input: Omit<FindingInput, "object" | "evidence"> & { evidence?: string[] }): Finding[] => [
      makeFinding(cronJobFailed, { ...input, object: cron, evidence: [...evidence, ...(input.evidence ?? [])] }),
    ];
    const name = cron.metadata.name;

    const parsed = parseCron(spec.schedule, spec.timeZone);
    if (parsed.schedule === undefined) {
      const refused = eventsWith(ctx, cron, ["UnparseableSchedule", "InvalidSchedule", "UnknownTimeZone"]);
      return finding({
        severity: "high",
        confidence: 0.95,
        summary: `CronJob ${name} never runs: its schedule is invalid (${parsed.error}).`,
        evidence: refused.slice(-1).map(describeEvent),
        since: firstSeen(refused) || cron.metadata.creationTimestamp,
        remediation: remediate(ctx, "config", `Fix spec.schedule${spec.timeZone === undefined ? "" : "/spec.timeZone"} of CronJob ${name}: five fields "minute hour day-of-month month day-of-week" (e.g. "0 3 * * *") or @daily/@hourly, and an IANA zone in spec.timeZone.`, cron),
      });
    }
    const schedule = parsed.schedule;
    if (schedule.next(ctx.now) === undefined) {
      return finding({
        severity: "high",
        confidence: 0.9,
        summary: `CronJob ${name} never runs: schedule "${spec.schedule}" matches no date.`,
        since: cron.metadata.creationTimestamp,
        remediation: remediate(ctx, "config", `Fix spec.schedule of CronJob ${name}: the day of month and month never meet (e.g. February 30).`, cron),
      });
    }

    const refusals = recentEvents(ctx, eventsWith(ctx, cron, ["FailedCreate"]));
    const refusal = refusals[refusals.length - 1];
    if (refusal !== undefined) {
      const quota = /exceeded quota|forbidden: exceeded/i.test(refusal.message ?? "");
      return finding({
        severity: "high",
        confidence: 0.9,
        summary: `CronJob ${name} cannot start its Jobs: the API server refuses them (${truncate(oneLine(refusal.message ?? ""), 160)}).`,
        evidence: [describeEvent(refusal)],
        since: firstSeen(refusals),
        remediation: quota
          ? remediate(ctx, "quota", `Raise the ResourceQuota of namespace ${cron.metadata.namespace ?? "-"} or lower what the job template of CronJob ${name} requests.`, cron)
          : remediate(ctx, "config", `Fix the job template of CronJob ${name} so the API server accepts it (see the event message).`, cron),
      });
    }

    const jobs = ctx.ownedBy<Job>(cron, "Job").sort((a, b) => startOf(a).localeCompare(startOf(b)));
    const newest = jobs[jobs.length - 1];
    const failed = newest === undefined ? undefined : failedCondition(newest);
    if (newest !== undefined && failed !== undefined) {
      const why = jobFailed.evaluate(newest, ctx)[0];
      const streak = countFailedStreak(jobs);
      const lastSuccess = cron.status?.lastSuccessfulTime;
      return finding({
        severity: "high",
        confidence: 0.9,
        summary: `CronJob ${name}: its last run, Job ${newest.metadata.name}, failed${streak > 1 ? ` (the last ${streak} runs failed)` : ""}${lastSuccess === undefined ? "; it has never succeeded" : `; last success at ${lastSuccess}`}.`,
        evidence: why === undefined ? [`job ${newest.metadata.name} ${describeCondition(failed)}`] : [`job ${newest.metadata.name}: ${why.summary}`, ...why.evidence.map((line) => `job ${newest.metadata.name} ${line}`)],
        since: failed.lastTransitionTime,
        remediation: why?.remediation ?? remediate(ctx, "config", `Fix the failure of the Job's pods in CronJob ${name}, then run it again (kubectl create job --from=cronjob/${name}).`, cron),
      });
    }

    return overdue(cron, ctx, schedule.next.bind(schedule), jobs, evidence);
  },
};

/** A run due more than CRON_LATE_S ago that has not started, and why, when the status says so. */
function overdue(cron: CronJob, ctx: RuleContext, next: (after: number) => number | undefined, jobs: Job[], base: string[]): Finding[] {
  const name = cron.metadata.name;
  const lastScheduled = cron.status?.lastScheduleTime;
  // A dump without status but with Jobs has run: nothing tells when it last did.
  if (lastScheduled === undefined && jobs.length > 0) return [];
  const from = Date.parse(lastScheduled ?? cron.metadata.creationTimestamp ?? "");
  if (Number.isNaN(from)) return [];
  const due = next(from);
  const deadline = ctx.now - CRON_LATE_S * 1000;
  if (due === undefined || due > deadline) return [];
  let missed = 0;
  for (let t: number | undefined = due; t !== undefined && t <= deadline && missed < MAX_COUNTED; t = next(t)) missed += 1;
  const dueIso = new Date(due).toISOString();
  const count = `${missed >= MAX_COUNTED ? `more than ${MAX_COUNTED}` : missed} run(s) missed`;
  const evidence = [...base, `${lastScheduled === undefined ? `no run since creation at ${cron.metadata.creationTimestamp ?? "-"}` : `last run scheduled at ${lastScheduled}`}; the next was due at ${dueIso}; ${count}`];
  const events = recentEvents(ctx, eventsWith(ctx, cron, ["MissSchedule", "FailedNeedsStart", "TooManyMissedTimes", "JobAlreadyActive"]));
  const last = events[events.length - 1];
  if (last !== undefined) evidence.push(describeEvent(last));
  const spec = cron.spec;
  const active = (cron.status?.active ?? []).map((ref) => ctx.get<Job>("Job", cron.metadata.namespace, ref.name) ?? ref.name);
  const blocking = active[0];

  let why: string;
  let remediation;
  let confidence = 0.85;
  if (spec.concurrencyPolicy === "Forbid" && blocking !== undefined) {
    const job = typeof blocking === "string" ? undefined : blocking;
    const jobName = typeof blocking === "string" ? blocking : blocking.metadata.name;
    why = `the previous run, Job ${jobName}${job?.status?.startTime === undefined ? "" : ` (running since ${job.status.startTime})`}, is still active and concurrencyPolicy is Forbid`;
    remediation = remediate(ctx, "delete", `Find out why Job ${jobName} does not finish; delete it so the next run can start, and set activeDeadlineSeconds in the job template of CronJob ${name} so a hung run ends by itself.`, job ?? cron);
    confidence = 0.9;
  } else if (events.some((e) => e.reason === "TooManyMissedTimes" || /too many missed/i.test(e.message ?? ""))) {
    why = "it missed more than 100 start times and the controller stopped catching up";
    remediation = remediate(ctx, "config", `Set spec.startingDeadlineSeconds of CronJob ${name} (e.g. 200) so only recent start times count, and check the control plane's clock.`, cron);
  } else if (spec.startingDeadlineSeconds !== undefined && events.some((e) => e.reason === "MissSchedule" || e.reason === "FailedNeedsStart")) {
    why = `runs start later than startingDeadlineSeconds (${spec.startingDeadlineSeconds}s) allows, so the controller skips them`;
    remediation = remediate(ctx, "config", `Raise spec.startingDeadlineSeconds of CronJob ${name}, and check that kube-controller-manager is not overloaded or restarting.`, cron);
  } else {
    why = lastScheduled === undefined ? "it has never started a Job although its schedule was due" : "no Job was started although its schedule was due";
    remediation = remediate(ctx, "investigate", `Check that kube-controller-manager runs with its cronjob controller enabled (kubectl get events -n ${cron.metadata.namespace ?? "-"} --field-selector involvedObject.name=${name}).`, cron);
    // A spec changed since creation (unsuspended, say) may have been suspended when the run was due.
    confidence = last === undefined && (cron.metadata.generation ?? 1) > 1 ? 0.6 : 0.8;
  }
  return [
    makeFinding(cronJobFailed, {
      object: cron,
      severity: confidence < 0.7 ? "medium" : "high",
      confidence,
      summary: `CronJob ${name} does not run on schedule: ${why} (${count}, first due at ${dueIso}).`,
      evidence,
      since: due,
      remediation,
    }),
  ];
}

function describeStatus(cron: CronJob): string {
  const s = cron.status ?? {};
  const active = (s.active ?? []).map((a) => a.name);
  return `status: lastScheduleTime=${s.lastScheduleTime ?? "-"} lastSuccessfulTime=${s.lastSuccessfulTime ?? "-"} active=[${active.join(", ")}]`;
}

/** Failed, or FailureTarget: set first, while the failed Job's pods still terminate. */
function failedCondition(job: Job): Condition | undefined {
  return [conditionOf(job, "Failed"), conditionOf(job, "FailureTarget")].find((c) => c?.status === "True");
}

function startOf(job: Job): string {
  return job.status?.startTime ?? job.metadata.creationTimestamp ?? "";
}

/** Failed Jobs in a row, newest first (only the Jobs the history limits kept are known). */
function countFailedStreak(jobs: readonly Job[]): number {
  let streak = 0;
  for (const job of [...jobs].reverse()) {
    if (failedCondition(job) === undefined) break;
    streak += 1;
  }
  return streak;
}
