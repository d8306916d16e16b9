import { hpaLimited } from "../../../../src/diagnose/rules/hpa-limited.ts";
import { ago, cond, deployment, event, evidenceWith, hpa, MIN, ref, testRule } from "../../../helpers/objects.ts";

const ok = (since = ago(MIN)) => [cond("AbleToScale", "True", "ReadyForNewScale", undefined, since), cond("ScalingActive", "True", "ValidMetricFound", undefined, since)];
const atMax = hpa("web", { current: 10, desired: 10, max: 10, conditions: [...ok(), cond("ScalingLimited", "True", "TooManyReplicas", "the desired replica count is more than the maximum replica count", ago(25 * MIN))] });
const noRequest = hpa("api", {
  conditions: [cond("AbleToScale", "True", "SucceededGetScale"), cond("ScalingActive", "False", "FailedGetResourceMetric", 'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container "app" of Pod "api-1"', ago(30 * MIN))],
});
const blind = hpa("cart", { conditions: [cond("AbleToScale", "True", "SucceededGetScale"), cond("ScalingActive", "False", "FailedGetResourceMetric", "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API", ago(10 * MIN))] });
const noTarget = hpa("gone", { conditions: [cond("AbleToScale", "False", "FailedGetScale", 'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "gone" not found', ago(40 * MIN))] });

testRule(hpaLimited, [
  {
    name: "pinned at maxReplicas while wanting more",
    objects: [atMax],
    want: [
      {
        id: "hpa.limited",
        category: "HPALimited",
        object: ref("HorizontalPodAutoscaler", "web"),
        severity: "high",
        confidence: 0.9,
        summary: "HorizontalPodAutoscaler web is limited: it is at maxReplicas (10) and wants more.",
        evidence: evidenceWith("maxReplicas=10; status: currentReplicas=10", "status.conditions[ScalingLimited]: True reason=TooManyReplicas"),
        since: ago(25 * MIN),
        remediation: { action: "hpa", tier: "medium" },
      },
    ],
  },
  // An HPA that cannot scale at all is HPAMisconfigured (hpa-misconfigured.test.ts): one cause per HPA.
  { name: "no cpu request on the target: HPAMisconfigured, none here", objects: [noRequest, deployment("api"), event(noRequest, "FailedGetResourceMetric", "failed to get cpu utilization: missing request for cpu", { last: ago(MIN) })], want: [] },
  { name: "metrics unavailable: HPAMisconfigured, none here", objects: [blind], want: [] },
  { name: "the target cannot be scaled: HPAMisconfigured, none here", objects: [noTarget], want: [] },
  {
    name: "pinned at maxReplicas, but its target is gone: HPAMisconfigured, none here",
    objects: [hpa("stale", { target: "old", current: 10, desired: 10, max: 10, conditions: [cond("AbleToScale", "False", "FailedGetScale", 'deployments/scale.apps "old" not found'), cond("ScalingLimited", "True", "TooManyReplicas")] })],
    want: [],
  },
  { name: "at minReplicas (TooFewReplicas): none", objects: [hpa("low", { current: 2, min: 2, conditions: [...ok(), cond("ScalingLimited", "True", "TooFewReplicas")] })], want: [] },
  { name: "scaling disabled on a target scaled to 0: none", objects: [hpa("off", { current: 0, conditions: [cond("AbleToScale", "True"), cond("ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")] })], want: [] },
  { name: "within bounds: none", objects: [hpa("fine")], want: [] },
]);
