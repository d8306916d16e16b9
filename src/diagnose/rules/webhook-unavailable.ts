import type { Service } from "../../model/k8s.ts";
import type { Webhook, WebhookConfiguration } from "../../model/network.ts";
import type { RuleContext } from "../context.ts";
import type { Rule } from "../types.ts";
import { formatSelector, isEmptySelector } from "./labels.ts";
import { findingOfProblems, type Problem } from "./problems.ts";
import { describeEndpointState, describePorts, endpointState, listedIn, servicePort } from "./services.ts";
import { podIsReady, whyNotReady } from "./shared.ts";

/**
 * An admission webhook the API server cannot call: its Service does not exist, does not expose
 * the port, or has no ready endpoint. With failurePolicy Fail (the default of
 * admissionregistration.k8s.io/v1) every write it matches is refused: critical. With Ignore the
 * calls fail silently: the validation or mutation (a sidecar, a default) is skipped. A Service
 * is judged missing only when the input covers its namespace (a live diagnosis of another
 * namespace does not); readiness comes from its Endpoints/EndpointSlices, else its pods.
 */
export const webhookUnavailable: Rule = {
  id: "webhook.unavailable",
  category: "WebhookUnavailable",
  kinds: ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"],
  evaluate(object, ctx) {
    const config = object as WebhookConfiguration;
    const problems = (config.webhooks ?? []).map((w) => webhookProblem(config, w, ctx)).filter((p): p is Problem => p !== undefined);
    return findingOfProblems(webhookUnavailable, config, ctx, problems);
  },
};

function webhookProblem(config: WebhookConfiguration, webhook: Webhook, ctx: RuleContext): Problem | undefined {
  const ref = webhook.clientConfig.service;
  // A webhook called by URL runs outside the cluster: nothing in the input shows its state.
  if (ref === undefined) return undefined;
  const qualified = `${ref.namespace}/${ref.name}`;
  const port = ref.port ?? 443;
  const service = ctx.get<Service>("Service", ref.namespace, ref.name);
  let why: string;
  let evidence: string[];
  let confidence: number;
  if (service === undefined) {
    if (!listedIn(ctx, "Service", ref.namespace)) return undefined;
    why = `calls Service ${qualified}, which does not exist`;
    evidence = [`Service ${qualified}: not found`];
    confidence = 0.9;
  } else if (service.spec.type === "ExternalName") {
    return undefined;
  } else if (servicePort(service, { number: port }) === undefined) {
    why = `calls port ${port} of Service ${qualified}, which does not expose it`;
    evidence = [`Service ${qualified} spec.ports: ${describePorts(service)}`];
    confidence = 0.9;
  } else {
    const unready = unreadyEvidence(service, ctx);
    if (unready === undefined) return undefined;
    why = `calls Service ${qualified}, which has no ready endpoint`;
    ({ evidence, confidence } = unready);
  }

  const v1beta1 = (config.apiVersion ?? "").endsWith("/v1beta1");
  const policy = webhook.failurePolicy ?? (v1beta1 ? "Ignore" : "Fail");
  const blocking = policy === "Fail";
  const matched = describeMatch(webhook);
  const mutating = config.kind === "MutatingWebhookConfiguration";
  const consequence = blocking ? `every ${matched} is refused` : `${mutating ? "its mutations are" : "its checks are"} skipped silently for ${matched}`;
  return {
    severity: blocking ? "critical" : "medium",
    confidence,
    summary: `has webhook ${webhook.name} (failurePolicy ${policy}) that ${why}: ${consequence}`,
    evidence: [
      `webhooks[${webhook.name}].clientConfig.service: ${qualified} port ${port}${ref.path === undefined ? "" : ` path ${ref.path}`}`,
      `webhooks[${webhook.name}].failurePolicy: ${webhook.failurePolicy ?? `unset (${policy})`}`,
      `webhooks[${webhook.name}] matches: ${matched}`,
      ...evidence,
    ],
    action: service === undefined ? "config" : "investigate",
    fix:
      service === undefined
        ? `Restore Service ${qualified} (reinstall the webhook's owner), or delete ${config.kind ?? "the configuration"} ${config.metadata.name} if its owner is gone.`
        : `Bring the pods behind Service ${qualified} back to ready${blocking ? "; to unblock writes meanwhile, set failurePolicy Ignore on webhook " + webhook.name : ""}.`,
    ...(service === undefined ? {} : { target: service }),
  };
}

/** Why the Service has no ready endpoint, or undefined when it has one or the input cannot tell. */
function unreadyEvidence(service: Service, ctx: RuleContext): { evidence: string[]; confidence: number } | undefined {
  const state = endpointState(ctx, service);
  if (state !== undefined) return state.ready.length > 0 ? undefined : { evidence: [describeEndpointState(state)], confidence: 0.9 };
  if (!ctx.has("Pod") || isEmptySelector({ matchLabels: service.spec.selector ?? {} })) return undefined;
  const pods = ctx.podsOf(service);
  if (pods.some(podIsReady)) return undefined;
  const lines = pods.length === 0 ? [`spec.selector ${formatSelector({ matchLabels: service.spec.selector ?? {} })} matches no pod`] : pods.slice(0, 5).map((p) => `pod ${whyNotReady(p)}`);
  return { evidence: ["no Endpoints/EndpointSlice in the input: judged from the pods", ...lines], confidence: 0.8 };
}

/** `CREATE,UPDATE of configmaps in namespaces kubernetes.io/metadata.name=x`. */
function describeMatch(webhook: Webhook): string {
  const rules = (webhook.rules ?? []).map((r) => `${(r.operations ?? ["*"]).join(",")} of ${(r.resources ?? ["*"]).join(",")}`);
  const what = rules.length === 0 ? "matched request" : rules.join("; ");
  const scope: string[] = [];
  if (!isEmptySelector(webhook.namespaceSelector)) scope.push(`in namespaces ${formatSelector(webhook.namespaceSelector ?? {})}`);
  if (!isEmptySelector(webhook.objectSelector)) scope.push(`of objects ${formatSelector(webhook.objectSelector ?? {})}`);
  return [what, ...scope].join(" ");
}
