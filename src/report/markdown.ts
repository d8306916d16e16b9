/**
 * The report as Markdown for GitHub and GitLab: tables, lines of at most 120 characters, no
 * HTML. It ends with the machine-readable block the next report diffs against (digest.ts).
 * Cluster strings (names, details) are neutralized: table cells by mdCell, the whole text by
 * neutralizeText (util/terminal-safe.ts). Inside the digest's JSON a bidi character becomes its
 * JSON escape (`\u202e`), which parses back to the same string.
 */
import { neutralizeText } from "../util/terminal-safe.ts";
import { DIGEST_HEADING, renderDigest } from "./digest.ts";
import { showCpu, showDuration, showMemory } from "./display.ts";
import { bullet, mdTable, wrapText } from "./markdown-table.ts";
import { TABLE_ROWS } from "./rightsizing.ts";
import { HYGIENE_WHY } from "./hygiene.ts";
import type { HealthReport, HygieneCheck, ReportChange } from "./types.ts";

/** Hygiene rows shown; the JSON holds every finding. */
export const HYGIENE_ROWS = 40;
const PROBLEM_ROWS = 40;

export function reportTitle(report: Pick<HealthReport, "period" | "cluster" | "score">): string {
  const word = report.period.kind === "weekly" ? "Weekly" : "Daily";
  return `${word} health report ${report.period.key}: ${report.cluster.context}, grade ${report.score.grade} (${report.score.value}/100)`;
}

export function renderReportMarkdown(report: HealthReport, command: string): string {
  const parts = [
    `# ${reportTitle(report)}\n`,
    header(report),
    scoreSection(report),
    changeSection(report.change),
    actionsSection(report),
    reliabilitySection(report),
    capacitySection(report),
    rightsizingSection(report),
    hygieneSection(report),
    recordsSection(report),
    `## Prompt\n\n\`\`\`\n${command}\n\`\`\`\n`,
    `## ${DIGEST_HEADING}\n\n${wrapText("The next report reads this block to show what changed. Keys: problems are `CATEGORY KIND/NAMESPACE/NAME`, hygiene findings `CHECK KIND/NAMESPACE/NAME [CONTAINER] [VARIABLE]`.")}\n\n${renderDigest(report.digest)}`,
  ];
  return neutralizeText(parts.join("\n"));
}

function header(r: HealthReport): string {
  const m = r.metrics;
  const metrics =
    m.source === "prometheus"
      ? `Prometheus (${m.origin ?? ""}), ${m.historyDays === undefined ? "history unknown" : `${m.historyDays} days of history`}`
      : m.source === "metrics-server"
        ? "metrics-server: one point-in-time sample (no history; proposals are low-confidence)"
        : "none: no Prometheus URL and no metrics-server";
  const rows = [
    ["Cluster", `${r.cluster.context} (${r.cluster.server})`],
    ["Kubernetes", r.cluster.version],
    ["Window", `${r.period.start} to ${r.period.end}`],
    ["Metrics", metrics],
    ["Generated", r.generatedAt],
  ];
  const notes = m.notes.map((n) => bullet(`Note: ${n}`)).join("\n");
  return `${mdTable(["Item", "Value"], rows)}${notes === "" ? "" : `\n${notes}\n`}`;
}

function scoreSection(r: HealthReport): string {
  const s = r.score;
  const delta = r.change === undefined ? "" : `, ${signed(r.change.scoreDelta)} since ${r.change.previousKey} (grade ${r.change.gradeBefore} then)`;
  const rows = s.components.map((c) => [c.name, `-${c.penalty}`, `${c.cap}`, c.explanation]);
  return `## Score: ${s.value}/100, grade ${s.grade}${delta}\n\n${wrapText(`How it is computed: ${s.formula}.`)}\n\n${mdTable(["Component", "Penalty", "Cap", "From"], rows)}`;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : `${n}`;
}

function list(items: readonly string[], max = 15): string {
  if (items.length === 0) return "- none\n";
  const shown = items.slice(0, max).map((i) => bullet(i));
  if (items.length > max) shown.push(`- and ${items.length - max} more (see -o json)`);
  return `${shown.join("\n")}\n`;
}

function changeSection(change: ReportChange | undefined): string {
  if (change === undefined) return "## Change since the previous report\n\nNo previous report of this period kind: nothing to compare with.\n";
  const rs = change.rightsizing;
  return [
    `## Change since the previous report (${change.previousKey})\n`,
    `Score ${signed(change.scoreDelta)}; reclaimable before: cpu ${showCpu(change.reclaimableBefore.cpu)}, memory ${showMemory(change.reclaimableBefore.memory)}.\n`,
    `New problems:\n\n${list(change.newProblems)}`,
    `Resolved problems:\n\n${list(change.resolvedProblems)}`,
    `New hygiene findings: ${change.newHygiene.length}; resolved: ${change.resolvedHygiene.length}.\n`,
    `${list([...change.newHygiene.map((h) => `new: ${h}`), ...change.resolvedHygiene.map((h) => `resolved: ${h}`)], 10)}`,
    `Rightsizing: ${rs.added.length} new, ${rs.removed.length} gone, ${rs.changed.length} changed proposal(s).\n`,
    list([...rs.added.map((k) => `new: ${k}`), ...rs.removed.map((k) => `gone: ${k}`), ...rs.changed.map((k) => `changed: ${k}`)], 10),
  ].join("\n");
}

function actionsSection(r: HealthReport): string {
  if (r.actions.length === 0) return "## Top actions\n\nNothing to do.\n";
  const items = r.actions.map((a) => bullet(`${a.summary}${a.command === undefined ? "" : ` (\`${a.command}\`)`}`, `${a.rank}. `));
  return `## Top actions\n\n${items.join("\n")}\n`;
}

function reliabilitySection(r: HealthReport): string {
  const c = r.reliability.counts;
  const counts = mdTable(
    ["OOM kills", "Crash loops", "Restarts", "Evictions", "Pending pods", "Failed jobs", "Node conditions"],
    [[c.oomKills, c.crashLoops, c.restarts, c.evictions, c.pending, c.failedJobs, c.nodeConditions].map(String)],
  );
  const problems = r.reliability.problems;
  const rows = problems.slice(0, PROBLEM_ROWS).map((p) => [p.severity, p.category, p.object + (p.container === undefined ? "" : ` [${p.container}]`), p.since ?? "-"]);
  const table = problems.length === 0 ? "No current problems found by the diagnosis engine.\n" : mdTable(["Severity", "Category", "Object", "Since"], rows);
  const more = problems.length > PROBLEM_ROWS ? `\nAnd ${problems.length - PROBLEM_ROWS} more problems (see -o json).\n` : "";
  const nodes = r.reliability.nodeConditions.length === 0 ? "" : `\nNode conditions:\n\n${list(r.reliability.nodeConditions)}`;
  return `## Reliability\n\n${wrapText("Counts over the window (restarts: containers that restarted in it, with their restart counts).")}\n\n${counts}\n${table}${more}${nodes}`;
}

function capacitySection(r: HealthReport): string {
  const c = r.capacity;
  const show = (resource: string, v: string | undefined): string => (resource === "cpu" ? showCpu(v) : showMemory(v));
  const rows = c.resources.map((x) => [
    x.resource,
    show(x.resource, x.allocatable),
    `${show(x.resource, x.requests)} (${x.requestsPercent} %)`,
    show(x.resource, x.limits),
    x.p95Usage === undefined ? "-" : `${show(x.resource, x.p95Usage)} (${x.p95Percent ?? 0} %)`,
    show(x.resource, x.allocatableWithoutLargest),
    x.survivesLargestNodeLoss ? "yes" : "NO",
  ]);
  const verdict = c.schedulableNodes < 2
    ? "Fewer than 2 schedulable nodes: losing one node is an outage."
    : `Losing the largest node (${c.largestNode ?? "-"}): the requests ${c.survivesLargestNodeLoss ? "still fit" : "do NOT fit"} on the ${c.schedulableNodes - 1} others.`;
  const intro = wrapText(`${c.schedulableNodes}/${c.nodes} nodes schedulable, ${c.podsRunning} pods scheduled (room for ${c.podsAllocatable}). ${verdict}`);
  return `## Capacity\n\n${intro}\n\n${mdTable(["Resource", "Allocatable", "Requests", "Limits", "p95 usage", "Without largest", "Survives"], rows)}`;
}

function rightsizingSection(r: HealthReport): string {
  const rs = r.rightsizing;
  const intro = wrapText(
    `Proposals use the 30 % margin (requests = p95 x 1.30; memory limit = max(request x 1.25, peak x 1.15), 8Mi steps). ` +
      `Reclaimable: cpu ${showCpu(rs.totals.reclaimableCpu)}, memory ${showMemory(rs.totals.reclaimableMemory)}; ` +
      `to add: cpu ${showCpu(rs.totals.addedCpu)}, memory ${showMemory(rs.totals.addedMemory)}. ${rs.withoutUsage} workload(s) had no usage data.`,
  );
  if (rs.rows.length === 0) return `## Rightsizing\n\n${intro}\n\nNo container is off its proposal by 10 % or more.\n`;
  const rows = rs.rows.slice(0, TABLE_ROWS).map((x) => [
    `${x.workload} [${x.container}] x${x.replicas}`,
    `${showCpu(x.current.cpuRequest)} / ${showMemory(x.current.memoryRequest)}`,
    `${showCpu(x.p95.cpu)} / ${showMemory(x.p95.memory)}`,
    `${showCpu(x.peak.cpu)} / ${showMemory(x.peak.memory)}`,
    `${showCpu(x.proposed.cpuRequest)} / ${showMemory(x.proposed.memoryRequest)} lim ${showMemory(x.proposed.memoryLimit)}`,
    x.confidence,
    [x.oom ? "OOM" : "", x.hpa ? "HPA" : ""].filter((f) => f !== "").join(",") || "-",
  ]);
  const more = rs.omitted > 0 ? `\nAnd ${rs.omitted} more rows (see -o json).\n` : "";
  return `## Rightsizing\n\n${intro}\n\n${mdTable(["Workload [container]", "Req cpu/mem", "p95", "Peak", "Proposed", "Conf.", "Flags"], rows)}${more}`;
}

function hygieneSection(r: HealthReport): string {
  const h = r.hygiene;
  const counts = (Object.entries(h.counts) as [HygieneCheck, number][]).filter(([, n]) => n > 0).map(([check, n]) => [check, String(n), HYGIENE_WHY[check]]);
  const rows = h.findings
    .slice()
    .sort((a, b) => Number(b.security) - Number(a.security))
    .slice(0, HYGIENE_ROWS)
    .map((f) => [f.check, f.workload, f.container ?? "-", f.detail]);
  const more = h.findings.length > HYGIENE_ROWS ? `\nAnd ${h.findings.length - HYGIENE_ROWS} more findings (see -o json).\n` : "";
  const root = wrapText(`${h.rootNotPrevented} container(s) do not forbid running as root (no runAsNonRoot: true or non-zero runAsUser); counted, not listed.`);
  if (h.findings.length === 0) return `## Hygiene and security\n\nNo finding in ${h.workloads} workloads. ${root}\n`;
  return `## Hygiene and security\n\n${h.findings.length} finding(s) in ${h.workloads} workloads. Secret values are never printed.\n${root}\n\n${mdTable(["Check", "Count", "Why it matters"], counts)}\n${mdTable(["Check", "Workload", "Container", "Detail"], rows)}${more}`;
}

function recordsSection(r: HealthReport): string {
  const x = r.records;
  const rows = [
    ["Diagnoses recorded", String(x.diagnoses)],
    ["Proposals", String(x.proposals)],
    ["Approvals", String(x.approvals)],
    ["Approval latency (median / max)", `${showDuration(x.approvalLatencyMedianSeconds)} / ${showDuration(x.approvalLatencyMaxSeconds)}`],
    ["Verified", String(x.verified)],
    ["Rolled back", String(x.rolledBack)],
    ["Rejected / expired / failed", `${x.rejected} / ${x.expired} / ${x.failed}`],
    ["MTTD of watched incidents (median)", showDuration(x.mttdMedianSeconds)],
  ];
  return `## Decisions in the window\n\n${mdTable(["Records", "Value"], rows)}`;
}
