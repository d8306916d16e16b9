import { expect, it } from "vitest";
import { parseQuotaExceeded, replicaFailure } from "../../../../src/diagnose/rules/replica-failure.ts";
import { ago, cond, DAY, deployment, event, evidenceWith, job, MIN, quota, ref, replicaSet, statefulSet, testRule } from "../../../helpers/objects.ts";

const quotaMessage = 'pods "web-7d9f-x2" is forbidden: exceeded quota: compute-quota, requested: cpu=2, used: cpu=3, limited: cpu=4';
const failing = cond("ReplicaFailure", "True", "FailedCreate", quotaMessage, ago(15 * MIN));
const web = deployment("web", { conditions: [cond("Available", "True"), failing] });
const rs = replicaSet("web-7d9f", { owner: web, labels: { app: "web" }, conditions: [failing] });
const db = statefulSet("db");
const batch = job("etl");
const lone = deployment("orphan", { conditions: [cond("Available", "False"), failing] });

testRule(replicaFailure, [
  {
    name: "a quota blocks the ReplicaSet (the Deployment defers to it)",
    objects: [web, rs, event(rs, "FailedCreate", `Error creating: ${quotaMessage}`, { first: ago(15 * MIN), last: ago(MIN), count: 14 }), quota("compute-quota", { cpu: "4" }, { cpu: "3" })],
    want: [
      {
        id: "workload.replica-failure",
        category: "ReplicaFailure",
        object: ref("ReplicaSet", "web-7d9f"),
        severity: "critical",
        confidence: 0.95,
        summary: "ReplicaSet web-7d9f cannot create pods: ResourceQuota compute-quota is exhausted (cpu: requested 2, used 3 of 4).",
        evidence: evidenceWith("status.conditions[ReplicaFailure]: True reason=FailedCreate", "FailedCreate x14", "ResourceQuota compute-quota: hard cpu=4; used cpu=3"),
        since: ago(15 * MIN),
        remediation: { action: "quota", tier: "critical" },
      },
    ],
  },
  {
    name: "a quota that requires limits, from StatefulSet events only",
    objects: [db, event(db, "FailedCreate", 'create Pod db-0 in StatefulSet db failed error: pods "db-0" is forbidden: failed quota: compute-quota: must specify limits.cpu,limits.memory', { first: ago(3 * MIN) })],
    want: [{ object: ref("StatefulSet", "db"), confidence: 0.85, summary: expect.stringContaining("requires limits.cpu,limits.memory"), since: ago(3 * MIN), remediation: { action: "resources", tier: "medium" } }],
  },
  {
    name: "a Job rejected by PodSecurity",
    objects: [batch, event(batch, "FailedCreate", 'Error creating: pods "etl-x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false')],
    want: [{ object: ref("Job", "etl"), summary: expect.stringContaining("PodSecurity"), remediation: { action: "config" } }],
  },
  { name: "a Deployment with the condition and no ReplicaSet in the input reports it", objects: [lone], want: [{ object: ref("Deployment", "orphan"), since: ago(15 * MIN) }] },
  { name: "FailedCreate events two days old, no condition: none", objects: [batch, event(batch, "FailedCreate", quotaMessage, { last: ago(2 * DAY) })], want: [] },
  { name: "a healthy ReplicaSet: none", objects: [replicaSet("ok")], want: [] },
]);

it("parses a multi-resource quota message", () => {
  expect(parseQuotaExceeded("exceeded quota: q, requested: limits.memory=2Gi,requests.cpu=1, used: limits.memory=7Gi,requests.cpu=3, limited: limits.memory=8Gi,requests.cpu=4")).toEqual({
    quota: "q",
    requested: { "limits.memory": "2Gi", "requests.cpu": "1" },
    used: { "limits.memory": "7Gi", "requests.cpu": "3" },
    limited: { "limits.memory": "8Gi", "requests.cpu": "4" },
  });
});
