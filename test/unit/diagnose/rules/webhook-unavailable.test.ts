import { expect } from "vitest";
import { webhookUnavailable } from "../../../../src/diagnose/rules/webhook-unavailable.ts";
import { serviceWithPorts, webhook, webhookConfig } from "../../../helpers/network-objects.ts";
import { clusterRef, endpoints, endpointSlice, evidenceWith, NS, pod, running, testRule } from "../../../helpers/objects.ts";

const svc = serviceWithPorts("policy-webhook", [{ port: 443, targetPort: 9443 }]);
const server = pod("policy-webhook-1", { labels: { app: "policy-webhook" } });
const down = pod("policy-webhook-2", { labels: { app: "policy-webhook" }, statuses: [running("app", { ready: false })] });
const validating = (...webhooks: ReturnType<typeof webhook>[]) => webhookConfig("ValidatingWebhookConfiguration", "policy", webhooks);
const mutating = (...webhooks: ReturnType<typeof webhook>[]) => webhookConfig("MutatingWebhookConfiguration", "sidecar-injector", webhooks);

testRule(webhookUnavailable, [
  {
    name: "failurePolicy Fail (the default), no ready endpoint: writes are refused",
    objects: [validating(webhook("validate.policy.example.com", { namespaceSelector: { matchLabels: { env: "prod" } } })), svc, endpoints(svc, { notReady: [down] })],
    want: [
      {
        id: "webhook.unavailable",
        category: "WebhookUnavailable",
        object: clusterRef("ValidatingWebhookConfiguration", "policy"),
        severity: "critical",
        confidence: 0.9,
        summary: `ValidatingWebhookConfiguration policy has webhook validate.policy.example.com (failurePolicy Fail) that calls Service ${NS}/policy-webhook, which has no ready endpoint: every CREATE,UPDATE of pods in namespaces env=prod is refused.`,
        evidence: evidenceWith(`webhooks[validate.policy.example.com].clientConfig.service: ${NS}/policy-webhook port 443`, "failurePolicy: unset (Fail)", "Endpoints policy-webhook: 0 ready addresses, 1 not ready (policy-webhook-2)"),
        remediation: { action: "investigate", tier: "trivial", summary: expect.stringContaining("set failurePolicy Ignore on webhook validate.policy.example.com") },
        runbook: "runbooks/webhookunavailable.md",
      },
    ],
  },
  {
    name: "failurePolicy Ignore: the checks are skipped silently, lower severity",
    objects: [validating(webhook("validate.policy.example.com", { failurePolicy: "Ignore" })), svc, endpointSlice(svc, [])],
    want: [{ severity: "medium", summary: expect.stringContaining("(failurePolicy Ignore) that calls Service shop/policy-webhook, which has no ready endpoint: its checks are skipped silently for CREATE,UPDATE of pods") }],
  },
  { name: "a mutating webhook with Ignore: mutations are skipped", objects: [mutating(webhook("inject.sidecar.example.com", { failurePolicy: "Ignore" })), svc, endpoints(svc)], want: [{ severity: "medium", summary: expect.stringContaining("its mutations are skipped silently") }] },
  { name: "v1beta1 without failurePolicy defaults to Ignore", objects: [webhookConfig("ValidatingWebhookConfiguration", "legacy", [webhook("old.example.com")], { apiVersion: "admissionregistration.k8s.io/v1beta1" }), svc, endpoints(svc)], want: [{ severity: "medium", evidence: evidenceWith("failurePolicy: unset (Ignore)") }] },
  {
    name: "a Service that does not exist in a namespace the input covers",
    objects: [validating(webhook("validate.policy.example.com", { service: { namespace: NS, name: "gone", port: 443 } })), svc],
    want: [{ severity: "critical", summary: expect.stringContaining(`calls Service ${NS}/gone, which does not exist: every CREATE,UPDATE of pods is refused`), remediation: { action: "config", tier: "critical", summary: expect.stringContaining("delete ValidatingWebhookConfiguration policy if its owner is gone") } }],
  },
  { name: "a Service in a namespace the input does not cover: cannot judge", objects: [validating(webhook("validate.policy.example.com", { service: { namespace: "cert-manager", name: "cert-manager-webhook" } })), svc], want: [] },
  { name: "a webhook called by URL: none", objects: [validating(webhook("external.example.com", { url: "https://hooks.example.com/validate" })), svc], want: [] },
  { name: "a port the Service does not expose", objects: [validating(webhook("validate.policy.example.com", { service: { namespace: NS, name: "policy-webhook", port: 8443 } })), svc, endpoints(svc, { ready: [server] })], want: [{ summary: expect.stringContaining("calls port 8443 of Service shop/policy-webhook, which does not expose it"), evidence: evidenceWith("spec.ports: 443/TCP") }] },
  { name: "a ready endpoint: none", objects: [validating(webhook("validate.policy.example.com")), svc, endpoints(svc, { ready: [server], notReady: [down] })], want: [] },
  { name: "a ready EndpointSlice endpoint: none", objects: [validating(webhook("validate.policy.example.com")), svc, endpointSlice(svc, [{ pod: server, ready: true }])], want: [] },
  { name: "no Endpoints, the receiving pod is not ready: judged from the pods", objects: [validating(webhook("validate.policy.example.com")), svc, down], want: [{ confidence: 0.8, evidence: evidenceWith("judged from the pods", "pod policy-webhook-2: app running but not ready") }] },
  { name: "no Endpoints, no pod behind the Service", objects: [validating(webhook("validate.policy.example.com")), svc, pod("other", { labels: { app: "other" } })], want: [{ confidence: 0.8, evidence: evidenceWith("spec.selector app=policy-webhook matches no pod") }] },
  { name: "no Endpoints, a ready pod: none", objects: [validating(webhook("validate.policy.example.com")), svc, server], want: [] },
  { name: "a Service without selector and no Endpoints: cannot judge", objects: [validating(webhook("validate.policy.example.com")), { ...svc, spec: { ...svc.spec, selector: {} } }, server], want: [] },
  { name: "no Endpoints and no pods in the input: cannot judge", objects: [validating(webhook("validate.policy.example.com")), svc], want: [] },
  {
    name: "two broken webhooks: one finding, the blocking one first",
    objects: [validating(webhook("audit.policy.example.com", { failurePolicy: "Ignore" }), webhook("validate.policy.example.com")), svc, endpoints(svc)],
    want: [{ severity: "critical", summary: expect.stringMatching(/^ValidatingWebhookConfiguration policy has webhook validate\.policy\.example\.com \(failurePolicy Fail\).* \(and 1 more problem\)\.$/), evidence: evidenceWith("webhooks[audit.policy.example.com]", "webhooks[validate.policy.example.com]") }],
  },
]);
