import { expect } from "vitest";
import { networkPolicyIsolation } from "../../../../src/diagnose/rules/network-policy-isolation.ts";
import type { KubeObject } from "../../../../src/model/k8s.ts";
import { namespaceObject, networkPolicy } from "../../../helpers/network-objects.ts";
import { ago, DAY, deployment, evidenceWith, NS, pod, ref, service, testRule } from "../../../helpers/objects.ts";

const containers = [{ name: "app", image: "shop/api:1.0", ports: [{ containerPort: 8080, name: "http" }] }];
const apiPods = ["api-1", "api-2"].map((n) => pod(n, { labels: { app: "api" }, containers }));
const frontend = pod("frontend-1", { labels: { app: "frontend" } });
const api = service("api");
const denyAll = networkPolicy("default-deny", {}, { policyTypes: ["Ingress"] });
const allow = (from: object[] | undefined, ports?: object[]) => networkPolicy("allow-api", { matchLabels: { app: "api" } }, { ingress: [{ ...(from === undefined ? {} : { from }), ...(ports === undefined ? {} : { ports }) }] });
const nightly: KubeObject = {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "report", namespace: NS, creationTimestamp: ago(30 * DAY) },
  spec: { schedule: "0 2 * * *", jobTemplate: { spec: { template: { metadata: { labels: { app: "report" } }, spec: { containers: [{ name: "report", image: "shop/report:1.0" }] } } } } },
};

testRule(networkPolicyIsolation, [
  {
    name: "a policy whose podSelector selects no pod (typo): the closest labels",
    objects: [networkPolicy("api-ingress", { matchLabels: { app: "api-server" } }, { ingress: [{}] }), ...apiPods, frontend],
    want: [
      {
        id: "networkpolicy.isolation",
        category: "NetworkPolicyIsolation",
        object: ref("NetworkPolicy", "api-ingress"),
        severity: "medium",
        confidence: 0.85,
        summary: "NetworkPolicy api-ingress selects no pod: its podSelector app=api-server matches none of the 3 pod(s) in namespace shop, so it has no effect; closest pod labels: app=api.",
        evidence: evidenceWith("spec.podSelector: app=api-server", "0 of 3 pod(s) in namespace shop match", "closest: pods api-1, api-2 have app=api", "policyTypes: Ingress"),
        remediation: { action: "config", tier: "medium" },
        runbook: "runbooks/networkpolicyisolation.md",
      },
    ],
  },
  { name: "a policy selecting pods: none", objects: [allow(undefined), ...apiPods], want: [] },
  { name: "a policy selecting no pod, but no pod of the namespace in the input: cannot judge", objects: [networkPolicy("api-ingress", { matchLabels: { app: "apitypo" } })], want: [] },
  { name: "a policy for a CronJob's pods, none running now: none", objects: [networkPolicy("report-egress", { matchLabels: { app: "report" } }, { policyTypes: ["Egress"] }), nightly, frontend], want: [] },
  { name: "a policy for a Deployment scaled to 0: none", objects: [networkPolicy("worker", { matchLabels: { app: "worker" } }), deployment("worker", { replicas: 0, ready: 0, available: 0 }), frontend], want: [] },
  { name: "an empty podSelector (default deny) with no Service behind it: none", objects: [denyAll, frontend], want: [] },
  {
    name: "a Service whose pods a default-deny isolates, with no allow rule: it gets no traffic",
    objects: [api, ...apiPods, denyAll],
    want: [
      {
        object: ref("Service", "api"),
        severity: "high",
        confidence: 0.8,
        summary: "Service api gets no traffic: NetworkPolicy default-deny isolates its 2 pod(s) for ingress and no ingress rule admits 8080/TCP.",
        evidence: evidenceWith("Service api: selector app=api, targets 8080/TCP", "NetworkPolicy default-deny (podSelector {}, policyTypes Ingress): no ingress rule, denies all ingress", "every one isolated"),
        remediation: { action: "config", tier: "medium" },
      },
    ],
  },
  { name: "default deny plus a rule admitting the port from the frontend: none", objects: [api, ...apiPods, frontend, denyAll, allow([{ podSelector: { matchLabels: { app: "frontend" } } }], [{ port: 8080 }])], want: [] },
  { name: "a rule admitting the container port by name: none", objects: [api, ...apiPods, denyAll, allow(undefined, [{ port: "http" }])], want: [] },
  { name: "a rule admitting a port range around the target: none", objects: [api, ...apiPods, denyAll, allow(undefined, [{ port: 8000, endPort: 8999 }])], want: [] },
  { name: "an empty ingress rule admits everything: none", objects: [api, ...apiPods, denyAll, allow(undefined)], want: [] },
  { name: "an ipBlock peer: none", objects: [api, ...apiPods, allow([{ ipBlock: { cidr: "10.0.0.0/8" } }], [{ port: 8080 }])], want: [] },
  {
    name: "the only allow rule's peer matches no pod (typo)",
    objects: [api, ...apiPods, frontend, denyAll, allow([{ podSelector: { matchLabels: { app: "frontnd" } } }], [{ port: 8080 }])],
    want: [{ summary: expect.stringContaining("NetworkPolicy default-deny, allow-api isolate its 2 pod(s)"), evidence: evidenceWith("allow-api (podSelector app=api, policyTypes Ingress) ingress[0]: from podSelector app=frontnd: matches no pod in namespace shop") }],
  },
  {
    name: "the only allow rule admits another port",
    objects: [api, ...apiPods, allow(undefined, [{ port: 9090 }])],
    want: [{ summary: expect.stringContaining("NetworkPolicy allow-api isolates"), evidence: evidenceWith("ingress[0]: ports 9090/TCP: the Service targets 8080/TCP") }],
  },
  { name: "a UDP rule for a TCP Service port", objects: [api, ...apiPods, allow(undefined, [{ port: 8080, protocol: "UDP" }])], want: [{ evidence: evidenceWith("ports 8080/UDP: the Service targets 8080/TCP") }] },
  {
    name: "a namespaceSelector no namespace in the input matches",
    objects: [api, ...apiPods, allow([{ namespaceSelector: { matchLabels: { team: "frontend" } } }]), namespaceObject(NS), namespaceObject("web", { team: "web" })],
    want: [{ evidence: evidenceWith("from namespaceSelector team=frontend: matches no namespace") }],
  },
  { name: "a namespaceSelector, no Namespace in the input: cannot judge", objects: [api, ...apiPods, allow([{ namespaceSelector: { matchLabels: { team: "frontend" } } }])], want: [] },
  { name: "an Egress-only policy: none", objects: [api, ...apiPods, networkPolicy("egress", {}, { policyTypes: ["Egress"] })], want: [] },
  { name: "one pod of the Service not selected by any policy: none", objects: [api, ...apiPods, pod("api-canary", { labels: { app: "api", track: "canary" }, containers }), networkPolicy("stable", { matchLabels: { app: "api" }, matchExpressions: [{ key: "track", operator: "DoesNotExist" }] }, { policyTypes: ["Ingress"] })], want: [] },
  { name: "a Service without pods while pods are listed is ServiceNoEndpoints': none", objects: [api, frontend, denyAll], want: [] },
  // `kubectl get svc,netpol -o json`: no pods, the selectors are compared.
  {
    name: "no pods: a default-deny certainly selects the Service's pods, less sure",
    objects: [api, denyAll],
    want: [{ confidence: 0.6, summary: "Service api gets no traffic: NetworkPolicy default-deny isolates its pod(s) for ingress and no ingress rule admits 8080/TCP.", evidence: evidenceWith("the input holds no pods") }],
  },
  { name: "no pods: a policy that may select the pods admits the port: none", objects: [api, denyAll, networkPolicy("allow-role", { matchLabels: { role: "backend" } }, { ingress: [{ ports: [{ port: 8080 }] }] })], want: [] },
  { name: "no pods: an allowing policy for other pods does not count", objects: [api, denyAll, networkPolicy("allow-web", { matchLabels: { app: "web" } }, { ingress: [{}] })], want: [{ confidence: 0.6 }] },
]);
