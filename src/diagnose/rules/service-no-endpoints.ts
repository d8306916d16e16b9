import type { Deployment, Pod, Service, StatefulSet } from "../../model/k8s.ts";
import { matchesSelector, type RuleContext } from "../context.ts";
import { makeFinding, remediate } from "../finding.ts";
import type { Rule } from "../types.ts";

/**
 * A Service whose selector matches no pod, so it has no endpoints at all. Usually a typo or a
 * relabelled workload: the finding shows the pod label sets closest to the selector. A Service
 * without a selector (endpoints managed by hand) or of type ExternalName is not judged.
 */
export const serviceNoEndpoints: Rule = {
  id: "service.no-endpoints",
  category: "ServiceNoEndpoints",
  kinds: ["Service"],
  evaluate(object, ctx) {
    const service = object as Service;
    const selector = service.spec.selector ?? {};
    if (service.spec.type === "ExternalName" || Object.keys(selector).length === 0) return [];
    // A snapshot without pods (only Services were gathered) cannot show that none match.
    if (!ctx.has("Pod") || ctx.podsOf(service).length > 0) return [];

    const namespace = service.metadata.namespace;
    const wanted = formatLabels(selector);
    const pods = ctx.all<Pod>("Pod", namespace);
    const closest = closestLabelSets(selector, pods);
    const evidence = [`spec.selector: ${wanted}`, `0 of ${pods.length} pod(s) in namespace ${namespace ?? "-"} match`];
    for (const c of closest) evidence.push(`closest: pods ${c.pods.slice(0, 3).join(", ")}${c.pods.length > 3 ? ` (+${c.pods.length - 3})` : ""} have ${formatLabels(c.labels)} (differs in ${c.differs.join(", ")})`);
    const scaledToZero = scaledToZeroWorkloads(selector, ctx, namespace);
    for (const w of scaledToZero) evidence.push(`${w} matches the selector but has 0 replicas`);

    const best = closest[0];
    const hint = scaledToZero.length > 0 ? `; ${scaledToZero[0]} is scaled to 0` : best === undefined ? "" : `; closest pod labels: ${best.differs.map((k) => `${k}=${best.labels[k] ?? "(absent)"}`).join(", ")}`;
    return [
      makeFinding(serviceNoEndpoints, {
        object: service,
        severity: "high",
        confidence: scaledToZero.length > 0 || best !== undefined ? 0.9 : 0.8,
        summary: `Service ${service.metadata.name} has no endpoints: its selector ${wanted} matches no pod${hint}.`,
        evidence,
        remediation: remediate(
          ctx,
          "config",
          best !== undefined && scaledToZero.length === 0
            ? `Fix the selector of Service ${service.metadata.name} (${best.differs.map((k) => `${k}=${selector[k] ?? "(absent)"} -> ${k}=${best.labels[k] ?? "(absent)"}`).join(", ")}) or the labels of the intended pods.`
            : `Make the selector of Service ${service.metadata.name} match the pods it should serve${scaledToZero.length > 0 ? `, or scale ${scaledToZero[0]} up` : ""}.`,
          service,
        ),
      }),
    ];
  },
};

function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
}

interface Candidate {
  labels: Record<string, string>;
  pods: string[];
  differs: string[];
  score: number;
}

/**
 * Pod label sets ranked by how close they come to the selector: a pair that matches counts 2,
 * a value or key a typo away counts 1. Only sets that come close on some key are shown.
 */
function closestLabelSets(selector: Record<string, string>, pods: Pod[]): Candidate[] {
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

function scaledToZeroWorkloads(selector: Record<string, string>, ctx: RuleContext, namespace: string | undefined): string[] {
  const workloads = [...ctx.all<Deployment>("Deployment", namespace), ...ctx.all<StatefulSet>("StatefulSet", namespace)];
  return workloads
    .filter((w) => w.spec.replicas === 0 && matchesSelector(w.spec.template.metadata?.labels ?? {}, { matchLabels: selector }))
    .map((w) => `${w.kind ?? "Workload"}/${w.metadata.name}`);
}
