import type { ContainerStatus, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { allContainerStatuses, describeEvent, eventsWith, firstSeen, forContainer, makeFinding, oneLine, remediate, statusPath, truncate, workloadOf } from "../finding.ts";
import type { Finding, Rule } from "../types.ts";
import { containerSpec, isTerminating } from "./shared.ts";

const PULL_REASONS = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"];

type PullCause = "not-found" | "auth" | "rate-limit" | "dns" | "network" | "invalid" | "never-pull" | "unknown";

/**
 * An image the kubelet cannot pull. The `Failed` events say why, and the why decides the fix:
 * a wrong tag (fix the image), missing credentials (a pull Secret, critical tier), or a registry
 * the node cannot reach.
 */
export const imagePullError: Rule = {
  id: "pod.image-pull-error",
  category: "ImagePullError",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod)) return [];
    return allContainerStatuses(pod)
      .filter(({ status }) => PULL_REASONS.includes(status.state?.waiting?.reason ?? ""))
      .map(({ status, init }) => evaluateContainer(pod, status, init, ctx));
  },
};

function evaluateContainer(pod: Pod, status: ContainerStatus, init: boolean, ctx: RuleContext): Finding {
  const reason = status.state?.waiting?.reason ?? "";
  const message = status.state?.waiting?.message ?? "";
  const image = containerSpec(pod, status.name)?.spec.image ?? status.image ?? "-";
  const failed = forContainer(eventsWith(ctx, pod, ["Failed"], /image|pull/i), status.name);
  const lastFailed = failed[failed.length - 1];
  const cause = reason === "InvalidImageName" ? "invalid" : reason === "ErrImageNeverPull" ? "never-pull" : causeOf(`${lastFailed?.message ?? ""} ${message}`);

  const evidence = [`${statusPath(status, init)}.state.waiting: reason=${reason}${message === "" ? "" : ` message="${truncate(oneLine(message), 200)}"`}`, `image: ${image}`];
  if (lastFailed !== undefined) evidence.push(describeEvent(lastFailed));
  const missingSecret = cause === "auth" ? missingPullSecret(pod, ctx) : undefined;
  if (missingSecret !== undefined) evidence.push(missingSecret);

  const workload = workloadOf(pod, ctx);
  const target = `${workload.kind}/${workload.metadata.name}`;
  const credentials = cause === "auth" || cause === "rate-limit";
  const remediation = credentials
    ? remediate(ctx, "secret", `${missingSecret === undefined ? "Check the credentials of" : "Create or reference"} an image pull Secret for the registry of ${image} (spec.imagePullSecrets of ${target} or its ServiceAccount); if the repository name is wrong, fix the image instead.`, workload)
    : cause === "dns" || cause === "network"
      ? remediate(ctx, "investigate", `Check that the registry of ${image} is spelled right and reachable from node ${pod.spec.nodeName ?? "-"} (DNS, proxy, firewall).`, workload)
      : remediate(ctx, "image", `Fix the image of ${status.name} in ${target}: ${image} ${cause === "never-pull" ? "is not on the node and imagePullPolicy is Never" : "does not exist in the registry"}.`, workload);

  return makeFinding(imagePullError, {
    object: pod,
    container: status.name,
    severity: "critical",
    confidence: lastFailed !== undefined || cause === "invalid" || cause === "never-pull" ? 0.95 : 0.8,
    summary: `Image ${image} of container ${status.name} cannot be pulled: ${describeCause(cause, missingSecret !== undefined)}.`,
    evidence,
    since: firstSeen(failed) || pod.status?.startTime,
    remediation,
  });
}

function causeOf(message: string): PullCause {
  if (/toomanyrequests|rate limit/i.test(message)) return "rate-limit";
  // Docker Hub answers "pull access denied ... may require authorization" both for a private
  // repository and for one that does not exist; the missing-Secret check tells them apart.
  if (/unauthorized|authentication required|pull access denied|denied|forbidden|403|401|authorization failed|no basic auth credentials/i.test(message)) return "auth";
  if (/not found|manifest unknown|NotFound/i.test(message)) return "not-found";
  if (/no such host|server misbehaving/i.test(message)) return "dns";
  if (/timeout|timed out|connection refused|network is unreachable|TLS handshake|x509/i.test(message)) return "network";
  return "unknown";
}

function describeCause(cause: PullCause, missingSecret: boolean): string {
  switch (cause) {
    case "not-found":
      return "the image or tag does not exist";
    case "auth":
      return missingSecret ? "the registry refuses access and the pod has no usable image pull Secret" : "the registry refuses access (wrong credentials, or the repository does not exist)";
    case "rate-limit":
      return "the registry's pull rate limit is exhausted (anonymous pulls are throttled: add credentials or a mirror)";
    case "dns":
      return "the registry host does not resolve";
    case "network":
      return "the registry is unreachable (timeout, TLS or connection refused)";
    case "invalid":
      return "the image name is invalid";
    case "never-pull":
      return "imagePullPolicy is Never and the image is not on the node";
    case "unknown":
      return "the pull fails (see the events)";
  }
}

/** Says when no pull Secret can be used: none referenced, or the referenced one is not there. */
function missingPullSecret(pod: Pod, ctx: RuleContext): string | undefined {
  const names = (pod.spec.imagePullSecrets ?? []).map((s) => s.name);
  if (names.length === 0) return "spec.imagePullSecrets: empty (no registry credentials)";
  // Only a snapshot that holds Secrets can prove one absent.
  if (!ctx.has("Secret")) return undefined;
  const absent = names.filter((name) => ctx.get("Secret", pod.metadata.namespace, name) === undefined);
  return absent.length === 0 ? undefined : `spec.imagePullSecrets: ${absent.map((n) => `Secret ${n} not found in namespace ${pod.metadata.namespace ?? "-"}`).join(", ")}`;
}
