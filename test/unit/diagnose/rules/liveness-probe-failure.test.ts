import { expect } from "vitest";
import { livenessProbeFailure } from "../../../../src/diagnose/rules/liveness-probe-failure.ts";
import type { KubeObject } from "../../../../src/model/k8s.ts";
import { ago, DAY, event, evidenceWith, MIN, pod, podRef, running, term, testRule, waiting } from "../../../helpers/objects.ts";

const probed = [{ name: "app", image: "shop/app:1.0", livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 5 } }];
const unhealthy = (p: KubeObject, message: string, first = ago(15 * MIN), last = ago(MIN)) => event(p, "Unhealthy", `Liveness probe failed: ${message}`, { container: "app", first, last, count: 12 });
const killing = (p: KubeObject, last = ago(2 * MIN)) => event(p, "Killing", "Container app failed liveness probe, will be restarted", { type: "Normal", container: "app", last });

const looping = pod("api-1", { containers: probed, statuses: [waiting("app", "CrashLoopBackOff", { restarts: 4, last: term(137, "Error", ago(2 * MIN)) })] });
const timingOut = pod("api-2", { containers: probed, statuses: [running("app", { restarts: 1, startedAt: ago(3 * MIN), ready: false, last: term(143, "Error", ago(3 * MIN)) })] });
const old = pod("api-3", { containers: probed, statuses: [running("app", { restarts: 1, startedAt: ago(2 * DAY), last: term(137, "Error", ago(2 * DAY)) })] });
const belowThreshold = pod("api-4", { containers: probed });

testRule(livenessProbeFailure, [
  {
    name: "failing liveness probe with kills is the cause of the crash loop",
    // A later Normal event follows the probe failures; they still count.
    objects: [looping, unhealthy(looping, "HTTP probe failed with statuscode: 500"), killing(looping), event(looping, "Pulled", 'Container image "shop/app:1.0" already present on machine', { type: "Normal", container: "app", last: ago(30) })],
    want: [
      {
        id: "pod.liveness-probe-failure",
        category: "LivenessProbeFailure",
        object: podRef("api-1"),
        container: "app",
        severity: "critical",
        confidence: 0.9,
        summary: "Container app is restarted by its failing liveness probe (4 restarts): the endpoint answers HTTP 500.",
        evidence: evidenceWith("Unhealthy x12", "Killing", "lastState.terminated: reason=Error exitCode=137", "livenessProbe: httpGet :8080/healthz initialDelaySeconds=0 timeoutSeconds=1 periodSeconds=5 failureThreshold=3"),
        since: ago(15 * MIN),
        remediation: { action: "probe", tier: "medium" },
      },
    ],
  },
  {
    name: "probe timeouts with a recent restart, no Killing event",
    objects: [timingOut, unhealthy(timingOut, 'Get "http://10.0.0.5:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)')],
    want: [{ severity: "high", confidence: 0.75, summary: expect.stringContaining("does not answer within timeoutSeconds"), remediation: { action: "probe", summary: expect.stringContaining("raise timeoutSeconds") } }],
  },
  { name: "probe failures and kills two days ago: none", objects: [old, unhealthy(old, "HTTP probe failed with statuscode: 500", ago(2 * DAY), ago(2 * DAY)), killing(old, ago(2 * DAY))], want: [] },
  { name: "failures below the threshold, no restart: none", objects: [belowThreshold, unhealthy(belowThreshold, "HTTP probe failed with statuscode: 503", ago(20), ago(10))], want: [] },
]);
