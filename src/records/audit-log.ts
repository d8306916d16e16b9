import type { HistoryWalk } from "./git-walk.ts";
import { parseRecordPath } from "./paths.ts";
import { recordVersions } from "./verify.ts";

/** `audit log`: who decided what, when — one entry per record commit, from git itself. */
export interface AuditLogEntry {
  date: string;
  author: string;
  commit: string;
  record: string;
  stage: string;
  change: "created" | "updated" | "deleted" | "renamed";
  from?: string;
  to?: string;
  title: string;
  /** Identities of approvals added by this commit. */
  approvals: string[];
}

export function auditLogEntries(walk: HistoryWalk): AuditLogEntry[] {
  const last = new Map<string, { status: string; approvals: number; title: string; stage: string; id: string }>();
  const entries: AuditLogEntry[] = [];
  for (const version of recordVersions(walk)) {
    const before = last.get(version.fromRelative ?? version.relative);
    const fm = version.record?.frontMatter;
    const name = parseRecordPath(version.relative);
    const entry: AuditLogEntry = {
      date: version.commit.date,
      author: version.commit.author,
      commit: version.commit.hash,
      record: fm?.id ?? before?.id ?? name?.id ?? version.relative,
      stage: fm?.stage ?? before?.stage ?? name?.stage ?? "?",
      change: version.change,
      title: fm?.title ?? before?.title ?? version.relative,
      approvals: fm === undefined ? [] : fm.approvals.slice(before?.approvals ?? 0).map((a) => `${a.identity} ${a.decision}`),
    };
    if (before !== undefined) entry.from = before.status;
    if (fm !== undefined) entry.to = fm.status;
    entries.push(entry);
    if (fm !== undefined) last.set(version.relative, { status: fm.status, approvals: fm.approvals.length, title: fm.title, stage: fm.stage, id: fm.id });
  }
  return entries;
}
