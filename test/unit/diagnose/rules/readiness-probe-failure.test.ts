import { expect } from "vitest";
import { readinessProbeFailure } from "../../../../src/diagnose/rules/readiness-probe-failure.ts";
import type { KubeObject } from "../../../../src/model/k8s.ts";
import { ago, event, evidenceWith, MIN, pod, podRef, replicaSet, running, service, testRule } from "../../../helpers/objects.ts";

const probed = [{ name: "app", image: "shop/app:1.0", readinessProbe: { httpGet: { path: "/ready", port: 8080 }, initialDelaySeconds: 30 } }];
const readiness = (p: KubeObject, message: string, first = ago(20 * MIN), last = ago(2 * MIN)) => event(p, "Unhealthy", `Readiness probe failed: ${message}`, { container: "app", first, last, count: 40 });

const unready = pod("web-1", { labels: { app: "web" }, containers: probed, statuses: [running("app", { ready: false, startedAt: ago(30 * MIN) })] });
const rs = replicaSet("web-7d9f", { labels: { app: "web" } });
const oneOfThree = pod("web-7d9f-a", { owner: rs, labels: { app: "web" }, containers: probed, statuses: [running("app", { ready: false, startedAt: ago(30 * MIN) })] });
const peers = [pod("web-7d9f-b", { owner: rs, labels: { app: "web" } }), pod("web-7d9f-c", { owner: rs, labels: { app: "web" } })];
const starting = pod("web-2", { created: ago(10), containers: probed, statuses: [running("app", { ready: false, startedAt: ago(8) })] });
const restarted = pod("web-3", { containers: probed, statuses: [running("app", { ready: false, startedAt: ago(5 * MIN), restarts: 1 })] });

testRule(readinessProbeFailure, [
  {
    name: "readiness failures detected though a later Normal event is the pod's latest",
    objects: [unready, readiness(unready, "HTTP probe failed with statuscode: 503"), event(unready, "Pulled", "Successfully pulled image", { type: "Normal", last: ago(MIN) }), service("web")],
    want: [
      {
        id: "pod.readiness-probe-failure",
        category: "ReadinessProbeFailure",
        object: podRef("web-1"),
        container: "app",
        severity: "high",
        confidence: 0.9,
        summary: "Container app runs but is not ready because its readiness probe fails: the endpoint answers HTTP 503.",
        evidence: evidenceWith("ready=false", "status.conditions[Ready]: False reason=ContainersNotReady", "Unhealthy x40", "readinessProbe: httpGet :8080/ready initialDelaySeconds=30", "out of the endpoints of Service web"),
        since: ago(20 * MIN),
        remediation: { action: "probe", tier: "medium" },
      },
    ],
  },
  {
    name: "other replicas still serve: medium",
    objects: [rs, oneOfThree, ...peers, readiness(oneOfThree, "Get \"http://10.0.0.9:8080/ready\": dial tcp 10.0.0.9:8080: connect: connection refused")],
    want: [{ severity: "medium", summary: expect.stringContaining("connection refused) (2 other replica(s) still serve)") }],
  },
  { name: "created seconds ago, initialDelaySeconds not elapsed: none", objects: [starting, readiness(starting, "HTTP probe failed with statuscode: 503", ago(5), ago(5))], want: [] },
  { name: "failures of the previous instance only: none", objects: [restarted, readiness(restarted, "HTTP probe failed with statuscode: 503", ago(20 * MIN), ago(10 * MIN))], want: [] },
  { name: "a ready pod: none", objects: [pod("web-4")], want: [] },
]);
