/**
 * Label sets and selectors in words, and the pod label sets closest to a selector that matches
 * nothing (a typo, a relabelled workload): shared by the rules that judge selectors.
 */
import type { LabelSelector, Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";

export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
}

/** `app=web,tier in (a,b),!canary`; `{}` for the empty selector, which selects everything. */
export function formatSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator} (${values})`);
  }
  return parts.length === 0 ? "{}" : parts.join(",");
}

export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
}

/**
 * Pod template labels of the namespace's workloads and CronJobs: the pods that may exist later
 * (a workload scaled to 0, a CronJob between runs), which a selector matching no pod now may
 * be meant for.
 */
export function podTemplateLabels(ctx: RuleContext, namespace: string | undefined): Record<string, string>[] {
  const labelsOf = (spec: unknown): Record<string, string> | undefined => (spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template?.metadata?.labels;
  const workloads = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].flatMap((kind) => ctx.all(kind, namespace)).map((w) => labelsOf(w.spec));
  const cronJobs = ctx.all("CronJob", namespace).map((c) => labelsOf((c.spec as { jobTemplate?: { spec?: unknown } } | undefined)?.jobTemplate?.spec));
  return [...workloads, ...cronJobs].filter((l): l is Record<string, string> => l !== undefined);
}

export interface Candidate {
  labels: Record<string, string>;
  pods: string[];
  differs: string[];
  score: number;
}

/**
 * Pod label sets ranked by how close they come to the selector: a pair that matches counts 2,
 * a value or key a typo away counts 1. Only sets that come close on some key are shown.
 */
export function closestLabelSets(selector: Record<string, string>, pods: readonly Pod[]): Candidate[] {
  const byLabels = new Map<string, Candidate>();
  for (const pod of pods) {
    const labels = pod.metadata.labels ?? {};
    // Only the keys the selector names (and near-miss keys) matter for the comparison.
    const relevant = Object.fromEntries(Object.entries(labels).filter(([k]) => Object.keys(selector).some((s) => s === k || similar(s, k))));
    const key = formatLabels(relevant);
    const found = byLabels.get(key);
    if (found !== undefined) {
      found.pods.push(pod.metadata.name);
      continue;
    }
    let score = 0;
    const differs: string[] = [];
    for (const [k, v] of Object.entries(selector)) {
      const value = labels[k];
      if (value === v) score += 2;
      else {
        differs.push(k);
        if (value !== undefined && similar(v, value)) score += 1;
        else if (Object.entries(labels).some(([lk, lv]) => lv === v && similar(k, lk))) score += 1;
      }
    }
    byLabels.set(key, { labels: relevant, pods: [pod.metadata.name], differs, score });
  }
  return [...byLabels.values()].filter((c) => c.score > 0 && c.differs.length > 0).sort((a, b) => b.score - a.score || b.pods.length - a.pods.length).slice(0, 3);
}

/** `closest: pods web-1, web-2 have app=web (differs in app)`. */
export function describeCandidate(c: Candidate): string {
  return `closest: pods ${c.pods.slice(0, 3).join(", ")}${c.pods.length > 3 ? ` (+${c.pods.length - 3})` : ""} have ${formatLabels(c.labels)} (differs in ${c.differs.join(", ")})`;
}

/** Within two edits, or one string contains the other ("web" / "web-v2"). */
function similar(a: string, b: string): boolean {
  return a.includes(b) || b.includes(a) || editDistance(a, b) <= Math.max(1, Math.min(2, Math.floor(Math.max(a.length, b.length) / 3)));
}

/** Edit distance counting a swap of neighbours as one edit ("wbe" -> "web"), the commonest typo. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}
