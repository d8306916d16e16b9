import type { Job, Pod } from "../../model/k8s.ts";
import { describeCondition, describeTermination, makeFinding, remediate, statusPath, workloadOf } from "../finding.ts";
import type { Rule } from "../types.ts";
import { conditionOf, containerSpec, exitCause } from "./shared.ts";

/**
 * A Job the controller gave up on: too many failed pods (BackoffLimitExceeded) or past its
 * activeDeadlineSeconds (DeadlineExceeded). The failed pods' exit codes say why they failed.
 */
export const jobFailed: Rule = {
  id: "job.failed",
  category: "JobFailed",
  kinds: ["Job"],
  evaluate(object, ctx) {
    const job = object as Job;
    const failed = conditionOf(job, "Failed");
    if (failed?.status !== "True") return [];
    const status = job.status ?? {};
    const evidence = [describeCondition(failed), `status: active=${status.active ?? 0} succeeded=${status.succeeded ?? 0} failed=${status.failed ?? 0}; spec.backoffLimit=${job.spec.backoffLimit ?? 6}${job.spec.activeDeadlineSeconds === undefined ? "" : ` activeDeadlineSeconds=${job.spec.activeDeadlineSeconds}`}`];

    const exits = ctx
      .podsOf(job)
      .flatMap((pod) => failedContainers(pod))
      .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
    for (const exit of exits.slice(-3)) evidence.push(exit.line);
    const last = exits[exits.length - 1];
    const deadline = failed.reason === "DeadlineExceeded";
    const why = deadline
      ? `it ran longer than activeDeadlineSeconds (${job.spec.activeDeadlineSeconds ?? "-"}s)`
      : `its pods failed ${status.failed ?? exits.length} time(s)${failed.reason === undefined ? "" : ` (${failed.reason})`}${last === undefined ? "" : `; last: ${last.cause}`}`;

    const workload = workloadOf(job, ctx);
    return [
      makeFinding(jobFailed, {
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
      }),
    ];
  },
};

function failedContainers(pod: Pod): { line: string; cause: string; finishedAt: string }[] {
  return (pod.status?.containerStatuses ?? []).flatMap((s) => {
    const current = s.state?.terminated;
    const t = current ?? s.lastState?.terminated;
    if (t === undefined || t.exitCode === 0) return [];
    const path = `${statusPath(s)}.${current === undefined ? "lastState" : "state"}.terminated`;
    return [{ line: `pod ${pod.metadata.name} ${describeTermination(path, t)}`, cause: `${s.name} ${exitCause(t, containerSpec(pod, s.name)?.spec)}`, finishedAt: t.finishedAt ?? "" }];
  });
}
