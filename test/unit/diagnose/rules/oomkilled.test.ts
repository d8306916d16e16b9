import { expect } from "vitest";
import { oomKilled } from "../../../../src/diagnose/rules/oomkilled.ts";
import { ago, DAY, event, evidenceWith, HOUR, MIN, pod, podRef, running, term, testRule, waiting } from "../../../helpers/objects.ts";

const limited = [{ name: "app", image: "shop/app:1.0", resources: { limits: { memory: "256Mi" } } }];

const crashLooping = pod("api-1", { containers: limited, statuses: [waiting("app", "CrashLoopBackOff", { restarts: 6, last: term(137, "OOMKilled", ago(2 * MIN)) })] });
const recovered = pod("api-2", { containers: limited, statuses: [running("app", { restarts: 1, startedAt: ago(2 * HOUR), last: term(137, "OOMKilled", ago(2 * HOUR)) })] });

testRule(oomKilled, [
  {
    name: "crash loop whose last termination is OOMKilled names the cause",
    objects: [crashLooping, event(crashLooping, "BackOff", "Back-off restarting failed container app in pod api-1", { container: "app", first: ago(20 * MIN), last: ago(MIN), count: 12 })],
    want: [
      {
        id: "pod.oomkilled",
        category: "OOMKilled",
        object: podRef("api-1"),
        container: "app",
        severity: "critical",
        confidence: 0.95,
        summary: expect.stringContaining("256Mi memory limit and is crash-looping"),
        evidence: evidenceWith("lastState.terminated: reason=OOMKilled exitCode=137", "limits.memory: 256Mi", "BackOff x12"),
        since: ago(2 * MIN),
        remediation: { action: "resources", tier: "medium" },
        runbook: "runbooks/oomkilled.md",
      },
    ],
  },
  {
    name: "running again with a recent OOM kill in lastState is still OOMKilled",
    objects: [recovered],
    want: [{ category: "OOMKilled", container: "app", severity: "high", since: ago(2 * HOUR), evidence: evidenceWith("running again after the kill"), remediation: { action: "resources", tier: "medium" } }],
  },
  {
    name: "an OOM kill 3 days ago, running since: none",
    objects: [pod("api-3", { containers: limited, statuses: [running("app", { restarts: 1, startedAt: ago(3 * DAY), last: term(137, "OOMKilled", ago(3 * DAY)) })] })],
    want: [],
  },
  {
    name: "no memory limit is said so",
    objects: [pod("api-4", { statuses: [waiting("app", "CrashLoopBackOff", { restarts: 2, last: term(137, "OOMKilled", ago(MIN)) })] })],
    want: [{ category: "OOMKilled", evidence: evidenceWith("limits.memory: not set") }],
  },
  {
    name: "an OOM-killed init container",
    objects: [
      pod("api-5", {
        phase: "Pending",
        initContainers: [{ name: "migrate", image: "shop/migrate:1" }],
        initStatuses: [waiting("migrate", "CrashLoopBackOff", { restarts: 3, last: term(137, "OOMKilled", ago(MIN)) })],
        statuses: [waiting("app", "PodInitializing")],
      }),
    ],
    want: [{ category: "OOMKilled", container: "migrate", evidence: evidenceWith("status.initContainerStatuses[migrate].lastState.terminated: reason=OOMKilled") }],
  },
  { name: "a healthy pod", objects: [pod("api-6")], want: [] },
]);
