import { expect } from "vitest";
import { initContainerFailure } from "../../../../src/diagnose/rules/init-container-failure.ts";
import { ago, event, evidenceWith, logsFor, MIN, pod, podRef, running, term, terminated, testRule, waiting } from "../../../helpers/objects.ts";

const inits = [{ name: "wait-db", image: "busybox:1.36", command: ["sh", "-c", "until nc -z db 5432; do sleep 2; done"] }];
const initPod = (name: string, initStatus: ReturnType<typeof waiting>, phase = "Pending") =>
  pod(name, { phase, initContainers: inits, initStatuses: [initStatus], statuses: [waiting("app", "PodInitializing")] });

const looping = initPod("api-1", waiting("wait-db", "CrashLoopBackOff", { restarts: 4, last: term(1, "Error", ago(MIN)) }));
const failedNever = pod("api-2", { phase: "Failed", spec: { restartPolicy: "Never" }, initContainers: inits, initStatuses: [terminated("wait-db", term(2, "Error", ago(3 * MIN)))], statuses: [waiting("app", "PodInitializing")] });
const stuck = initPod("api-3", running("wait-db", { ready: false, startedAt: ago(20 * MIN) }));

testRule(initContainerFailure, [
  {
    name: "a crash-looping init container, with its logs",
    objects: [looping, event(looping, "BackOff", "Back-off restarting failed container wait-db", { container: "wait-db", init: true, first: ago(9 * MIN), last: ago(MIN), count: 7 })],
    logs: logsFor(looping, "wait-db", { previous: ["nc: bad address 'db'"] }),
    want: [
      {
        id: "pod.init-container-failure",
        category: "InitContainerFailure",
        object: podRef("api-1"),
        container: "wait-db",
        severity: "critical",
        confidence: 0.95,
        summary: "Init container wait-db is crash-looping: exit 1: application error (the process reported a failure).",
        evidence: evidenceWith("status.initContainerStatuses[wait-db].state.waiting.reason: CrashLoopBackOff", "lastState.terminated: reason=Error exitCode=1", `logs wait-db (previous, last 1): "nc: bad address 'db'"`, "BackOff x7"),
        since: ago(9 * MIN),
        remediation: { action: "config", tier: "medium" },
      },
    ],
  },
  { name: "an init container that exited non-zero in a Never pod", objects: [failedNever], want: [{ container: "wait-db", summary: expect.stringContaining("failed: exit 2"), since: ago(3 * MIN) }] },
  {
    name: "an init container running for 20 minutes keeps the pod at Init:",
    objects: [stuck],
    want: [{ severity: "high", confidence: 0.7, summary: expect.stringContaining("has been running for 20 min"), since: ago(20 * MIN), evidence: evidenceWith("still running") }],
  },
  { name: "an init container running for a minute: none", objects: [initPod("api-4", running("wait-db", { ready: false, startedAt: ago(MIN) }))], want: [] },
  { name: "an init container that completed: none", objects: [pod("api-5", { initContainers: inits, initStatuses: [terminated("wait-db", term(0, "Completed", ago(60 * MIN)))] })], want: [] },
  { name: "an OOM-killed init container is the OOMKilled rule's", objects: [initPod("api-6", waiting("wait-db", "CrashLoopBackOff", { restarts: 2, last: term(137, "OOMKilled", ago(MIN)) }))], want: [] },
  {
    name: "a native sidecar (restartPolicy Always) runs forever: none",
    objects: [pod("api-7", { phase: "Pending", initContainers: [{ name: "proxy", restartPolicy: "Always" }], initStatuses: [running("proxy", { startedAt: ago(30 * MIN) })], statuses: [waiting("app", "ContainerCreating")] })],
    want: [],
  },
]);
