import { expect } from "vitest";
import { serviceNoEndpoints } from "../../../../src/diagnose/rules/service-no-endpoints.ts";
import { deployment, evidenceWith, pod, ref, service, testRule } from "../../../helpers/objects.ts";

const webPods = ["web-1", "web-2"].map((n) => pod(n, { labels: { app: "web", tier: "frontend" } }));
const other = pod("db-0", { labels: { app: "db" } });
const idle = deployment("worker", { replicas: 0, ready: 0, available: 0, labels: { app: "worker" } });

testRule(serviceNoEndpoints, [
  {
    name: "a typo in the selector: suggest the closest pod labels",
    objects: [service("web", { selector: { app: "wbe" } }), ...webPods, other],
    want: [
      {
        id: "service.no-endpoints",
        category: "ServiceNoEndpoints",
        object: ref("Service", "web"),
        severity: "high",
        confidence: 0.9,
        summary: "Service web has no endpoints: its selector app=wbe matches no pod; closest pod labels: app=web.",
        evidence: evidenceWith("spec.selector: app=wbe", "0 of 3 pod(s) in namespace shop match", "closest: pods web-1, web-2 have app=web (differs in app)"),
        remediation: { action: "config", tier: "medium", summary: expect.stringContaining("app=wbe -> app=web") },
      },
    ],
  },
  {
    name: "the selected Deployment is scaled to zero",
    objects: [service("worker", { selector: { app: "worker" } }), idle, other],
    want: [{ summary: expect.stringContaining("Deployment/worker is scaled to 0"), evidence: evidenceWith("Deployment/worker matches the selector but has 0 replicas") }],
  },
  { name: "no pod even resembles the selector", objects: [service("billing"), other], want: [{ confidence: 0.8, summary: "Service billing has no endpoints: its selector app=billing matches no pod." }] },
  { name: "a Service without a selector (manual endpoints): none", objects: [service("legacy", { selector: undefined }), other], want: [] },
  { name: "an ExternalName Service: none", objects: [service("mail", { type: "ExternalName", externalName: "smtp.example.com" }), other], want: [] },
  { name: "the selector matches pods: none", objects: [service("web", { selector: { app: "web" } }), ...webPods], want: [] },
  { name: "no pods in the input at all: cannot judge", objects: [service("web", { selector: { app: "wbe" } })], want: [] },
]);
