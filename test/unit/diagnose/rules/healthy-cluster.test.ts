import { describe, expect, it } from "vitest";
import { RULES } from "../../../../src/diagnose/rules/index.ts";
import type { KubeObject } from "../../../../src/model/k8s.ts";
import { cronJob, cronRun, ownedBy, pdb, pv, storageClass } from "../../../helpers/cluster-objects.ts";
import { ago, DAY, deployment, findingsOf, hpa, MIN, pod, pvc, replicaSet, term, terminated } from "../../../helpers/objects.ts";

// Healthy CronJobs, HPAs, PodDisruptionBudgets and storage must get no finding from any rule.

function suspendedCronJob(): KubeObject[] {
  // Suspended ten days ago, with an invalid-looking history: nothing is due while suspended.
  return [cronJob("archive", { schedule: "0 1 * * *", suspend: true, lastSchedule: ago(10 * DAY), lastSuccess: ago(10 * DAY) })];
}

function succeededCronJob(): KubeObject[] {
  const cron = cronJob("nightly", { schedule: "0 2 * * *", timeZone: "Europe/Berlin", lastSchedule: ago(11 * 60 * MIN), lastSuccess: ago(11 * 60 * MIN - 40) });
  const done = cronRun(cron, "nightly-29543220", "succeeded", ago(11 * 60 * MIN));
  const ran = pod("nightly-29543220-abcde", { owner: done, labels: { "job-name": "nightly-29543220" }, phase: "Succeeded", spec: { restartPolicy: "Never" }, statuses: [terminated("task", term(0, "Completed", ago(11 * 60 * MIN - 40)))] });
  return [cron, done, ran];
}

function autoscaledWeb(): KubeObject[] {
  const containers = [{ name: "app", image: "shop/app:1.0", resources: { requests: { cpu: "100m", memory: "128Mi" } } }];
  const web = deployment("web", { replicas: 3, containers });
  const rs = ownedBy(replicaSet("web-7d9f", { labels: { app: "web" }, containers }), web);
  const pods = ["a", "b", "c"].map((s) => pod(`web-7d9f-${s}`, { owner: rs, labels: { app: "web" }, containers }));
  const scaler = hpa("web", { current: 3, min: 2, max: 10 });
  scaler.spec.metrics = [
    { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
    { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
  ];
  // A budget that lets one of the three pods go at a time.
  const budget = pdb("web", { maxUnavailable: 1, expected: 3, desired: 2, allowed: 1 });
  return [web, rs, ...pods, scaler, budget];
}

function storage(): KubeObject[] {
  const claim = pvc("data", { storageClass: "gp3", volumeName: "pvc-123" });
  const archive = pvc("archive", { storageClass: "", volumeName: "pv-archive" });
  return [
    storageClass("gp3", { isDefault: true }),
    storageClass("local", { provisioner: "kubernetes.io/no-provisioner" }),
    claim,
    pv("pvc-123", { storageClass: "gp3", claim: { name: "data" } }),
    // A statically provisioned volume kept on purpose (Retain), bound to its claim.
    pv("pv-archive", { reclaim: "Retain", storageClass: "", claim: { name: "archive" } }),
    archive,
    // Released a day ago: still time to reuse it.
    pv("pv-old", { phase: "Released", reclaim: "Retain", claim: { name: "old" }, since: ago(DAY) }),
    // An admin's spare local volume, waiting for a claim.
    pv("pv-local-1", { phase: "Available", storageClass: "local", claim: undefined }),
    pod("db-0", { labels: { app: "db" }, spec: { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] } }),
  ];
}

const scenarios: { name: string; objects: KubeObject[] }[] = [
  { name: "a suspended CronJob", objects: suspendedCronJob() },
  { name: "a CronJob whose last run succeeded", objects: succeededCronJob() },
  { name: "an HPA over requests with healthy conditions, and a PDB allowing one disruption", objects: autoscaledWeb() },
  { name: "bound claims with existing classes, Retain volumes bound or recently released", objects: storage() },
];

describe("healthy cluster objects", () => {
  describe.each(scenarios)("$name", ({ objects }) => {
    it.each(RULES.map((rule) => ({ id: rule.id, rule })))("$id finds nothing", ({ rule }) => {
      expect(findingsOf(rule, objects)).toEqual([]);
    });
  });
});
