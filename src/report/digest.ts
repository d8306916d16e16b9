/**
 * The machine-readable block that ends every report: a fenced ```json block under the heading
 * "Machine-readable summary". The next report reads it back from the previous record's body and
 * diffs against it (score delta, new and resolved problems, rightsizing changes), so a report
 * never depends on re-reading the cluster as it was last week.
 */
import { z } from "zod";
import { rowKey } from "./rightsizing.ts";
import type { HealthReport, ReportChange, ReportDigest } from "./types.ts";

export const DIGEST_HEADING = "Machine-readable summary";
const FENCE = "```";

const digestSchema = z.object({
  aiopsReport: z.literal(1),
  period: z.string(),
  key: z.string(),
  end: z.string(),
  score: z.number(),
  grade: z.string(),
  problems: z.array(z.string()),
  hygiene: z.array(z.string()),
  rightsizing: z.array(z.object({ row: z.string(), cpuRequest: z.string().optional(), memoryRequest: z.string().optional(), memoryLimit: z.string().optional() })),
  reclaimable: z.object({ cpu: z.string(), memory: z.string() }),
});

export function buildDigest(report: Omit<HealthReport, "digest" | "change">): ReportDigest {
  return {
    aiopsReport: 1,
    period: report.period.kind,
    key: report.period.key,
    end: report.period.end,
    score: report.score.value,
    grade: report.score.grade,
    problems: report.reliability.problems.map((p) => p.key).sort(),
    hygiene: report.hygiene.findings.map((f) => f.key).sort(),
    rightsizing: report.rightsizing.rows.map((r) => {
      const entry: ReportDigest["rightsizing"][number] = { row: rowKey(r) };
      if (r.proposed.cpuRequest !== undefined) entry.cpuRequest = r.proposed.cpuRequest;
      if (r.proposed.memoryRequest !== undefined) entry.memoryRequest = r.proposed.memoryRequest;
      if (r.proposed.memoryLimit !== undefined) entry.memoryLimit = r.proposed.memoryLimit;
      return entry;
    }),
    reclaimable: { cpu: report.rightsizing.totals.reclaimableCpu, memory: report.rightsizing.totals.reclaimableMemory },
  };
}

/** The block as written: one array element per line keeps every line short. */
export function renderDigest(digest: ReportDigest): string {
  return `${FENCE}json\n${JSON.stringify(digest, null, 1)}\n${FENCE}\n`;
}

/** The digest at the end of a report body; undefined when absent or not valid. */
export function readDigest(body: string): ReportDigest | undefined {
  const heading = body.lastIndexOf(`## ${DIGEST_HEADING}`);
  if (heading === -1) return undefined;
  const open = body.indexOf(`${FENCE}json\n`, heading);
  if (open === -1) return undefined;
  const close = body.indexOf(`\n${FENCE}`, open + FENCE.length + 5);
  if (close === -1) return undefined;
  try {
    const parsed = digestSchema.safeParse(JSON.parse(body.slice(open + FENCE.length + 5, close)));
    return parsed.success ? (parsed.data as ReportDigest) : undefined;
  } catch {
    return undefined;
  }
}

export function diffDigests(previous: ReportDigest, current: ReportDigest, previousId?: string): ReportChange {
  const before = new Set(previous.problems);
  const now = new Set(current.problems);
  const hygieneBefore = new Set(previous.hygiene);
  const hygieneNow = new Set(current.hygiene);
  const rowsBefore = new Map(previous.rightsizing.map((r) => [r.row, r]));
  const rowsNow = new Map(current.rightsizing.map((r) => [r.row, r]));
  const changed = [...rowsNow.entries()]
    .filter(([key, r]) => {
      const old = rowsBefore.get(key);
      return old !== undefined && (old.cpuRequest !== r.cpuRequest || old.memoryRequest !== r.memoryRequest || old.memoryLimit !== r.memoryLimit);
    })
    .map(([key]) => key);
  const change: ReportChange = {
    previousKey: previous.key,
    scoreDelta: current.score - previous.score,
    gradeBefore: previous.grade,
    newProblems: current.problems.filter((p) => !before.has(p)),
    resolvedProblems: previous.problems.filter((p) => !now.has(p)),
    newHygiene: current.hygiene.filter((h) => !hygieneBefore.has(h)),
    resolvedHygiene: previous.hygiene.filter((h) => !hygieneNow.has(h)),
    rightsizing: {
      added: [...rowsNow.keys()].filter((k) => !rowsBefore.has(k)),
      removed: [...rowsBefore.keys()].filter((k) => !rowsNow.has(k)),
      changed,
    },
    reclaimableBefore: previous.reclaimable,
  };
  if (previousId !== undefined) change.previousId = previousId;
  return change;
}
