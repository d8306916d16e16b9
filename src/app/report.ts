/**
 * The report use-case (docs/cli.md, report and watch): skip a period already reported (unless --force),
 * gather the cluster (one list per resource type), usage (Prometheus over the window, else
 * metrics-server, marked) and the history's records, build the report (pure, src/report/),
 * write it as a record under reports/<period>/ and return it (the command prints it: the Markdown,
 * or the report as data with -o json|yaml).
 */
import type { Session } from "./session.ts";
import { AiopsError, ForbiddenError, NotFoundError } from "../errors.ts";
import type { KubeClient } from "../kube/client.ts";
import { apiVersionOf, collectionPath, rbacResourceOf, requireKind } from "../kube/kinds.ts";
import type { KubeObject } from "../model/k8s.ts";
import type { UsageData } from "../model/usage.ts";
import type { History } from "../records/history.ts";
import type { ReportPeriod } from "../records/paths.ts";
import type { HealthReport, ReportDigest } from "../report/types.ts";

export interface ReportArgs {
  period: ReportPeriod;
  force: boolean;
  /** Print without writing a record. */
  dryRun: boolean;
  prometheus?: string | undefined;
  command: string;
}

/**
 * The report and its Markdown (`text`: what table, wide and markdown print; the record's body is
 * the same without its title line), or a period reported already (nothing written, nothing to print).
 */
export type ReportOutcome = { skipped: true; text: "" } | { skipped: false; report: HealthReport; text: string; recordId?: string };

export async function runReport(session: Session, args: ReportArgs): Promise<ReportOutcome> {
  const { io } = session;
  const warn = (message: string): void => session.warn(message);
  const { resolveHistory } = await import("../records/history.ts");
  const { listRecords, readLocation } = await import("../records/store.ts");
  const { reportWindow } = await import("../report/period.ts");
  const { readDigest } = await import("../report/digest.ts");
  const location = session.historyLocation;
  const history = resolveHistory(location);
  const period = reportWindow(args.period, io.now());

  const listing = await listRecords(history, { now: () => io.now(), warn });
  const reports = listing.records.filter((r) => r.frontMatter.stage === "report" && r.frontMatter.labels?.["period"] === args.period);
  const sameKey = reports.filter((r) => r.frontMatter.labels?.["period_key"] === period.key).at(-1);
  if (sameKey !== undefined && !args.force && !args.dryRun) {
    warn(`note: the ${args.period} report of ${period.key} exists already (${sameKey.frontMatter.id}, ${history.dir}/${sameKey.location.relative}); nothing written`);
    warn("hint: pass --force to write a new one that supersedes it");
    return { text: "", skipped: true };
  }
  let previous: { id: string; digest: ReportDigest } | undefined;
  const last = reports.at(-1);
  if (last !== undefined) {
    const digest = readDigest((await readLocation(last.location)).body);
    if (digest === undefined) warn(`warning: the previous report ${last.frontMatter.id} has no readable machine-readable block; no change is shown`);
    else previous = { id: last.frontMatter.id, digest };
  }

  const { loadSettings } = await import("./watch/settings.ts");
  const { tierPolicyOf } = await import("../policy/policy-file.ts");
  const settings = loadSettings(location);
  const { gatherSnapshot } = await import("../kube/gather.ts");
  const client = await session.kube();
  const [snapshot, pdbs, version] = await Promise.all([
    gatherSnapshot(client, { allNamespaces: true }, { logLines: 0, maxLogContainers: 0, now: () => io.now(), warn }),
    listOptional(client, "PodDisruptionBudget", warn),
    serverVersion(client),
  ]);
  snapshot.objects.push(...pdbs);
  const usage = await readUsage(client, args.prometheus ?? settings.policy.prometheus, args.prometheus !== undefined ? "--prometheus" : ".aiops.yaml prometheus:", period, warn);

  const { buildReport } = await import("../report/build.ts");
  const report = buildReport({
    period,
    cluster: { context: client.context.context, server: client.context.server, version },
    snapshot,
    usage,
    records: listing.records.map((r) => r.frontMatter),
    ...(previous === undefined ? {} : { previous }),
    tierPolicy: tierPolicyOf(settings.policy),
  });
  const { renderReportMarkdown } = await import("../report/markdown.ts");
  const markdown = renderReportMarkdown(report, args.command);
  let recordId: string | undefined;
  if (!args.dryRun) recordId = await recordReport(report, markdown, args, client, history, sameKey?.frontMatter.id, session, warn);
  return recordId === undefined ? { skipped: false, report, text: markdown } : { skipped: false, report, text: markdown, recordId };
}

async function recordReport(report: HealthReport, markdown: string, args: ReportArgs, client: KubeClient, history: History, supersedes: string | undefined, session: Session, warn: (m: string) => void): Promise<string> {
  const { io } = session;
  const { writeRecord } = await import("../records/store.ts");
  const { evidenceSha256 } = await import("../records/hash.ts");
  const { reportTitle } = await import("../report/markdown.ts");
  const { redactText } = await import("../util/redact.ts");
  let user = "unknown";
  try {
    const { whoAmI } = await import("../kube/identity.ts");
    user = (await whoAmI(client)).username;
  } catch (error) {
    warn(`warning: could not ask the API server who we are (${error instanceof Error ? error.message : String(error)}); recorded as "unknown"`);
  }
  const labels: Record<string, string> = {
    period: args.period,
    period_key: report.period.key,
    window_start: report.period.start,
    window_end: report.period.end,
    cluster_version: report.cluster.version,
    metrics_source: report.metrics.source,
    history_days: report.metrics.historyDays === undefined ? "unknown" : String(report.metrics.historyDays),
    score: String(report.score.value),
    grade: report.score.grade,
  };
  const title = reportTitle(report);
  const written = await writeRecord(
    history,
    {
      title: title.length > 200 ? `${title.slice(0, 197)}...` : title,
      stage: "report",
      command: redactText(args.command),
      user: { cluster: user },
      cluster: { context: client.context.context, server: client.context.server },
      labels,
      ...(supersedes === undefined ? {} : { links: { supersedes } }),
      evidence_sha256: evidenceSha256(JSON.stringify(report.digest)),
      body: markdown.replace(/^# .*\n+/, ""),
    },
    { now: () => io.now(), warn },
  );
  session.events.emit({ type: "record-committed", stage: written.frontMatter.stage, id: written.frontMatter.id, path: written.location.absolute, commit: written.commit });
  warn(`recorded ${written.frontMatter.id} (${written.location.absolute})`);
  return written.frontMatter.id;
}

async function readUsage(client: KubeClient, url: string | undefined, origin: string, period: HealthReport["period"], warn: (m: string) => void): Promise<UsageData> {
  const windowSeconds = Math.round((Date.parse(period.end) - Date.parse(period.start)) / 1000);
  const notes: string[] = [];
  if (url !== undefined && url.trim() !== "") {
    const { readPrometheusUsage } = await import("../metrics/prometheus-bulk.ts");
    try {
      return await readPrometheusUsage({ url: url.trim(), end: new Date(Date.parse(period.end)), windowSeconds });
    } catch (error) {
      if (!(error instanceof AiopsError)) throw error;
      const message = `Prometheus (${origin}) failed: ${error.message}; falling back to metrics-server`;
      warn(`warning: ${message}`);
      notes.push(message);
    }
  }
  const { readMetricsServerUsage } = await import("../metrics/metrics-server-bulk.ts");
  try {
    const usage = await readMetricsServerUsage(client, undefined);
    if (usage !== undefined) return { ...usage, notes: [...notes, ...usage.notes] };
  } catch (error) {
    if (!(error instanceof AiopsError)) throw error;
    notes.push(`metrics-server failed: ${error.message}`);
  }
  notes.push("no usage metrics: give --prometheus URL (or prometheus: in .aiops.yaml), or install metrics-server; rightsizing is empty");
  return { source: "none", pointInTime: false, series: [], notes };
}

/** Every object of a kind across the cluster; none, with a warning on a 403, when it cannot be listed. */
async function listOptional(client: KubeClient, kind: string, warn: (m: string) => void): Promise<KubeObject[]> {
  const spec = requireKind(kind);
  const resource = rbacResourceOf(spec);
  try {
    const items = await client.list<KubeObject>(collectionPath(spec), { verb: "list", resource });
    for (const item of items) {
      item.kind = spec.kind;
      item.apiVersion = apiVersionOf(spec);
    }
    return items;
  } catch (error) {
    if (error instanceof ForbiddenError) {
      warn(`warning: ${error.message}; ${resource} not checked`);
      return [];
    }
    if (error instanceof NotFoundError) return [];
    throw error;
  }
}

async function serverVersion(client: KubeClient): Promise<string> {
  try {
    const v = await client.request<{ gitVersion?: string }>("/version", { verb: "get", resource: "/version (nonResourceURL)" });
    return v.gitVersion ?? "unknown";
  } catch {
    return "unknown";
  }
}
