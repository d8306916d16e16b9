import { expect } from "vitest";
import { hpaMisconfigured } from "../../../../src/diagnose/rules/hpa-misconfigured.ts";
import type { Container, HorizontalPodAutoscaler } from "../../../../src/model/k8s.ts";
import { ownedBy } from "../../../helpers/cluster-objects.ts";
import { ago, cond, deployment, event, evidenceWith, MIN, pod, ref, replicaSet, testRule } from "../../../helpers/objects.ts";

const withRequests = (requests: Record<string, string>, name = "app"): Container => ({ name, image: "shop/app:1.0", resources: { requests } });
const bare = (name = "app"): Container => ({ name, image: "shop/app:1.0" });
const ok = (since = ago(MIN)) => [cond("AbleToScale", "True", "ReadyForNewScale", undefined, since), cond("ScalingActive", "True", "ValidMetricFound", undefined, since)];

function hpa(name: string, o: { target?: string; conditions?: ReturnType<typeof cond>[]; metrics?: HorizontalPodAutoscaler["spec"]["metrics"]; noStatus?: boolean; kind?: string } = {}): HorizontalPodAutoscaler {
  const h: HorizontalPodAutoscaler = {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name, namespace: "shop", uid: `uid-HorizontalPodAutoscaler-${name}`, creationTimestamp: ago(30 * 24 * 60 * MIN) },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: o.kind ?? "Deployment", name: o.target ?? name },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: o.metrics ?? [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    },
  };
  if (o.noStatus !== true) h.status = { currentReplicas: 3, desiredReplicas: 3, conditions: o.conditions ?? [...ok(), cond("ScalingLimited", "False", "DesiredWithinRange")] };
  return h;
}

const ghost = hpa("api", { target: "ghost" });
const gone = hpa("gone", { conditions: [cond("AbleToScale", "False", "FailedGetScale", 'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "gone" not found', ago(40 * MIN))] });
const forbidden = hpa("cart", { conditions: [cond("AbleToScale", "False", "FailedUpdateScale", "the HPA controller was unable to update the target scale: deployments.apps \"cart\" is forbidden", ago(20 * MIN)), cond("ScalingActive", "True", "ValidMetricFound")] });
const noRequest = hpa("api", {
  conditions: [cond("AbleToScale", "True", "SucceededGetScale"), cond("ScalingActive", "False", "FailedGetResourceMetric", 'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container "app" of Pod "api-1"', ago(30 * MIN))],
});
const blind = hpa("cart", { conditions: [cond("AbleToScale", "True", "SucceededGetScale"), cond("ScalingActive", "False", "FailedGetResourceMetric", "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API", ago(10 * MIN))] });
const starting = hpa("cart", { conditions: [cond("AbleToScale", "True", "SucceededGetScale"), cond("ScalingActive", "False", "FailedGetResourceMetric", "the HPA was unable to compute the replica count: failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)", ago(MIN))] });
const memory = [{ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } }];
const sidecarMetric = [{ type: "ContainerResource", containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 60 } } }];
const averageValue = [{ type: "Resource", resource: { name: "cpu", target: { type: "AverageValue", averageValue: "500m" } } }];

/** A Deployment whose template has no request, and a pod that got one from a LimitRange default. */
function limitRangeDefaulted(): ReturnType<typeof deployment>[] {
  const web = deployment("web", { containers: [bare()] });
  const rs = ownedBy(replicaSet("web-7d9f", { labels: { app: "web" }, containers: [bare()] }), web);
  const p = pod("web-7d9f-a", { owner: rs, labels: { app: "web" }, containers: [withRequests({ cpu: "100m" })] });
  return [web, rs, p] as ReturnType<typeof deployment>[];
}

testRule(hpaMisconfigured, [
  {
    name: "the target does not exist (Deployments are in the snapshot)",
    objects: [ghost, deployment("web")],
    want: [
      {
        id: "hpa.misconfigured",
        category: "HPAMisconfigured",
        object: ref("HorizontalPodAutoscaler", "api"),
        severity: "medium",
        confidence: 0.95,
        summary: "HorizontalPodAutoscaler api scales Deployment/ghost, which does not exist: it does nothing.",
        evidence: evidenceWith("spec.scaleTargetRef: Deployment/ghost; minReplicas=2 maxReplicas=10; metrics: cpu 70%"),
        remediation: { action: "hpa", tier: "medium", summary: expect.stringContaining("Point spec.scaleTargetRef") },
        runbook: "runbooks/hpamisconfigured.md",
      },
    ],
  },
  {
    name: "the controller says the target is not found (no Deployment in the snapshot)",
    objects: [gone, event(gone, "FailedGetScale", 'deployments/scale.apps "gone" not found', { last: ago(MIN), count: 120 })],
    want: [{ summary: expect.stringContaining("scales Deployment/gone, which does not exist"), evidence: evidenceWith('status.conditions[AbleToScale]: False reason=FailedGetScale message="the HPA controller was unable to get', "FailedGetScale x120"), since: ago(40 * MIN) }],
  },
  { name: "a missing target when the snapshot holds no such kind and no condition says so: none", objects: [hpa("lonely", { noStatus: true })], want: [] },
  {
    name: "AbleToScale=False for another reason",
    objects: [forbidden, deployment("cart", { containers: [withRequests({ cpu: "100m" })] })],
    want: [{ confidence: 0.9, summary: "HorizontalPodAutoscaler cart cannot change the scale of Deployment/cart (FailedUpdateScale): it does not scale.", since: ago(20 * MIN), remediation: { action: "hpa" } }],
  },
  {
    name: "ScalingActive=False: missing cpu request, confirmed by the controller",
    objects: [noRequest, deployment("api", { containers: [bare(), withRequests({ cpu: "50m" }, "proxy")] })],
    want: [
      {
        confidence: 0.95,
        summary: "HorizontalPodAutoscaler api scales on cpu utilisation, but container app of Deployment/api sets no cpu request: it cannot compute a percentage and does not scale.",
        evidence: evidenceWith("status.conditions[ScalingActive]: False reason=FailedGetResourceMetric", "Deployment/api spec.template.spec.containers[app].resources.requests.cpu: not set"),
        since: ago(30 * MIN),
        remediation: { action: "resources", tier: "medium", summary: expect.stringContaining("Deployment/api") },
      },
    ],
  },
  {
    name: "no metrics for 10 minutes: the metrics API",
    objects: [blind, deployment("cart", { containers: [withRequests({ cpu: "100m" })] })],
    want: [{ confidence: 0.85, summary: "HorizontalPodAutoscaler cart has no metric to scale on (FailedGetResourceMetric): it does not scale.", remediation: { action: "hpa", summary: expect.stringContaining("metrics-server") } }],
  },
  { name: "no metrics for one minute (new pods): none", objects: [starting, deployment("cart", { containers: [withRequests({ cpu: "100m" })] })], want: [] },
  {
    name: "a manifest (no status) scaling on cpu without requests",
    objects: [hpa("web", { noStatus: true }), deployment("web", { containers: [bare()] })],
    want: [{ confidence: 0.8, summary: expect.stringContaining("scales on cpu utilisation, but container app of Deployment/web sets no cpu request") }],
  },
  {
    name: "memory utilisation with only a cpu request",
    objects: [hpa("web", { noStatus: true, metrics: memory }), deployment("web", { containers: [withRequests({ cpu: "100m" })] })],
    want: [{ summary: expect.stringContaining("scales on memory utilisation") }],
  },
  {
    name: "a ContainerResource metric needs the request of its container only",
    objects: [hpa("web", { noStatus: true, metrics: sidecarMetric }), deployment("web", { containers: [bare(), withRequests({ cpu: "100m" }, "sidecar")] })],
    want: [{ summary: expect.stringContaining("container app of Deployment/web sets no cpu request") }],
  },
  { name: "a ContainerResource metric whose container has its request: none", objects: [hpa("web", { noStatus: true, metrics: sidecarMetric }), deployment("web", { containers: [withRequests({ cpu: "100m" }), bare("sidecar")] })], want: [] },
  { name: "no request in the template, but the pods have one (LimitRange default): none", objects: [hpa("web", { noStatus: true }), ...limitRangeDefaulted()], want: [] },
  { name: "no request in the template, but the controller computes utilisation: none", objects: [hpa("web"), deployment("web", { containers: [bare()] })], want: [] },
  { name: "an AverageValue target needs no request: none", objects: [hpa("web", { noStatus: true, metrics: averageValue }), deployment("web", { containers: [bare()] })], want: [] },
  { name: "scaling disabled on a target scaled to 0: none", objects: [hpa("off", { conditions: [cond("AbleToScale", "True"), cond("ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")] }), deployment("off", { replicas: 0, containers: [bare()] })], want: [] },
  {
    name: "pinned at maxReplicas is HPALimited, not this: none",
    objects: [hpa("busy", { conditions: [...ok(), cond("ScalingLimited", "True", "TooManyReplicas", "the desired replica count is more than the maximum replica count")] }), deployment("busy", { containers: [withRequests({ cpu: "100m" })] })],
    want: [],
  },
  { name: "healthy, with requests: none", objects: [hpa("web"), deployment("web", { containers: [withRequests({ cpu: "100m", memory: "128Mi" })] })], want: [] },
]);
