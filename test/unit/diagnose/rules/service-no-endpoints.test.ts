import { expect } from "vitest";
import { serviceNoEndpoints } from "../../../../src/diagnose/rules/service-no-endpoints.ts";
import { ago, DAY, deployment, endpoints, endpointSlice, event, evidenceWith, pod, ref, service, testRule } from "../../../helpers/objects.ts";

const webPods = ["web-1", "web-2"].map((n) => pod(n, { labels: { app: "web", tier: "frontend" } }));
const other = pod("db-0", { labels: { app: "db" } });
const idle = deployment("worker", { replicas: 0, ready: 0, available: 0, labels: { app: "worker" } });

// `kubectl get svc,endpoints -o json`: no pods, the endpoints controller's record is the evidence.
const web = service("web");
const lock = { ...endpoints(service("scheduler")), metadata: { ...endpoints(service("scheduler")).metadata, annotations: { "control-plane.alpha.kubernetes.io/leader": '{"holderIdentity":"node-1"}' } } };

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
  {
    name: "a Warning event on the Service is evidence",
    objects: [service("web", { selector: { app: "wbe" } }), ...webPods, event(service("web", { selector: { app: "wbe" } }), "FailedToUpdateEndpoint", "Failed to update endpoint shop/web: etcdserver: request timed out")],
    want: [{ evidence: evidenceWith("closest: pods web-1, web-2", "event Warning FailedToUpdateEndpoint") }],
  },
  { name: "no pods and no Endpoints in the input: cannot judge", objects: [service("web", { selector: { app: "wbe" } })], want: [] },
  {
    name: "no pods, Endpoints without subsets: judged from them, less sure",
    objects: [web, endpoints(web)],
    want: [
      {
        category: "ServiceNoEndpoints",
        object: ref("Service", "web"),
        severity: "high",
        confidence: 0.7,
        summary: "Service web has no endpoints: Endpoints web lists no address for its selector app=web (the input holds no pods to compare it with).",
        evidence: evidenceWith("spec.selector: app=web", "Endpoints web: 0 ready addresses, 0 not ready", "the input holds no pods"),
        remediation: { action: "config", tier: "medium" },
      },
    ],
  },
  { name: "no pods, an EndpointSlice without endpoints", objects: [web, endpointSlice(web, [])], want: [{ confidence: 0.7, evidence: evidenceWith("EndpointSlice(s) web-abcde: 0 ready of 0 endpoint(s)") }] },
  {
    name: "no pods, empty Endpoints and a Warning event on the Service: one finding, the event in its evidence",
    objects: [web, endpoints(web), event(web, "TestReason", "Test warning message")],
    want: [{ confidence: 0.7, evidence: evidenceWith("Endpoints web: 0 ready addresses", "event Warning TestReason", "Test warning message") }],
  },
  {
    name: "no pods, no Endpoints, the endpoints controller's Warning events",
    objects: [web, event(web, "FailedToUpdateEndpointSlices", "Error updating Endpoint Slices for Service shop/web: node \"node-1\" not found")],
    want: [{ confidence: 0.6, summary: expect.stringContaining("the endpoints controller reports FailedToUpdateEndpointSlices"), evidence: evidenceWith("event Warning FailedToUpdateEndpointSlices") }],
  },
  { name: "no pods, no Endpoints, a Warning event not about endpoints: none", objects: [web, event(web, "SyncLoadBalancerFailed", "Error syncing load balancer: quota exceeded")], want: [] },
  { name: "no pods, an endpoints Warning event from two days ago: none", objects: [web, event(web, "FailedToUpdateEndpoint", "timeout", { last: ago(2 * DAY) })], want: [] },
  { name: "no pods, Endpoints that are a leader-election lock: none", objects: [service("scheduler"), lock], want: [] },
  { name: "no pods, Endpoints with not-ready addresses: the other rule's", objects: [web, endpoints(web, { notReady: webPods })], want: [] },
  { name: "no pods, Endpoints with a ready address: none", objects: [web, endpoints(web, { ready: webPods })], want: [] },
]);
