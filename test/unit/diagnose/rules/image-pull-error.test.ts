import { expect } from "vitest";
import { imagePullError } from "../../../../src/diagnose/rules/image-pull-error.ts";
import type { KubeObject } from "../../../../src/model/k8s.ts";
import { ago, event, evidenceWith, MIN, pod, podRef, secret, testRule, waiting } from "../../../helpers/objects.ts";

const backingOff = (name: string, image: string, pullSecrets?: string[]) =>
  pod(name, {
    phase: "Pending",
    containers: [{ name: "app", image }],
    statuses: [waiting("app", "ImagePullBackOff", { message: `Back-off pulling image "${image}"` })],
    ...(pullSecrets === undefined ? {} : { spec: { imagePullSecrets: pullSecrets.map((n) => ({ name: n })) } }),
  });
const failed = (p: KubeObject, message: string) => event(p, "Failed", message, { container: "app", first: ago(12 * MIN), last: ago(MIN), count: 6 });

const typo = backingOff("api-1", "shop/app:1.0x");
const denied = "Failed to pull image \"registry.example.com/shop/app:1.0\": rpc error: code = Unknown desc = failed to pull and unpack image: failed to resolve reference: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed";
const noSecrets = backingOff("api-2", "registry.example.com/shop/app:1.0");
const absentSecret = backingOff("api-3", "registry.example.com/shop/app:1.0", ["regcred"]);
const presentSecret = backingOff("api-4", "registry.example.com/shop/app:1.0", ["regcred"]);
const dns = backingOff("api-5", "regsitry.example.com/shop/app:1.0");
const initPull = pod("api-6", {
  phase: "Pending",
  initContainers: [{ name: "init", image: "busybox:nope" }],
  initStatuses: [waiting("init", "ErrImagePull", { message: "rpc error: code = NotFound desc = busybox:nope: not found" })],
  statuses: [waiting("app", "PodInitializing")],
});

testRule(imagePullError, [
  {
    name: "a tag that does not exist: fix the image",
    objects: [typo, failed(typo, 'Failed to pull image "shop/app:1.0x": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/shop/app:1.0x": failed to resolve reference "docker.io/shop/app:1.0x": docker.io/shop/app:1.0x: not found')],
    want: [
      {
        id: "pod.image-pull-error",
        category: "ImagePullError",
        object: podRef("api-1"),
        container: "app",
        severity: "critical",
        confidence: 0.95,
        summary: "Image shop/app:1.0x of container app cannot be pulled: the image or tag does not exist.",
        evidence: evidenceWith("state.waiting: reason=ImagePullBackOff", "image: shop/app:1.0x", "event Warning Failed x6"),
        since: ago(12 * MIN),
        remediation: { action: "image", tier: "medium" },
      },
    ],
  },
  {
    name: "access denied and no imagePullSecrets: missing pull secret",
    objects: [noSecrets, failed(noSecrets, denied)],
    want: [{ summary: expect.stringContaining("no usable image pull Secret"), evidence: evidenceWith("spec.imagePullSecrets: empty"), remediation: { action: "secret", tier: "critical" } }],
  },
  {
    name: "the referenced pull secret is absent from a snapshot holding Secrets",
    objects: [absentSecret, failed(absentSecret, "Failed to pull image: 401 Unauthorized"), secret("other")],
    want: [{ evidence: evidenceWith("Secret regcred not found in namespace shop"), remediation: { action: "secret", tier: "critical", summary: expect.stringContaining("Create or reference") } }],
  },
  {
    name: "the pull secret exists: its credentials are wrong",
    objects: [presentSecret, failed(presentSecret, "Failed to pull image: unauthorized: authentication required"), secret("regcred")],
    want: [{ summary: expect.stringContaining("wrong credentials"), remediation: { action: "secret", summary: expect.stringContaining("Check the credentials") } }],
  },
  {
    name: "a registry host that does not resolve",
    objects: [dns, failed(dns, 'Failed to pull image "regsitry.example.com/shop/app:1.0": dial tcp: lookup regsitry.example.com on 10.96.0.10:53: no such host')],
    want: [{ summary: expect.stringContaining("does not resolve"), remediation: { action: "investigate", tier: "trivial" } }],
  },
  {
    name: "an invalid image name needs no event",
    objects: [pod("api-7", { phase: "Pending", containers: [{ name: "app", image: "Shop/App:latest" }], statuses: [waiting("app", "InvalidImageName", { message: "Failed to apply default image tag" })] })],
    want: [{ confidence: 0.95, summary: expect.stringContaining("invalid"), since: ago(2 * 24 * 3600), remediation: { action: "image" } }],
  },
  {
    name: "an init container's pull failure, waiting message only",
    objects: [initPull],
    want: [{ container: "init", confidence: 0.8, evidence: evidenceWith("status.initContainerStatuses[init].state.waiting: reason=ErrImagePull"), remediation: { action: "image" } }],
  },
  { name: "a running pod: none", objects: [pod("api-8")], want: [] },
]);
