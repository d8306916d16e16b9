import { describe, expect, it } from "vitest";
import { RULES } from "../../../../src/diagnose/rules/index.ts";
import type { KubeObject } from "../../../../src/model/k8s.ts";
import { gateway, gatewayClass, httpRoute, ingress, ingressClass, networkPolicy, serviceWithPorts, webhook, webhookConfig } from "../../../helpers/network-objects.ts";
import { endpoints, endpointSlice, event, findingsOf, pod, secret, service } from "../../../helpers/objects.ts";

// Healthy routing, policies and webhooks must get no finding from any rule: false positives cost trust.

const webPods = ["web-1", "web-2"].map((name) => pod(name, { labels: { app: "web" } }));
const web = service("web");

function correctIngress(): KubeObject[] {
  return [
    ingress("shop", { paths: { "/": { service: "web", port: 80 }, "/static": { resource: "static-assets" } }, tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }] }),
    // A class-less Ingress served through the default IngressClass.
    ingress("legacy", { className: undefined, address: "" }),
    ingressClass("nginx", { isDefault: true }),
    secret("shop-tls"),
    web,
    endpoints(web, { ready: webPods }),
    ...webPods,
  ];
}

function acceptedGateway(): KubeObject[] {
  return [gatewayClass("example"), gateway("gw"), httpRoute("shop"), web, endpointSlice(web, webPods.map((p) => ({ pod: p, ready: true }))), ...webPods];
}

function policiesAllowingTheService(): KubeObject[] {
  const containers = [{ name: "app", image: "shop/api:1.0", ports: [{ containerPort: 8080, name: "http" }] }];
  const apiPods = ["api-1", "api-2"].map((name) => pod(name, { labels: { app: "api" }, containers }));
  const frontend = pod("frontend-1", { labels: { app: "frontend" } });
  const api = service("api");
  return [
    networkPolicy("default-deny", {}, { policyTypes: ["Ingress"] }),
    networkPolicy("allow-frontend", { matchLabels: { app: "api" } }, { ingress: [{ from: [{ podSelector: { matchLabels: { app: "frontend" } } }], ports: [{ port: "http" }] }] }),
    networkPolicy("allow-web", { matchLabels: { app: "frontend" } }, { ingress: [{ ports: [{ port: 8080 }] }] }),
    api,
    endpoints(api, { ready: apiPods }),
    ...apiPods,
    frontend,
  ];
}

function readyWebhooks(): KubeObject[] {
  const svc = serviceWithPorts("policy-webhook", [{ port: 443, targetPort: 9443 }]);
  const server = pod("policy-webhook-1", { labels: { app: "policy-webhook" } });
  return [
    webhookConfig("ValidatingWebhookConfiguration", "policy", [webhook("validate.policy.example.com"), webhook("external.example.com", { url: "https://hooks.example.com/validate" })]),
    webhookConfig("MutatingWebhookConfiguration", "defaults", [webhook("default.policy.example.com", { failurePolicy: "Ignore" })]),
    // A webhook whose Service lives in a namespace this input does not cover.
    webhookConfig("ValidatingWebhookConfiguration", "cert-manager-webhook", [webhook("webhook.cert-manager.io", { service: { namespace: "cert-manager", name: "cert-manager-webhook" } })]),
    svc,
    endpointSlice(svc, [{ pod: server, ready: true }]),
    server,
  ];
}

/** `kubectl get svc,endpoints,events -o json`: no pods at all. */
function servicesWithoutPods(): KubeObject[] {
  const api = service("api");
  const manual = service("legacy-db", { selector: undefined });
  return [
    web,
    endpoints(web, { ready: webPods }),
    api,
    endpointSlice(api, [{ pod: pod("api-1"), ready: true }, { pod: pod("api-2"), ready: false }]),
    manual,
    endpoints(manual),
    event(web, "Type", "Updated load balancer with new hosts", { type: "Normal" }),
  ];
}

const scenarios: { name: string; objects: KubeObject[] }[] = [
  { name: "a correct Ingress (class, Service, port, TLS Secret) and one served by the default class", objects: correctIngress() },
  { name: "a Gateway and an HTTPRoute, accepted, with their backend", objects: acceptedGateway() },
  { name: "a default-deny with policies admitting the Services' ports", objects: policiesAllowingTheService() },
  { name: "webhooks with a ready Service, a URL, or a Service outside the input", objects: readyWebhooks() },
  { name: "Services with ready endpoints and no pods in the dump", objects: servicesWithoutPods() },
];

describe("healthy networking objects", () => {
  describe.each(scenarios)("$name", ({ objects }) => {
    it.each(RULES.map((rule) => ({ id: rule.id, rule })))("$id finds nothing", ({ rule }) => {
      expect(findingsOf(rule, objects)).toEqual([]);
    });
  });
});
