import { expect } from "vitest";
import { statefulSetMisconfigured } from "../../../../src/diagnose/rules/statefulset-misconfigured.ts";
import { evidenceWith, ref, service, testRule } from "../../../helpers/objects.ts";
import { headless, storageClass, sts } from "../../../helpers/workload-objects.ts";

const clientService = service("db");
const notHeadless = { ...service("db-peers"), spec: { ...service("db-peers").spec, clusterIP: "10.96.0.12" } };

testRule(statefulSetMisconfigured, [
  {
    name: "governing Service missing while the namespace has other Services",
    objects: [sts("db", { serviceName: "db-headless" }), clientService],
    want: [
      {
        id: "statefulset.misconfigured",
        category: "StatefulSetMisconfigured",
        object: ref("StatefulSet", "db"),
        severity: "medium",
        confidence: 0.9,
        summary: "StatefulSet db names governing Service db-headless, which does not exist.",
        evidence: ["spec.serviceName: db-headless: no Service shop/db-headless (1 Service(s) in the namespace)"],
        remediation: { action: "config", tier: "medium", summary: expect.stringContaining("Create the headless Service db-headless") },
      },
    ],
  },
  {
    name: "a volumeClaimTemplate naming a StorageClass that does not exist",
    objects: [sts("db", { storageClasses: ["fast-ssd"] }), headless("db"), storageClass("standard"), storageClass("gp3")],
    want: [
      {
        severity: "high",
        summary: "StatefulSet db has volumeClaimTemplate data-0 naming StorageClass fast-ssd, which does not exist.",
        evidence: ["spec.volumeClaimTemplates[data-0].spec.storageClassName: fast-ssd: no such StorageClass (known: standard, gp3)"],
        remediation: { action: "storage", tier: "critical" },
      },
    ],
  },
  {
    name: "both: one finding led by the worse problem, every fix in the remediation",
    objects: [sts("db", { serviceName: "db-headless", storageClasses: ["fast-ssd"] }), clientService, storageClass("standard")],
    want: [{ severity: "high", summary: expect.stringMatching(/StorageClass fast-ssd, which does not exist \(and 1 more problem\)\.$/), evidence: ["spec.volumeClaimTemplates[data-0].spec.storageClassName: fast-ssd: no such StorageClass (known: standard)", "spec.serviceName: db-headless: no Service shop/db-headless (1 Service(s) in the namespace)"], remediation: { action: "storage", summary: expect.stringContaining("Create the headless Service db-headless") } }],
  },
  {
    name: "a governing Service that is not headless: low",
    objects: [sts("db", { serviceName: "db-peers" }), notHeadless],
    want: [{ severity: "low", confidence: 0.8, summary: expect.stringContaining("which is not headless"), evidence: evidenceWith("has spec.clusterIP 10.96.0.12") }],
  },
  { name: "headless governing Service and existing StorageClasses: none", objects: [sts("db", { storageClasses: ["standard", undefined] }), headless("db"), storageClass("standard")], want: [] },
  // Absence is judged only against a snapshot that holds objects of the kind.
  { name: "no Service at all in the snapshot: cannot tell, none", objects: [sts("db", { serviceName: "db-headless" })], want: [] },
  { name: "no StorageClass in the snapshot: cannot tell, none", objects: [sts("db", { storageClasses: ["fast-ssd"] }), headless("db")], want: [] },
  { name: "storageClassName \"\" (pre-provisioned volumes) or unset (the default class): none", objects: [sts("db", { storageClasses: ["", null, undefined] }), headless("db"), storageClass("standard")], want: [] },
  { name: "no serviceName: none", objects: [{ ...sts("db"), spec: { ...sts("db").spec, serviceName: "" } }, clientService], want: [] },
]);
