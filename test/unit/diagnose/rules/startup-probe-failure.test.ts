import { startupProbeFailure } from "../../../../src/diagnose/rules/startup-probe-failure.ts";
import { ago, DAY, event, evidenceWith, MIN, pod, podRef, running, term, testRule } from "../../../helpers/objects.ts";

const probed = [{ name: "app", image: "shop/app:1.0", startupProbe: { httpGet: { path: "/started", port: 8080 }, periodSeconds: 5, failureThreshold: 6 } }];
const slow = pod("api-1", { containers: probed, statuses: [running("app", { ready: false, started: false, restarts: 3, startedAt: ago(20), last: term(137, "Error", ago(25)) })] });
const startedNow = pod("api-2", { containers: probed, statuses: [running("app", { started: true, startedAt: ago(2 * DAY) })] });

testRule(startupProbeFailure, [
  {
    name: "a container killed for never passing its startup probe",
    objects: [
      slow,
      event(slow, "Unhealthy", "Startup probe failed: Get \"http://10.0.0.4:8080/started\": dial tcp 10.0.0.4:8080: connect: connection refused", { container: "app", first: ago(6 * MIN), last: ago(5), count: 20 }),
      event(slow, "Killing", "Container app failed startup probe, will be restarted", { type: "Normal", container: "app", last: ago(25) }),
    ],
    want: [
      {
        id: "pod.startup-probe-failure",
        category: "StartupProbeFailure",
        object: podRef("api-1"),
        container: "app",
        severity: "critical",
        confidence: 0.9,
        summary: "Container app never passes its startup probe within 30s: nothing listens on the probed port (connection refused); the kubelet restarts it.",
        evidence: evidenceWith("started: false, restartCount: 3", "Unhealthy x20", "failed startup probe", "startupProbe: httpGet :8080/started"),
        since: ago(6 * MIN),
        remediation: { action: "probe", tier: "medium" },
      },
    ],
  },
  {
    name: "started since, old startup failures: none",
    objects: [startedNow, event(startedNow, "Unhealthy", "Startup probe failed: HTTP probe failed with statuscode: 503", { container: "app", last: ago(2 * DAY) })],
    want: [],
  },
  { name: "a healthy pod: none", objects: [pod("api-3")], want: [] },
]);
