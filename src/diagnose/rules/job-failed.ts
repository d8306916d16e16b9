import type { Condition, Job, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeCondition, describeTermination, makeFinding, remediate, statusPath, workloadOf } from "../finding.ts";
import type { Finding, Rule } from "../types.ts";
import { conditionOf, containerSpec, exitCause } from "./shared.ts";

/** The controller's default when spec.backoffLimit is unset. */
const DEFAULT_BACKOFF_LIMIT = 6;

/**
 * A Job that fails. Either the controller gave up on it: condition Failed (or FailureTarget,
 * set first while its pods are still terminating) with BackoffLimitExceeded, DeadlineExceeded
 * (past activeDeadlineSeconds) or PodFailurePolicy. Or attempts already failed while it still
 * retries (status.failed > 0, neither finished nor given up): worth knowing before the backoff
 * limit ends it. A suspended Job waits by intent (a queue or an operator holds it) and is no
 * failure. The failed pods' exit codes say why.
 */
export const jobFailed: Rule = {
  id: "job.failed",
  category: "JobFailed",
  kinds: ["Job"],
  evaluate(object, ctx) {
    const job = object as Job;
    const failed = [conditionOf(job, "Failed"), conditionOf(job, "FailureTarget")].find((c) => c?.status === "True");
    if (failed !== undefined && !supersededBySuccess(job, ctx)) return [givenUp(job, failed, ctx)];
    if (failed !== undefined) return [];
    const finished = ["Complete", "SuccessCriteriaMet", "SuccessTarget"].some((type) => conditionOf(job, type)?.status === "True");
    const suspended = job.spec.suspend === true || conditionOf(job, "Suspended")?.status === "True";
    if (finished || suspended || (job.status?.failed ?? 0) === 0) return [];
    return [retrying(job, ctx)];
  },
};

/**
 * A failed run of a CronJob followed by a run that completed is history, not a failure now: the
 * CronJob's own rule (cronjob-failed.ts) judges its runs in a row.
 */
function supersededBySuccess(job: Job, ctx: RuleContext): boolean {
  const cronJob = ctx.controllerOf(job);
  if (cronJob?.kind !== "CronJob") return false;
  const startOf = (j: Job): number => Date.parse(j.status?.startTime ?? j.metadata.creationTimestamp ?? "");
  const started = startOf(job);
  return ctx.ownedBy<Job>(cronJob, "Job").some((other) => startOf(other) > started && ["Complete", "SuccessCriteriaMet"].some((type) => conditionOf(other, type)?.status === "True"));
}

function givenUp(job: Job, failed: Condition, ctx: RuleContext): Finding {
  const status = job.status ?? {};
  const evidence = [describeCondition(failed), counters(job)];
  const exits = failedExits(job, ctx);
  for (const exit of exits.slice(-3)) evidence.push(exit.line);
  const last = exits[exits.length - 1];
  const deadline = failed.reason === "DeadlineExceeded";
  const why = deadline
    ? `it ran longer than activeDeadlineSeconds (${job.spec.activeDeadlineSeconds ?? "-"}s)`
    : failed.reason === "PodFailurePolicy"
      ? `a rule of its podFailurePolicy failed it${failed.message === undefined ? "" : ` (${failed.message})`}${last === undefined ? "" : `; last: ${last.cause}`}`
      : `its pods failed ${status.failed ?? exits.length} time(s)${failed.reason === undefined ? "" : ` (${failed.reason})`}${last === undefined ? "" : `; last: ${last.cause}`}`;

  const workload = workloadOf(job, ctx);
  return makeFinding(jobFailed, {
    object: job,
    severity: "high",
    confidence: 0.95,
    summary: `Job ${job.metadata.name} failed: ${why}.`,
    evidence,
    since: failed.lastTransitionTime,
    remediation: remediate(
      ctx,
      "config",
      deadline ? `Raise activeDeadlineSeconds of ${workload.kind}/${workload.metadata.name} above the real run time, or make the work faster.` : `Fix the failure of the Job's pods (exit code and logs above) in ${workload.kind}/${workload.metadata.name}, then re-run it.`,
      workload,
    ),
  });
}

/** Failed attempts of a Job the controller still retries. */
function retrying(job: Job, ctx: RuleContext): Finding {
  const status = job.status ?? {};
  const failedCount = status.failed ?? 0;
  const limit = job.spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
  const exits = failedExits(job, ctx);
  const last = exits[exits.length - 1];
  const evidence = [counters(job), ...exits.slice(-3).map((e) => e.line)];
  const workload = workloadOf(job, ctx);
  // The controller fails the Job when the failures exceed the limit: one more is its last.
  const lastChance = failedCount >= limit;
  return makeFinding(jobFailed, {
    object: job,
    severity: lastChance ? "high" : "medium",
    confidence: 0.85,
    summary: `Job ${job.metadata.name} is failing: ${failedCount} attempt(s) failed (backoffLimit ${limit}), ${(status.active ?? 0) > 0 ? `${status.active ?? 0} running` : "retrying after a back-off"}${last === undefined ? "" : `; last: ${last.cause}`}.`,
    evidence,
    since: exits[0]?.finishedAt || status.startTime,
    remediation: remediate(ctx, "config", `Fix the failure of the Job's pods (exit code and logs above) in ${workload.kind}/${workload.metadata.name} before the backoff limit fails the Job.`, workload),
  });
}

function counters(job: Job): string {
  const status = job.status ?? {};
  return `status: active=${status.active ?? 0} succeeded=${status.succeeded ?? 0} failed=${status.failed ?? 0}; spec.backoffLimit=${job.spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT}${job.spec.backoffLimit === undefined ? " (default)" : ""}${job.spec.activeDeadlineSeconds === undefined ? "" : ` activeDeadlineSeconds=${job.spec.activeDeadlineSeconds}`}`;
}

/** The failed container exits of a Job's pods, oldest first. */
function failedExits(job: Job, ctx: RuleContext): { line: string; cause: string; finishedAt: string }[] {
  return ctx
    .podsOf(job)
    .flatMap((pod) => failedContainers(pod))
    .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

function failedContainers(pod: Pod): { line: string; cause: string; finishedAt: string }[] {
  return (pod.status?.containerStatuses ?? []).flatMap((s) => {
    const current = s.state?.terminated;
    const t = current ?? s.lastState?.terminated;
    if (t === undefined || t.exitCode === 0) return [];
    const path = `${statusPath(s)}.${current === undefined ? "lastState" : "state"}.terminated`;
    return [{ line: `pod ${pod.metadata.name} ${describeTermination(path, t)}`, cause: `${s.name} ${exitCause(t, containerSpec(pod, s.name)?.spec)}`, finishedAt: t.finishedAt ?? "" }];
  });
}
