import type { KubeObject, Pod } from "../../model/k8s.ts";
import { allContainerStatuses, describeEvent, eventsWith, makeFinding, remediate, workloadOf } from "../finding.ts";
import type { Rule } from "../types.ts";
import { isTerminating } from "./shared.ts";

type ServiceAccount = KubeObject & { imagePullSecrets?: { name: string }[] };
type Secret = KubeObject & { type?: string };

/** The only Secret types the kubelet reads registry credentials from. */
const PULL_SECRET_TYPES = ["kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"];
const PULLING = ["ErrImagePull", "ImagePullBackOff"];

/**
 * A pod whose image pull Secrets (spec.imagePullSecrets, or its ServiceAccount's) name a Secret
 * absent from the namespace, or one of a type the kubelet does not read credentials from. The
 * kubelet then pulls without those credentials: a public image still works, a private one fails.
 * Pull Secrets come from the pod template, so the finding is about the workload, once.
 *
 * Only a snapshot that holds Secrets of the pod's namespace can prove one absent: live diagnosis
 * does not list Secrets, so there this rule says nothing.
 */
export const pullSecretMissing: Rule = {
  id: "pod.pull-secret-missing",
  category: "PullSecretMissing",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    const namespace = pod.metadata.namespace;
    if (isTerminating(pod) || ctx.all("Secret", namespace).length === 0) return [];
    const refs = names(pod.spec.imagePullSecrets).map((name) => ({ name, from: "spec.imagePullSecrets" }));
    const accountName = pod.spec.serviceAccountName ?? "default";
    const account = ctx.get<ServiceAccount>("ServiceAccount", namespace, accountName);
    for (const name of names(account?.imagePullSecrets)) {
      if (!refs.some((r) => r.name === name)) refs.push({ name, from: `ServiceAccount ${accountName} imagePullSecrets` });
    }
    const problems = refs.flatMap((ref) => {
      const secret = ctx.get<Secret>("Secret", namespace, ref.name);
      if (secret === undefined) return [{ ...ref, text: `Secret ${ref.name} does not exist`, line: `${ref.from}: ${ref.name}: no Secret ${namespace ?? "-"}/${ref.name}` }];
      if (typeof secret.type === "string" && !PULL_SECRET_TYPES.includes(secret.type)) {
        return [{ ...ref, text: `Secret ${ref.name} is of type ${secret.type}, not a registry credential`, line: `${ref.from}: ${ref.name}: Secret type ${secret.type} (the kubelet reads only ${PULL_SECRET_TYPES.join(" and ")})` }];
      }
      return [];
    });
    if (problems.length === 0) return [];

    const pulling = allContainerStatuses(pod).filter(({ status }) => PULLING.includes(status.state?.waiting?.reason ?? ""));
    const evidence = problems.map((p) => `pod ${pod.metadata.name} ${p.line}`);
    for (const { status } of pulling) evidence.push(`container ${status.name}: waiting ${status.state?.waiting?.reason ?? "-"}`);
    const retrieve = eventsWith(ctx, pod, ["FailedToRetrieveImagePullSecret"]);
    const lastRetrieve = retrieve[retrieve.length - 1];
    if (lastRetrieve !== undefined) evidence.push(describeEvent(lastRetrieve));

    const workload = workloadOf(pod, ctx);
    const target = `${workload.kind}/${workload.metadata.name}`;
    return [
      makeFinding(pullSecretMissing, {
        object: workload,
        // The missing credentials are the likely cause of a pull that fails; otherwise the image is public.
        severity: pulling.length > 0 ? "high" : "low",
        confidence: 0.9,
        summary: `The image pull Secret(s) of ${target} cannot be used: ${problems.map((p) => p.text).join("; ")}${pulling.length > 0 ? "; its image pull fails" : "; images that need them will not pull"}.`,
        evidence,
        remediation: remediate(
          ctx,
          "secret",
          `Create registry Secret ${problems[0]?.name ?? "-"} in namespace ${namespace ?? "-"} with kubectl create secret docker-registry, or fix the reference (${problems[0]?.from ?? "spec.imagePullSecrets"}) of ${target}.`,
          workload,
        ),
      }),
    ];
  },
};

function names(refs: unknown): string[] {
  return Array.isArray(refs) ? refs.flatMap((r: { name?: unknown }) => (typeof r?.name === "string" && r.name !== "" ? [r.name] : [])) : [];
}
