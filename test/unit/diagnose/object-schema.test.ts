import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { diagnoseSnapshot } from "../../../src/diagnose/engine.ts";
import { parseInput } from "../../../src/diagnose/parse-input.ts";
import type { Category } from "../../../src/diagnose/types.ts";
import type { KubeObject } from "../../../src/model/k8s.ts";
import { cronJob, pdb, pv, storageClass } from "../../helpers/cluster-objects.ts";
import { gateway, gatewayClass, httpRoute, ingress, ingressClass, networkPolicy, webhook, webhookConfig } from "../../helpers/network-objects.ts";
import { ago, cond, deployment, HOUR, hpa, job, NOW, NS, pod, pvc, service } from "../../helpers/objects.ts";
import { ds, headless, sts } from "../../helpers/workload-objects.ts";
import { replaceAt } from "../../property/arbitraries.ts";

// `diagnose -f` checks each object of a known kind against what the rules read (object-schema.ts).

const list = (...items: unknown[]) => JSON.stringify({ apiVersion: "v1", kind: "List", items });
const broken = (object: KubeObject, path: string, value: unknown) => replaceAt(object, path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p)), value);

/** Objects with every field the rules read set (and some no rule reads), as kubectl prints them. */
function wellFormed(): KubeObject[] {
  const nightly = cronJob("nightly", { timeZone: "Europe/Berlin", startingDeadlineSeconds: 200, concurrencyPolicy: "Forbid", suspend: false, active: ["nightly-29543270"] });
  nightly.spec.successfulJobsHistoryLimit = 3;
  nightly.spec.jobTemplate.metadata = { labels: { app: "nightly" } };

  const shop = ingress("shop", {
    paths: { "/": { service: "web", port: 80 }, "/api": { service: "api", port: "http" }, "/static": { resource: "static-assets" } },
    defaultBackend: { service: "fallback", port: 8080 },
    tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }],
  });

  const api = networkPolicy("api", { matchLabels: { app: "api" }, matchExpressions: [{ key: "tier", operator: "In", values: ["backend"] }] }, {
    policyTypes: ["Ingress", "Egress"],
    ingress: [
      {
        from: [{ podSelector: { matchLabels: { app: "web" } }, namespaceSelector: { matchLabels: { env: "prod" } } }, { ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }],
        ports: [{ protocol: "TCP", port: 8080, endPort: 8090 }, { port: "http" }],
      },
    ],
  });
  api.spec.egress = [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: "UDP", port: 53 }] }];

  const validate = webhook("validate.policy.example.com", { failurePolicy: "Ignore", namespaceSelector: { matchLabels: { env: "prod" } } });
  validate.clientConfig.service = { namespace: NS, name: "policy-webhook", path: "/validate", port: 8443 };
  validate.timeoutSeconds = 5;
  validate.objectSelector = { matchExpressions: [{ key: "skip", operator: "DoesNotExist" }] };
  const external = webhook("external.example.com", { url: "https://hooks.example.com/validate" });

  const budget = pdb("web", { minAvailable: "50%", selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["canary"] }] } });
  budget.spec.unhealthyPodEvictionPolicy = "AlwaysAllow";

  const released = pv("pv-released", { phase: "Released", reclaim: "Retain", storageClass: "standard", message: "claim deleted", since: ago(HOUR) });
  if (released.status !== undefined) released.status.reason = "Released";

  const local = storageClass("local", { provisioner: "kubernetes.io/no-provisioner", bindingMode: "Immediate", isDefault: true });
  local.parameters = { type: "local" };
  local.allowVolumeExpansion = false;

  const held = job("held");
  held.spec.suspend = true;
  const scaler = hpa("web");
  scaler.spec.metrics = [{ type: "ContainerResource", containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 60 } } }];

  return [
    nightly,
    shop,
    ingressClass("nginx", { isDefault: true }),
    api,
    webhookConfig("ValidatingWebhookConfiguration", "policy", [validate, external]),
    webhookConfig("MutatingWebhookConfiguration", "sidecar", [webhook("inject.sidecar.example.com", { resources: ["pods"] })], { apiVersion: "admissionregistration.k8s.io/v1beta1" }),
    budget,
    pdb("db", { maxUnavailable: 1, noStatus: true }),
    released,
    pv("pv-bound", { storageClass: "local", claim: { namespace: NS, name: "data", uid: "uid-1" } }),
    local,
    gatewayClass("example"),
    gateway("gw", { listeners: [{ name: "https", port: 443, protocol: "HTTPS", hostname: "*.example.com", allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { team: "shop" } } } } }] }),
    httpRoute("shop", {
      parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: NS, name: "gw", sectionName: "https", port: 443 }],
      backendRefs: [{ name: "web", port: 80 }, { group: "", kind: "Service", namespace: "other", name: "api", port: 8080 }],
    }),
    // A class named, "" (no class), null and unset (both the default class).
    sts("db", { storageClasses: ["fast", "", null, undefined] }),
    ds("agent", { desired: 3, ready: 2, unavailable: 1, misscheduled: 1 }),
    held,
    pod("train-0", { phase: "Pending", statuses: [], spec: { schedulingGates: [{ name: "kueue.x-k8s.io/admission" }] } }),
    scaler,
  ];
}

describe("diagnose -f keeps well-formed objects of every kind as they came", () => {
  it.each([
    { format: "JSON", write: (objects: KubeObject[]) => list(...objects) },
    { format: "YAML", write: (objects: KubeObject[]) => objects.map((o) => `---\n${stringify(o)}`).join("") },
  ])("$format", ({ write }) => {
    const objects = wellFormed();
    const parsed = parseInput(write(objects), "in");
    expect(parsed.notes).toEqual([]);
    expect(parsed.objects).toEqual(objects);
  });

  it("reads null as unset where kubectl prints it (a job template's creationTimestamp, a time not reached yet)", () => {
    const cron = { ...cronJob("nightly"), status: { lastScheduleTime: null, active: null } };
    const text = list(replaceAt(cron, ["spec", "jobTemplate", "metadata"], { creationTimestamp: null }));
    const parsed = parseInput(text, "in");
    expect(parsed.notes).toEqual([]);
    expect(parsed.objects).toEqual([{ ...cron, spec: { ...cron.spec, jobTemplate: { ...cron.spec.jobTemplate, metadata: {} } }, status: {} }]);
  });
});

interface MalformedCase {
  kind: string;
  /** An object of the kind with a field the rules read missing or of the wrong type. */
  object: unknown;
  field: string;
  /** The rest of the file, and what the rules find in it. */
  rest: KubeObject[];
  want: Category;
}

const webPods = [1, 2, 3].map((i) => pod(`web-${i}`, { labels: { app: "web" } }));
const gatedPod = (name: string) => {
  const p = pod(name, { created: ago(3 * HOUR), phase: "Pending", statuses: [], conditions: [cond("PodScheduled", "False", "SchedulingGated", "", ago(3 * HOUR))], spec: { schedulingGates: [{ name: "kueue.x-k8s.io/admission" }] } });
  delete p.spec.nodeName;
  return p;
};
const missingService = (name: string) => webhook(name, { service: { namespace: NS, name: "gone", port: 443 } });
const failedJob = job("report", { failed: 1, conditions: [cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", ago(HOUR))] });

describe("diagnose -f skips an object the rules cannot read, with a note naming its kind and field, and diagnoses the rest", () => {
  it.each<MalformedCase>([
    { kind: "CronJob", object: broken(cronJob("broken"), "spec.schedule", 5), field: "spec.schedule", rest: [cronJob("leap", { schedule: "0 0 30 2 *" })], want: "CronJobFailed" },
    { kind: "CronJob", object: broken(cronJob("broken"), "spec.jobTemplate", undefined), field: "spec.jobTemplate", rest: [cronJob("leap", { schedule: "0 0 30 2 *" })], want: "CronJobFailed" },
    { kind: "Ingress", object: broken(ingress("broken"), "spec.rules", "shop.example.com"), field: "spec.rules", rest: [ingress("shop", { paths: { "/": { service: "wbe", port: 80 } } }), service("web")], want: "IngressMisconfigured" },
    { kind: "Ingress", object: broken(ingress("broken"), "spec.rules.0.http.paths.0.backend.service.port.number", "80"), field: "spec.rules.0.http.paths.0.backend.service.port.number", rest: [ingress("shop", { className: "ngnix" }), ingressClass("nginx")], want: "IngressMisconfigured" },
    {
      kind: "IngressClass",
      object: broken(ingressClass("broken"), "metadata.annotations", { "ingressclass.kubernetes.io/is-default-class": true }),
      field: "metadata.annotations.ingressclass.kubernetes.io/is-default-class",
      rest: [ingress("shop", { className: "ngnix" }), ingressClass("nginx")],
      want: "IngressMisconfigured",
    },
    {
      kind: "NetworkPolicy",
      object: broken(networkPolicy("broken", { matchLabels: { app: "api" } }, { ingress: [{ ports: [{ port: 8080 }] }] }), "spec.ingress.0.ports.0.port", true),
      field: "spec.ingress.0.ports.0.port",
      rest: [networkPolicy("api-ingress", { matchLabels: { app: "api-server" } }, { ingress: [{}] }), pod("api-1", { labels: { app: "api" } })],
      want: "NetworkPolicyIsolation",
    },
    { kind: "NetworkPolicy", object: broken(networkPolicy("broken", {}), "spec.podSelector", undefined), field: "spec.podSelector", rest: [networkPolicy("api-ingress", { matchLabels: { app: "api-server" } }), pod("api-1", { labels: { app: "api" } })], want: "NetworkPolicyIsolation" },
    { kind: "PodDisruptionBudget", object: broken(pdb("broken"), "status.disruptionsAllowed", "1"), field: "status.disruptionsAllowed", rest: [pdb("web", { minAvailable: 3, expected: 3, desired: 3, allowed: 0 }), ...webPods], want: "PDBBlocking" },
    { kind: "PodDisruptionBudget", object: broken(pdb("broken"), "spec.selector.matchLabels", "app=web"), field: "spec.selector.matchLabels", rest: [pdb("web", { minAvailable: 3, expected: 3, desired: 3, allowed: 0 }), ...webPods], want: "PDBBlocking" },
    {
      kind: "ValidatingWebhookConfiguration",
      object: broken(webhookConfig("ValidatingWebhookConfiguration", "broken", [webhook("a.example.com")]), "webhooks.0.clientConfig.service.port", "443"),
      field: "webhooks.0.clientConfig.service.port",
      rest: [webhookConfig("ValidatingWebhookConfiguration", "policy", [missingService("validate.example.com")]), service("web")],
      want: "WebhookUnavailable",
    },
    {
      kind: "MutatingWebhookConfiguration",
      object: broken(webhookConfig("MutatingWebhookConfiguration", "broken", [webhook("a.example.com")]), "webhooks.0.clientConfig", undefined),
      field: "webhooks.0.clientConfig",
      rest: [webhookConfig("MutatingWebhookConfiguration", "sidecar", [missingService("inject.example.com")]), service("web")],
      want: "WebhookUnavailable",
    },
    { kind: "PersistentVolume", object: broken(pv("broken"), "spec.claimRef.name", 7), field: "spec.claimRef.name", rest: [pv("pv-failed", { phase: "Failed", message: "error deleting volume" })], want: "StorageMisconfigured" },
    { kind: "PersistentVolume", object: broken(pv("broken"), "status.phase", ["Bound"]), field: "status.phase", rest: [pv("pv-failed", { phase: "Failed", message: "error deleting volume" })], want: "StorageMisconfigured" },
    { kind: "StorageClass", object: broken(storageClass("broken"), "provisioner", undefined), field: "provisioner", rest: [pvc("data", { phase: "Pending", storageClass: "fast" }), storageClass("standard")], want: "StorageMisconfigured" },
    { kind: "Gateway", object: broken(gateway("broken"), "spec.listeners.0.allowedRoutes.namespaces.from", 1), field: "spec.listeners.0.allowedRoutes.namespaces.from", rest: [gateway("gw", { className: "exmaple" }), gatewayClass("example")], want: "GatewayMisconfigured" },
    { kind: "Gateway", object: broken(gateway("broken"), "spec.gatewayClassName", undefined), field: "spec.gatewayClassName", rest: [gateway("gw", { className: "exmaple" }), gatewayClass("example")], want: "GatewayMisconfigured" },
    { kind: "HTTPRoute", object: broken(httpRoute("broken"), "spec.rules.0.backendRefs.0.port", "80"), field: "spec.rules.0.backendRefs.0.port", rest: [httpRoute("shop", { parentRefs: [{ name: "gone" }] }), gateway("gw"), gatewayClass("example")], want: "GatewayMisconfigured" },
    { kind: "HTTPRoute", object: broken(httpRoute("broken"), "status.parents.0.parentRef", undefined), field: "status.parents.0.parentRef", rest: [httpRoute("shop", { parentRefs: [{ name: "gone" }] }), gateway("gw"), gatewayClass("example")], want: "GatewayMisconfigured" },
    { kind: "GatewayClass", object: broken(gatewayClass("broken"), "spec.controllerName", undefined), field: "spec.controllerName", rest: [gateway("gw", { className: "exmaple" }), gatewayClass("example")], want: "GatewayMisconfigured" },
    // Fields the rules started to read on kinds checked before.
    { kind: "StatefulSet", object: broken(sts("broken", { storageClasses: ["fast"] }), "spec.volumeClaimTemplates.0.spec.storageClassName", 5), field: "spec.volumeClaimTemplates.0.spec.storageClassName", rest: [sts("db", { storageClasses: ["fast-ssd"] }), headless("db"), storageClass("standard")], want: "StatefulSetMisconfigured" },
    { kind: "DaemonSet", object: broken(ds("broken"), "status.numberMisscheduled", "1"), field: "status.numberMisscheduled", rest: [ds("exporter", { misscheduled: 1 })], want: "DaemonSetUnavailable" },
    { kind: "Job", object: broken(job("broken"), "spec.suspend", "true"), field: "spec.suspend", rest: [failedJob], want: "JobFailed" },
    { kind: "Pod", object: broken(gatedPod("broken"), "spec.schedulingGates", ["kueue.x-k8s.io/admission"]), field: "spec.schedulingGates.0", rest: [gatedPod("train-0")], want: "SchedulingGated" },
    {
      kind: "HorizontalPodAutoscaler",
      object: broken(hpa("broken"), "spec.metrics", [{ type: "ContainerResource", containerResource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }]),
      field: "spec.metrics.0.containerResource.container",
      rest: [hpa("ghost", { target: "nothing" }), deployment("web")],
      want: "HPAMisconfigured",
    },
  ])("$kind with a broken $field", ({ kind, object, field, rest, want }) => {
    const parsed = parseInput(list(object, ...rest), "in.json");
    expect(parsed.objects).toEqual(rest);
    expect(parsed.notes).toHaveLength(1);
    expect(parsed.notes[0]).toMatch(new RegExp(`^in\\.json: skipped 1 ${kind} object\\(s\\) with missing or wrongly typed fields; the first: ${kind} (${NS}/)?broken: `));
    expect(parsed.notes[0]).toContain(`: ${field}: `);
    const findings = diagnoseSnapshot({ now: NOW, objects: parsed.objects }).items.flatMap((item) => item.findings);
    expect(findings.map((f) => f.category)).toContain(want);
  });
});
