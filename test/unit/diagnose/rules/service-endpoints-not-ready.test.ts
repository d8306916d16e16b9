import { expect } from "vitest";
import { serviceEndpointsNotReady } from "../../../../src/diagnose/rules/service-endpoints-not-ready.ts";
import { ago, cond, endpoints, endpointSlice, event, evidenceWith, MIN, NS, pod, ref, running, service, term, testRule, waiting } from "../../../helpers/objects.ts";

const notReadyConditions = [cond("PodScheduled", "True"), cond("Ready", "False", "ContainersNotReady", undefined, ago(15 * MIN))];
const unready = ["api-1", "api-2"].map((n) => pod(n, { labels: { app: "api" }, statuses: [running("app", { ready: false })], conditions: notReadyConditions }));
const crashing = pod("api-3", { labels: { app: "api" }, statuses: [waiting("app", "CrashLoopBackOff", { restarts: 5, last: term(1, "Error", ago(MIN)) })], conditions: notReadyConditions });
const svc = service("api");
const byIp = { ...endpoints(svc), subsets: [{ notReadyAddresses: [{ ip: "10.0.0.21" }], ports: [{ port: 8080 }] }] };

testRule(serviceEndpointsNotReady, [
  {
    name: "Endpoints list the pods as not ready only",
    objects: [svc, ...unready, endpoints(svc, { notReady: unready })],
    want: [
      {
        id: "service.endpoints-not-ready",
        category: "ServiceEndpointsNotReady",
        object: ref("Service", "api"),
        severity: "critical",
        confidence: 0.95,
        summary: "Service api has no ready endpoint: its 2 pod(s) are not ready (app running but not ready).",
        evidence: evidenceWith("matches 2 pod(s)", "Endpoints api: 0 ready addresses, 2 not ready (api-1, api-2)", "pod api-1: app running but not ready"),
        since: ago(15 * MIN),
        remediation: { action: "investigate", tier: "trivial" },
      },
    ],
  },
  {
    name: "EndpointSlices with ready=false",
    objects: [svc, crashing, endpointSlice(svc, [{ pod: crashing, ready: false }])],
    want: [{ confidence: 0.95, evidence: evidenceWith("EndpointSlice(s) api-abcde: 0 ready of 1 endpoint(s)", "pod api-3: app CrashLoopBackOff") }],
  },
  { name: "no Endpoints in the input: judged from the pods", objects: [svc, crashing], want: [{ confidence: 0.8, summary: expect.stringContaining("(app CrashLoopBackOff)"), evidence: evidenceWith("judged from the pods' Ready condition") }] },
  { name: "a ready address: none", objects: [svc, ...unready, pod("api-4", { labels: { app: "api" } }), endpoints(svc, { ready: [pod("api-4", { labels: { app: "api" } })], notReady: unready })], want: [] },
  { name: "a slice endpoint without a ready condition counts as ready: none", objects: [svc, crashing, { ...endpointSlice(svc, [{ pod: crashing, ready: true }]), endpoints: [{ addresses: ["10.0.0.3"] }] }], want: [] },
  { name: "no matching pod is the other rule's: none", objects: [svc, pod("db-0", { labels: { app: "db" } })], want: [] },
  {
    name: "a Warning event on the Service is evidence",
    objects: [svc, ...unready, endpoints(svc, { notReady: unready }), event(svc, "FailedToUpdateEndpoint", "Failed to update endpoint shop/api: etcdserver: request timed out")],
    want: [{ confidence: 0.95, evidence: evidenceWith("Endpoints api: 0 ready addresses, 2 not ready", "event Warning FailedToUpdateEndpoint") }],
  },
  // `kubectl get svc,endpoints -o json`: no pods; the Endpoints say no address is ready, not why.
  {
    name: "no pods, Endpoints list only not-ready addresses",
    objects: [svc, endpoints(svc, { notReady: unready })],
    want: [
      {
        id: "service.endpoints-not-ready",
        category: "ServiceEndpointsNotReady",
        object: ref("Service", "api"),
        severity: "critical",
        confidence: 0.85,
        summary: "Service api has no ready endpoint: all 2 of its endpoint(s) are not ready (api-1, api-2).",
        evidence: evidenceWith("Endpoints api: 0 ready addresses, 2 not ready (api-1, api-2)", "the input holds no pods"),
        remediation: { action: "investigate", tier: "trivial" },
      },
    ],
  },
  { name: "no pods, a not-ready address without targetRef is named by its IP", objects: [svc, byIp], want: [{ confidence: 0.85, summary: expect.stringContaining("(10.0.0.21)") }] },
  { name: "no pods, EndpointSlices with ready=false", objects: [svc, endpointSlice(svc, [{ pod: crashing, ready: false }])], want: [{ confidence: 0.85, evidence: evidenceWith("EndpointSlice(s) api-abcde: 0 ready of 1 endpoint(s); not ready (api-3)") }] },
  { name: "no pods, a Warning event on the Service is evidence", objects: [svc, endpoints(svc, { notReady: unready }), event(svc, "TestReason", "Test warning message")], want: [{ evidence: evidenceWith("event Warning TestReason", "Test warning message") }] },
  { name: "no pods, one ready address among not-ready ones: none", objects: [svc, endpoints(svc, { ready: [crashing], notReady: unready })], want: [] },
  { name: "no pods, no address at all is the other rule's: none", objects: [svc, endpoints(svc)], want: [] },
  { name: "no pods, Endpoints of another namespace: none", objects: [svc, { ...endpoints(svc, { notReady: unready }), metadata: { name: "api", namespace: `${NS}-staging` } }], want: [] },
  { name: "pods created seconds ago: none", objects: [svc, pod("api-5", { labels: { app: "api" }, created: ago(5), phase: "Pending", statuses: [waiting("app", "ContainerCreating")] })], want: [] },
]);
