import { expect } from "vitest";
import { containerExitError } from "../../../../src/diagnose/rules/container-exit-error.ts";
import { ago, cond, DAY, event, evidenceWith, HOUR, job, logsFor, MIN, pod, podRef, running, term, terminated, testRule, waiting } from "../../../helpers/objects.ts";

const never = { restartPolicy: "Never" };
const failedOnce = pod("report-1", { phase: "Failed", spec: never, statuses: [terminated("app", term(2, "Error", ago(10 * MIN)))] });
const restarted = pod("api-1", { statuses: [running("app", { restarts: 1, startedAt: ago(5 * MIN), last: term(1, "Error", ago(5 * MIN)) })] });
const livenessKilled = pod("api-2", { statuses: [running("app", { restarts: 1, startedAt: ago(5 * MIN), last: term(137, "Error", ago(5 * MIN)) })] });
const doneJob = job("nightly", { conditions: [cond("Complete", "True")] });
const retriedPod = pod("nightly-a", { owner: doneJob, phase: "Failed", spec: never, statuses: [terminated("app", term(1, "Error", ago(HOUR)))] });

testRule(containerExitError, [
  {
    name: "a restartPolicy Never pod that failed, with its logs",
    objects: [failedOnce],
    logs: logsFor(failedOnce, "app", { current: ["usage: report --date DATE", "error: unknown flag --day"] }),
    want: [
      {
        id: "pod.container-exit-error",
        category: "ContainerExitError",
        object: podRef("report-1"),
        container: "app",
        severity: "high",
        confidence: 0.9,
        summary: "Container app failed: exit 2: the process reported a failure.",
        evidence: evidenceWith("state.terminated: reason=Error exitCode=2", "spec.restartPolicy: Never, status.phase: Failed", '"error: unknown flag --day"'),
        since: ago(10 * MIN),
        remediation: { action: "config", tier: "medium" },
      },
    ],
  },
  {
    name: "failed once recently and running again",
    objects: [restarted],
    want: [{ severity: "medium", confidence: 0.75, summary: expect.stringContaining("failed recently and was restarted: exit 1"), since: ago(5 * MIN), remediation: { action: "investigate", tier: "trivial" } }],
  },
  {
    name: "exit 127 in a Never pod: fix the command",
    objects: [pod("report-2", { phase: "Failed", spec: never, containers: [{ name: "app", command: ["reprot"] }], statuses: [terminated("app", term(127, "Error", ago(MIN)))] })],
    want: [{ summary: expect.stringContaining("`reprot` does not exist in the image"), remediation: { action: "config", summary: expect.stringContaining("command/args") } }],
  },
  { name: "an old restart, running and ready for 2 days: none", objects: [pod("api-3", { statuses: [running("app", { restarts: 1, last: term(1, "Error", ago(2 * DAY)) })] })], want: [] },
  { name: "a crash loop is the CrashLoopBackOff rule's", objects: [pod("api-4", { statuses: [waiting("app", "CrashLoopBackOff", { restarts: 3, last: term(1, "Error", ago(MIN)) })] })], want: [] },
  { name: "a Succeeded pod with exit 0: none", objects: [pod("report-3", { phase: "Succeeded", spec: never, statuses: [terminated("app", term(0, "Completed", ago(MIN)))] })], want: [] },
  { name: "an OOM kill is the OOMKilled rule's", objects: [pod("api-5", { statuses: [running("app", { restarts: 1, startedAt: ago(MIN), last: term(137, "OOMKilled", ago(MIN)) })] })], want: [] },
  {
    name: "a liveness kill is the liveness rule's",
    objects: [livenessKilled, event(livenessKilled, "Killing", "Container app failed liveness probe, will be restarted", { type: "Normal", container: "app", last: ago(5 * MIN) })],
    want: [],
  },
  { name: "a pod shutting down with SIGTERM: none", objects: [pod("api-6", { deletionTimestamp: ago(5), statuses: [terminated("app", term(143, "Error", ago(2)))] })], want: [] },
  { name: "a failed attempt of a Job that completed: none", objects: [doneJob, retriedPod], want: [] },
]);
