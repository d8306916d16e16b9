import { expect } from "vitest";
import { stuckContainerCreating } from "../../../../src/diagnose/rules/stuck-container-creating.ts";
import type { KubeObject } from "../../../../src/model/k8s.ts";
import { ago, event, evidenceWith, MIN, pod, podRef, testRule, waiting } from "../../../helpers/objects.ts";

const creating = (name: string, created = ago(12 * MIN)) => pod(name, { phase: "Pending", created, statuses: [waiting("app", "ContainerCreating")] });
const failure = (p: KubeObject, reason: string, message: string) => event(p, reason, message, { first: ago(11 * MIN), last: ago(MIN), count: 7 });

const noConfigMap = creating("api-1");
const multiAttach = creating("db-0");
const sandbox = creating("api-2");
const quiet = creating("api-3");
const young = creating("api-4", ago(2 * MIN));

testRule(stuckContainerCreating, [
  {
    name: "a volume's ConfigMap does not exist",
    objects: [noConfigMap, failure(noConfigMap, "FailedMount", 'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found')],
    want: [
      {
        id: "pod.stuck-container-creating",
        category: "StuckContainerCreating",
        object: podRef("api-1"),
        severity: "critical",
        confidence: 0.9,
        summary: "Pod api-1 is stuck creating its containers: volume source ConfigMap app-config does not exist.",
        evidence: evidenceWith("app: waiting ContainerCreating for 12 min", "FailedMount x7"),
        since: ago(11 * MIN),
        remediation: { action: "config", tier: "medium" },
      },
    ],
  },
  {
    name: "a volume still attached to another node",
    objects: [multiAttach, failure(multiAttach, "FailedAttachVolume", 'Multi-Attach error for volume "pvc-0a1b" Volume is already exclusively attached to one node and can\'t be attached to another')],
    want: [{ summary: expect.stringContaining("volume pvc-0a1b is still attached to another node"), remediation: { action: "storage", tier: "critical" } }],
  },
  {
    name: "the pod sandbox cannot be created",
    objects: [sandbox, failure(sandbox, "FailedCreatePodSandBox", 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "abc": plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized')],
    want: [{ summary: expect.stringContaining("CNI/network plugin"), remediation: { action: "node", tier: "critical" } }],
  },
  { name: "slow but no failure event: none", objects: [quiet, event(quiet, "Pulling", 'Pulling image "shop/app:1.0"', { type: "Normal" })], want: [] },
  { name: "failing for only two minutes: none", objects: [young, failure(young, "FailedMount", 'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found')], want: [] },
]);
