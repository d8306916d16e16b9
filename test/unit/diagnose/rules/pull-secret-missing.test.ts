import { expect } from "vitest";
import { pullSecretMissing } from "../../../../src/diagnose/rules/pull-secret-missing.ts";
import { deployment, event, evidenceWith, pod, podRef, ref, replicaSet, testRule, waiting } from "../../../helpers/objects.ts";
import { serviceAccount, typedSecret } from "../../../helpers/workload-objects.ts";

const web = deployment("web");
const rs = replicaSet("web-7d9f", { owner: web, labels: { app: "web" } });
const withSecrets = (name: string, secrets: string[], extra: Parameters<typeof pod>[1] = {}) => pod(name, { owner: rs, labels: { app: "web" }, spec: { imagePullSecrets: secrets.map((n) => ({ name: n })) }, ...extra });
const pulling = withSecrets("web-7d9f-a", ["regcred"], { phase: "Pending", statuses: [waiting("app", "ImagePullBackOff", { message: "Back-off pulling image" })] });
const fine = withSecrets("web-7d9f-b", ["regcred"]);
const retrieve = event(pulling, "FailedToRetrieveImagePullSecret", 'Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.');
const bare = pod("tool", { spec: { imagePullSecrets: [{ name: "regcred" }] } });

testRule(pullSecretMissing, [
  {
    name: "a missing pull Secret while the pull fails: high, about the Deployment",
    objects: [web, rs, pulling, retrieve, typedSecret("other")],
    want: [
      {
        id: "pod.pull-secret-missing",
        category: "PullSecretMissing",
        object: ref("Deployment", "web"),
        severity: "high",
        confidence: 0.9,
        summary: "The image pull Secret(s) of Deployment/web cannot be used: Secret regcred does not exist; its image pull fails.",
        evidence: evidenceWith("pod web-7d9f-a spec.imagePullSecrets: regcred: no Secret shop/regcred", "container app: waiting ImagePullBackOff", "event Warning FailedToRetrieveImagePullSecret"),
        remediation: { action: "secret", tier: "critical", summary: expect.stringContaining("Create registry Secret regcred in namespace shop") },
      },
    ],
  },
  { name: "a missing pull Secret on a pod that runs (a public image): low", objects: [web, rs, fine, typedSecret("other")], want: [{ severity: "low", summary: expect.stringContaining("images that need them will not pull") }] },
  {
    name: "a pull Secret of type Opaque: the kubelet does not read it",
    objects: [bare, typedSecret("regcred", "Opaque")],
    want: [{ object: podRef("tool"), summary: "The image pull Secret(s) of Pod/tool cannot be used: Secret regcred is of type Opaque, not a registry credential; images that need them will not pull.", evidence: evidenceWith("Secret type Opaque (the kubelet reads only kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg)") }],
  },
  {
    name: "the ServiceAccount's pull Secret is missing",
    objects: [pod("job-x", { spec: { serviceAccountName: "builder" } }), serviceAccount("builder", ["builder-registry"]), typedSecret("other")],
    want: [{ evidence: evidenceWith("pod job-x ServiceAccount builder imagePullSecrets: builder-registry: no Secret shop/builder-registry"), remediation: { summary: expect.stringContaining("(ServiceAccount builder imagePullSecrets)") } }],
  },
  { name: "the pull Secret exists with a registry type: none", objects: [bare, typedSecret("regcred")], want: [] },
  { name: "a legacy dockercfg Secret: none", objects: [bare, typedSecret("regcred", "kubernetes.io/dockercfg")], want: [] },
  // Only a snapshot holding Secrets of the namespace can prove one absent.
  { name: "no Secret in the snapshot (live diagnosis): none", objects: [web, rs, pulling], want: [] },
  { name: "Secrets of another namespace only: none", objects: [bare, { ...typedSecret("regcred"), metadata: { ...typedSecret("regcred").metadata, namespace: "other" } }], want: [] },
  { name: "no pull Secrets referenced: none", objects: [pod("plain"), typedSecret("other")], want: [] },
]);
