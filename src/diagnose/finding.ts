import type { Condition, ContainerStateTerminated, ContainerStatus, KubeEvent, KubeObject, Pod } from "../model/k8s.ts";
import { classifyAction, type ActionInput, type ActionType } from "../policy/tiers.ts";
import { eventFirstTime, eventTime, type RuleContext } from "./context.ts";
import type { Category, Finding, ObjectRef, Remediation, Rule, Severity } from "./types.ts";

/** Path of the runbook for a category, relative to the project root, e.g. `runbooks/oomkilled.md` (docs/cli.md). */
export function runbookPath(category: Category): string {
  return `runbooks/${category.toLowerCase()}.md`;
}

export function refOf(object: KubeObject): ObjectRef {
  const namespace = object.metadata.namespace;
  return namespace === undefined ? { kind: object.kind ?? "Unknown", name: object.metadata.name } : { kind: object.kind ?? "Unknown", namespace, name: object.metadata.name };
}

export interface FindingInput {
  object: KubeObject;
  severity: Severity;
  confidence: number;
  summary: string;
  evidence: string[];
  container?: string;
  since?: string | number;
  remediation: Remediation;
}

/** Builds a finding of a rule, filling id, category and runbook from the rule. */
export function makeFinding(rule: Pick<Rule, "id" | "category">, input: FindingInput): Finding {
  const finding: Finding = {
    id: rule.id,
    category: rule.category,
    severity: input.severity,
    confidence: Math.round(input.confidence * 100) / 100,
    object: refOf(input.object),
    summary: input.summary,
    evidence: input.evidence,
    remediation: input.remediation,
    runbook: runbookPath(rule.category),
  };
  if (input.container !== undefined) finding.container = input.container;
  const since = typeof input.since === "number" ? (input.since > 0 ? new Date(input.since).toISOString() : undefined) : input.since;
  if (since !== undefined) finding.since = since;
  return finding;
}

/**
 * A remediation whose tier is the pure classification of docs/policy.md for the action on
 * `target` (the object the change would touch: usually the pod's controller).
 */
export function remediate(ctx: RuleContext, type: ActionType, summary: string, target: KubeObject, extra: Partial<ActionInput> = {}): Remediation {
  const action: ActionInput = { type, targetKind: target.kind ?? "", ...extra };
  if (target.metadata.namespace !== undefined) action.namespace = target.metadata.namespace;
  return { action: type, summary, tier: classifyAction(action, ctx.tierPolicy) };
}

/** The object a fix to a pod's template would change: its top controller, or the pod itself. */
export function workloadOf(pod: KubeObject, ctx: RuleContext): KubeObject {
  const chain = ctx.ownerChain(pod);
  return chain[chain.length - 1] ?? pod;
}

/** One evidence line for an event: `event Warning BackOff x12 (last 2026-...): message`. */
export function describeEvent(event: KubeEvent): string {
  const count = event.series?.count ?? event.count;
  const last = eventTime(event);
  const parts = [`event ${event.type ?? "Normal"} ${event.reason ?? ""}`.trimEnd()];
  if (count !== undefined && count > 1) parts.push(`x${count}`);
  if (last > 0) parts.push(`(last ${new Date(last).toISOString()})`);
  return `${parts.join(" ")}: ${truncate(oneLine(event.message ?? ""), 300)}`;
}

export function describeTermination(path: string, t: ContainerStateTerminated): string {
  const parts = [`reason=${t.reason ?? "-"}`, `exitCode=${t.exitCode}`];
  if (t.signal !== undefined) parts.push(`signal=${t.signal}`);
  if (t.startedAt !== undefined) parts.push(`startedAt=${t.startedAt}`);
  if (t.finishedAt !== undefined) parts.push(`finishedAt=${t.finishedAt}`);
  const message = t.message === undefined || t.message === "" ? "" : ` message="${truncate(oneLine(t.message), 200)}"`;
  return `${path}: ${parts.join(" ")}${message}`;
}

/** `status.conditions[Ready]: False reason=X message="..." (since T)`. */
export function describeCondition(condition: Condition, path = "status.conditions"): string {
  const parts = [`${path}[${condition.type}]: ${condition.status}`];
  if (condition.reason !== undefined) parts.push(`reason=${condition.reason}`);
  if (condition.message !== undefined && condition.message !== "") parts.push(`message="${truncate(oneLine(condition.message), 240)}"`);
  const since = condition.lastTransitionTime ?? condition.lastUpdateTime;
  if (since !== undefined) parts.push(`(since ${since})`);
  return parts.join(" ");
}

/** `status.containerStatuses[api]` or `status.initContainerStatuses[init]`. */
export function statusPath(status: ContainerStatus, init = false): string {
  return `status.${init ? "initContainerStatuses" : "containerStatuses"}[${status.name}]`;
}

/** Events matching a reason (and optionally a message pattern), oldest first. */
export function eventsWith(ctx: RuleContext, object: KubeObject, reasons: readonly string[], message?: RegExp): KubeEvent[] {
  return ctx.eventsFor(object).filter((e) => reasons.includes(e.reason ?? "") && (message === undefined || message.test(e.message ?? "")));
}

/** The earliest first-seen time among events, or 0. */
export function firstSeen(events: readonly KubeEvent[]): number {
  const times = events.map(eventFirstTime).filter((t) => t > 0);
  return times.length === 0 ? 0 : Math.min(...times);
}

/** Events that name a container by fieldPath `spec.containers{name}` (or mention no container). */
export function forContainer(events: readonly KubeEvent[], container: string): KubeEvent[] {
  return events.filter((e) => {
    const path = e.involvedObject.fieldPath;
    return path === undefined || path === "" || path.includes(`{${container}}`);
  });
}

/** Every container status of a pod, init containers first, each marked whether it is one. */
export function allContainerStatuses(pod: Pod): { status: ContainerStatus; init: boolean }[] {
  return [
    ...(pod.status?.initContainerStatuses ?? []).map((status) => ({ status, init: true })),
    ...(pod.status?.containerStatuses ?? []).map((status) => ({ status, init: false })),
  ];
}

export function containerStatuses(pod: Pod): ContainerStatus[] {
  return pod.status?.containerStatuses ?? [];
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
