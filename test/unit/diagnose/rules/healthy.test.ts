import { describe, expect, it } from "vitest";
import { RULES } from "../../../../src/diagnose/rules/index.ts";
import { CATEGORIES } from "../../../../src/diagnose/types.ts";
import type { KubeObject } from "../../../../src/model/k8s.ts";
import {
  ago,
  cond,
  DAY,
  deployment,
  endpoints,
  event,
  findingsOf,
  hpa,
  job,
  MIN,
  node,
  pod,
  pvc,
  replicaSet,
  running,
  service,
  term,
  terminated,
  waiting,
} from "../../../helpers/objects.ts";

// Healthy objects must get no finding from any rule: false positives cost trust.

function recoveredRestarts(): KubeObject[] {
  const web = deployment("web");
  const rs = replicaSet("web-7d9f", { owner: web, labels: { app: "web" } });
  const pods = ["web-7d9f-a", "web-7d9f-b", "web-7d9f-c"].map((name, i) =>
    pod(name, { owner: rs, labels: { app: "web" }, statuses: [running("app", i === 0 ? { restarts: 2, last: term(1, "Error", ago(2 * DAY)), startedAt: ago(2 * DAY) } : {})] }),
  );
  const first = pods[0] as KubeObject;
  const svc = service("web");
  return [
    web,
    rs,
    ...pods,
    // Probe failures and kills from the old instance, two days ago: history.
    event(first, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", { container: "app", first: ago(2 * DAY + 5 * MIN), last: ago(2 * DAY) }),
    event(first, "Killing", "Container app failed liveness probe, will be restarted", { container: "app", type: "Normal", last: ago(2 * DAY) }),
    event(first, "BackOff", "Back-off restarting failed container app in pod web-7d9f-a", { container: "app", last: ago(2 * DAY) }),
    svc,
    endpoints(svc, { ready: pods }),
    hpa("web", { current: 3, min: 2, max: 10 }),
  ];
}

function completedJob(): KubeObject[] {
  const done = job("migrate", { succeeded: 1, completed: ago(30 * MIN), conditions: [cond("Complete", "True", undefined, undefined, ago(30 * MIN))] });
  const ok = pod("migrate-x1", { owner: done, labels: { "job-name": "migrate" }, phase: "Succeeded", spec: { restartPolicy: "Never" }, statuses: [terminated("app", term(0, "Completed", ago(30 * MIN)))] });
  // A failed first attempt of a Job that then completed.
  const retried = pod("migrate-x0", { owner: done, labels: { "job-name": "migrate" }, phase: "Failed", spec: { restartPolicy: "Never" }, statuses: [terminated("app", term(1, "Error", ago(40 * MIN)))] });
  return [done, ok, retried];
}

function rollout(): KubeObject[] {
  const api = deployment("api", {
    replicas: 3,
    ready: 3,
    available: 3,
    unavailable: 1,
    updated: 1,
    conditions: [
      cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", ago(10 * DAY)),
      { ...cond("Progressing", "True", "ReplicaSetUpdated", 'ReplicaSet "api-new" is progressing.', ago(2 * MIN)), lastUpdateTime: ago(5) },
    ],
  });
  const old = replicaSet("api-old", { owner: api, labels: { app: "api" }, replicas: 2 });
  const fresh = replicaSet("api-new", { owner: api, labels: { app: "api" }, replicas: 2, ready: 1 });
  // The old pod shuts down: SIGTERM exit, readiness failing while it drains.
  const leaving = pod("api-old-1", {
    owner: old,
    labels: { app: "api" },
    deletionTimestamp: ago(10),
    statuses: [terminated("app", term(143, "Error", ago(5)), { restarts: 0 })],
  });
  const draining = pod("api-old-2", { owner: old, labels: { app: "api" }, deletionTimestamp: ago(10), statuses: [running("app", { ready: false })] });
  const creating = pod("api-new-2", {
    owner: fresh,
    labels: { app: "api" },
    created: ago(5),
    phase: "Pending",
    statuses: [waiting("app", "ContainerCreating")],
  });
  const pending = pod("api-new-3", { owner: fresh, labels: { app: "api" }, created: ago(5), phase: "Pending", statuses: [], conditions: [] });
  const ready = pod("api-new-1", { owner: fresh, labels: { app: "api" }, created: ago(2 * MIN), statuses: [running("app", { startedAt: ago(100) })] });
  const svc = service("api");
  return [
    api,
    old,
    fresh,
    leaving,
    draining,
    creating,
    pending,
    ready,
    event(draining, "Unhealthy", "Readiness probe failed: Get \"http://10.0.0.7:8080/ready\": dial tcp 10.0.0.7:8080: connect: connection refused", { container: "app", last: ago(3) }),
    event(draining, "Killing", "Stopping container app", { container: "app", type: "Normal", last: ago(10) }),
    event(creating, "Scheduled", "Successfully assigned shop/api-new-2 to node-1", { type: "Normal", last: ago(4) }),
    svc,
    endpoints(svc, { ready: [ready], notReady: [draining] }),
  ];
}

function infrastructure(): KubeObject[] {
  return [
    pvc("data", { phase: "Bound", volumeName: "pvc-123", storageClass: "standard" }),
    node("node-1"),
    node("node-2"),
    hpa("api", { current: 2, min: 2, max: 5, conditions: [cond("AbleToScale", "True", "ReadyForNewScale"), cond("ScalingActive", "True", "ValidMetricFound"), cond("ScalingLimited", "True", "TooFewReplicas", "the desired replica count is less than the minimum replica count")] }),
    // A Service with manual endpoints and an ExternalName: not judged by selector.
    service("legacy-db", { selector: undefined }),
    service("mail", { type: "ExternalName", externalName: "smtp.example.com", selector: undefined }),
  ];
}

const scenarios: { name: string; objects: KubeObject[] }[] = [
  { name: "running and ready pods with old recovered restarts", objects: recoveredRestarts() },
  { name: "a completed Job and its pods", objects: completedJob() },
  { name: "a Deployment mid-rollout with terminating and just-created pods", objects: rollout() },
  { name: "a Bound PVC, Ready nodes, an HPA within bounds, selector-less Services", objects: infrastructure() },
];

describe("healthy objects", () => {
  it("every category has exactly one rule", () => {
    expect(RULES.map((r) => r.category).sort()).toEqual([...CATEGORIES].sort());
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  describe.each(scenarios)("$name", ({ objects }) => {
    it.each(RULES.map((rule) => ({ id: rule.id, rule })))("$id finds nothing", ({ rule }) => {
      expect(findingsOf(rule, objects)).toEqual([]);
    });
  });
});
