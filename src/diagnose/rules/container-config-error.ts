import type { ContainerStatus, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { allContainerStatuses, describeEvent, eventsWith, firstSeen, forContainer, makeFinding, oneLine, remediate, statusPath, truncate, workloadOf } from "../finding.ts";
import type { Finding, Rule } from "../types.ts";
import { containerSpec, isTerminating, parseMissing, type Missing } from "./shared.ts";

/**
 * A container the kubelet cannot even configure: a Secret, ConfigMap or key it references is
 * missing. The waiting message names the object; the finding also says where the spec uses it.
 */
export const containerConfigError: Rule = {
  id: "pod.container-config-error",
  category: "ContainerConfigError",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod)) return [];
    return allContainerStatuses(pod)
      .filter(({ status }) => status.state?.waiting?.reason === "CreateContainerConfigError")
      .map(({ status, init }) => evaluateContainer(pod, status, init, ctx));
  },
};

function evaluateContainer(pod: Pod, status: ContainerStatus, init: boolean, ctx: RuleContext): Finding {
  const message = status.state?.waiting?.message ?? "";
  const events = forContainer(eventsWith(ctx, pod, ["Failed"], /secret|configmap|key|runAsNonRoot|Error/i), status.name);
  const lastEvent = events[events.length - 1];
  const missing = parseMissing(message) ?? parseMissing(lastEvent?.message ?? "");

  const evidence = [`${statusPath(status, init)}.state.waiting: reason=CreateContainerConfigError message="${truncate(oneLine(message), 200)}"`];
  if (missing !== undefined) {
    evidence.push(...referencesTo(pod, status.name, missing));
    if (ctx.has(missing.kind)) evidence.push(`${missing.kind} ${pod.metadata.namespace ?? "-"}/${missing.name}: ${ctx.get(missing.kind, pod.metadata.namespace, missing.name) === undefined ? "absent from the snapshot" : "present"}`);
  }
  if (lastEvent !== undefined) evidence.push(describeEvent(lastEvent));

  const workload = workloadOf(pod, ctx);
  const what = missing === undefined ? undefined : missing.key === undefined ? `${missing.kind} ${missing.name} does not exist` : `key ${missing.key} is missing from ${missing.kind} ${missing.name}`;
  const remediation =
    missing === undefined
      ? remediate(ctx, "config", `Fix the container configuration of ${status.name} in ${workload.kind}/${workload.metadata.name} named by the message above.`, workload)
      : remediate(
          ctx,
          missing.kind === "Secret" ? "secret" : "config",
          `Create ${missing.kind} ${missing.name}${missing.key === undefined ? "" : ` with key ${missing.key}`} in namespace ${pod.metadata.namespace ?? "-"}, or fix the reference in ${workload.kind}/${workload.metadata.name}.`,
          workload,
        );

  return makeFinding(containerConfigError, {
    object: pod,
    container: status.name,
    severity: "critical",
    confidence: missing === undefined ? 0.8 : 0.95,
    summary: `Container ${status.name} cannot start: ${what ?? truncate(oneLine(message), 160)}.`,
    evidence,
    since: firstSeen(events) || pod.status?.startTime,
    remediation,
  });
}

/** Where the container uses the missing object: env vars, envFrom, volumes. */
function referencesTo(pod: Pod, container: string, missing: Missing): string[] {
  const found = containerSpec(pod, container);
  if (found === undefined) return [];
  const { spec, path } = found;
  const lines: string[] = [];
  for (const env of spec.env ?? []) {
    const ref = missing.kind === "Secret" ? env.valueFrom?.secretKeyRef : env.valueFrom?.configMapKeyRef;
    if (ref?.name === missing.name && (missing.key === undefined || ref.key === missing.key)) lines.push(`${path}.env[${env.name}]: from ${missing.kind} ${ref.name} key ${ref.key}`);
  }
  for (const from of spec.envFrom ?? []) {
    const ref = missing.kind === "Secret" ? from.secretRef : from.configMapRef;
    if (ref?.name === missing.name) lines.push(`${path}.envFrom: ${missing.kind} ${ref.name}`);
  }
  for (const volume of pod.spec.volumes ?? []) {
    const name = missing.kind === "Secret" ? volume.secret?.secretName : volume.configMap?.name;
    if (name === missing.name) lines.push(`spec.volumes[${volume.name}]: ${missing.kind} ${name}`);
  }
  return lines;
}
