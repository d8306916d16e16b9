// The objects each side flags, normalised to "Kind namespace/name" (cluster-scoped: "Kind name")
// so that kubectl-aiops' DiagnosisList and k8sgpt's JSON results can be compared as sets.
//
// Ours: every item with status ProblemDetected (its target) and the object of each of its findings
// (a Deployment's item names the failing pods in its findings). k8sgpt: every result; its
// analyzers name their kind ("Pod", "Deployment"), or "Security/Pod", "Storage/PersistentVolume"
// for the ones that report another kind, and the Log analyzer reports "namespace/pod/container".

/** Kinds without a namespace (k8sgpt names them by name alone). */
const CLUSTER_SCOPED = new Set(["Node", "PersistentVolume", "StorageClass", "IngressClass", "GatewayClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "Namespace", "ClusterRole", "ClusterRoleBinding"]);

export function objectId(kind, namespace, name) {
  return namespace === undefined || namespace === "" || CLUSTER_SCOPED.has(kind) ? `${kind} ${name}` : `${kind} ${namespace}/${name}`;
}

/** Map "Kind ns/name" -> {rules: Set, text} from a DiagnosisList (or one Diagnosis). */
export function flaggedByUs(output) {
  const items = output?.kind === "Diagnosis" ? [output] : (output?.items ?? []);
  const flagged = new Map();
  const add = (ref, rule, text) => {
    const id = objectId(ref.kind, ref.namespace, ref.name);
    const entry = flagged.get(id) ?? { rules: new Set(), text };
    if (rule !== undefined) entry.rules.add(rule);
    flagged.set(id, entry);
  };
  for (const item of items) {
    if (item.status !== "ProblemDetected") continue;
    add(item.target, undefined, item.findings?.[0]?.summary);
    for (const f of item.findings ?? []) add(f.object, f.category, f.summary);
  }
  return flagged;
}

/** Map "Kind ns/name" -> {analyzers: Set, text} from `k8sgpt analyze -o json`. */
export function flaggedByK8sgpt(output) {
  const flagged = new Map();
  for (const r of output?.results ?? []) {
    const [family, reported] = r.kind.includes("/") ? r.kind.split("/", 2) : [r.kind, r.kind];
    const parts = String(r.name).split("/");
    // Log: "namespace/pod/container"; everything else "namespace/name" or "name" (the webhook
    // analyzers: "/<webhook name>", the webhook's own name, not its configuration's)
    const [namespace, name] = parts.length >= 2 && !CLUSTER_SCOPED.has(reported) ? [parts[0], parts[1]] : [undefined, parts.filter(Boolean).join("/")];
    // the analyzer that flagged it: the Log analyzer says "Pod", tell it apart by its name
    const analyzer = parts.length === 3 && reported === "Pod" ? "Log" : family;
    const id = objectId(reported, namespace, name);
    const entry = flagged.get(id) ?? { analyzers: new Set(), text: r.error?.[0]?.Text ?? "" };
    entry.analyzers.add(analyzer);
    flagged.set(id, entry);
  }
  return flagged;
}

/** Set comparison: counts, the only-k8sgpt objects by analyzer, and a few examples of each kind. */
export function compareFlagged(ours, theirs, { examples = 2 } = {}) {
  const common = [...theirs.keys()].filter((id) => ours.has(id));
  const onlyThem = [...theirs.keys()].filter((id) => !ours.has(id)).sort();
  const onlyUs = [...ours.keys()].filter((id) => !theirs.has(id)).sort();
  const byAnalyzer = {};
  const samples = {};
  for (const id of onlyThem) {
    const { analyzers, text } = theirs.get(id);
    const analyzer = [...analyzers].sort().join("+");
    byAnalyzer[analyzer] = (byAnalyzer[analyzer] ?? 0) + 1;
    samples[analyzer] ??= [];
    if (samples[analyzer].length < examples) samples[analyzer].push({ object: id, k8sgpt: text.replace(/\s+/g, " ").slice(0, 200) });
  }
  const onlyUsByKind = {};
  for (const id of onlyUs) {
    const kind = id.split(" ")[0];
    onlyUsByKind[kind] = (onlyUsByKind[kind] ?? 0) + 1;
  }
  return {
    ours: ours.size,
    k8sgpt: theirs.size,
    common: common.length,
    only_k8sgpt: onlyThem.length,
    only_us: onlyUs.length,
    only_k8sgpt_by_analyzer: byAnalyzer,
    only_k8sgpt_examples: Object.values(samples).flat(),
    only_us_by_kind: onlyUsByKind,
    only_us_examples: onlyUs.slice(0, examples * 2),
  };
}

/** "3.1x faster" or "2.0x slower": kubectl-aiops' time against another's. */
const speed = (ours, theirs) => (ours === undefined || theirs === undefined ? "-" : theirs >= ours ? `${(theirs / ours).toFixed(1)}x faster` : `${(ours / theirs).toFixed(1)}x slower`);
const ms = (v) => (v === undefined ? "-" : `${v.toLocaleString("en")} ms`);
const mib = (v) => (v === undefined ? "-" : `${v} MiB`);

/**
 * The comparison as Markdown: one table (both scopes, every command), the targets with their
 * verdicts, and what each k8sgpt run flags that kubectl-aiops does not, by analyzer, with examples.
 * `scopes`: [{ label, pods, ours, k8sgpt: [{ key, label, ...timings, comparison }], floor }].
 */
export function versusMarkdown(scopes, { oursTargetMs = 250, fasterBy = 5 } = {}) {
  const lines = [
    "| scope | command | wall (median) | kubectl-aiops is | peak RSS | API requests | objects flagged | common | only k8sgpt | only kubectl-aiops |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const requests = (r) => (r.requests === undefined ? "-" : r.requests_range && r.requests_range[0] !== r.requests_range[1] ? `${r.requests} (${r.requests_range.join("-")})` : `${r.requests}`);
  for (const s of scopes) {
    const o = s.ours;
    lines.push(`| ${s.label} | \`${o.command}\` | ${ms(o.median_ms)} | | ${mib(o.peak_rss_mib)} | ${requests(o)} | ${o.flagged ?? "-"} | | | |`);
    for (const k of s.k8sgpt) {
      const by = speed(o.median_ms, k.median_ms ?? k.estimate_ms);
      const c = k.comparison;
      const wall = k.median_ms === undefined ? (k.estimate_ms === undefined ? "-" : `~${ms(k.estimate_ms)} (estimate)`) : `${ms(k.median_ms)}${k.runs < 3 ? ` (${k.runs} run${k.runs === 1 ? "" : "s"})` : ""}`;
      lines.push(`| ${s.label} | \`${k.command}\` | ${wall} | ${by} | ${mib(k.peak_rss_mib)} | ${requests(k)} | ${c?.k8sgpt ?? "-"} | ${c?.common ?? "-"} | ${c?.only_k8sgpt ?? "-"} | ${c?.only_us ?? "-"} |`);
    }
    const f = s.floor;
    if (f !== undefined) lines.push(`| ${s.label} | \`${f.command}\` (reference) | ${ms(f.median_ms)} | ${speed(o.median_ms, f.median_ms)} | ${mib(f.peak_rss_mib)} | ${requests(f)} | | | | |`);
  }

  const verdict = (ok) => (ok === undefined ? "not measured" : ok ? "met" : "NOT met");
  const find = (s, key) => s.k8sgpt.find((k) => k.key === key);
  const targets = [];
  const nsScope = scopes.find((s) => s.namespaced);
  if (nsScope) targets.push(`- \`diagnose namespace\` at ${nsScope.pods.toLocaleString("en")} pods <= ${oursTargetMs} ms: ${ms(nsScope.ours.median_ms)}: ${verdict(nsScope.ours.median_ms === undefined ? undefined : nsScope.ours.median_ms <= oursTargetMs)}`);
  for (const s of scopes) {
    const def = find(s, "default");
    const pod = find(s, "pod");
    const ratio = def?.median_ms === undefined ? undefined : def.median_ms / s.ours.median_ms;
    targets.push(`- ${s.label}: at least ${fasterBy}x faster than k8sgpt's default run: ${ratio === undefined ? "-" : `${ratio.toFixed(1)}x`}: ${verdict(ratio === undefined ? undefined : ratio >= fasterBy)}; never slower than its Pod-only run: ${ms(s.ours.median_ms)} vs ${ms(pod?.median_ms)}: ${verdict(pod?.median_ms === undefined ? undefined : s.ours.median_ms <= pod.median_ms)}`);
    const missed = s.k8sgpt.filter((k) => k.comparison !== undefined).map((k) => `${k.label} ${k.comparison.only_k8sgpt}`);
    if (missed.length > 0) targets.push(`- ${s.label}: a superset of k8sgpt's findings (objects only k8sgpt flags: ${missed.join(", ")}): ${verdict(s.k8sgpt.every((k) => k.comparison === undefined || k.comparison.only_k8sgpt === 0))}`);
  }

  const missing = [];
  for (const s of scopes) {
    for (const k of s.k8sgpt) {
      const c = k.comparison;
      if (c === undefined || c.only_k8sgpt === 0) continue;
      const by = Object.entries(c.only_k8sgpt_by_analyzer).sort((a, b) => b[1] - a[1]).map(([a, n]) => `${a} ${n}`).join(", ");
      missing.push(`- ${s.label}, ${k.label}: ${c.only_k8sgpt} objects (by analyzer: ${by}); for example:`);
      for (const e of c.only_k8sgpt_examples) missing.push(`  - ${e.object}: "${e.k8sgpt}"`);
    }
  }
  const onlyUs = scopes.flatMap((s) => s.k8sgpt.filter((k) => k.comparison?.only_us > 0).map((k) => `- ${s.label}, vs ${k.label}: ${k.comparison.only_us} (${Object.entries(k.comparison.only_us_by_kind).map(([kind, n]) => `${kind} ${n}`).join(", ")}), e.g. ${k.comparison.only_us_examples.slice(0, 2).join("; ")}`));
  const notes = scopes.flatMap((s) => s.k8sgpt.filter((k) => k.note !== undefined).map((k) => `- ${s.label}, k8sgpt ${k.label}: ${k.note}`));
  return [
    ...lines,
    ...(notes.length > 0 ? ["", ...notes] : []),
    "",
    "Targets:",
    "",
    ...targets,
    ...(missing.length > 0 ? ["", "What k8sgpt flags and kubectl-aiops does not (objects as kind namespace/name):", "", ...missing] : []),
    ...(onlyUs.length > 0 ? ["", "What only kubectl-aiops flags:", "", ...onlyUs] : []),
  ].join("\n");
}
