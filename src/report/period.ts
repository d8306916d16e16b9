/**
 * Which period a report covers. A report is issued once per ISO week (weekly) or UTC day
 * (daily): its key names that week or day, and its window is the 7 days (1 day) that end when it
 * runs, so a cron job on Monday 06:00 covers exactly the week since the last one, and metrics
 * are read over a window that ends now (Prometheus instant vectors go stale after 5 minutes).
 */
import type { ReportPeriod } from "../records/paths.ts";
import type { PeriodWindow } from "./types.ts";

const DAY_MS = 86_400_000;

export const PERIOD_DAYS: Record<ReportPeriod, number> = { weekly: 7, daily: 1 };

/** ISO 8601 week of a UTC date: "2026-W47" (the year is the week-year, Thursday rule). */
export function isoWeekKey(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() === 0 ? 7 : day.getUTCDay();
  // The Thursday of this week decides the week-year.
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

export function periodKey(kind: ReportPeriod, at: Date): string {
  return kind === "weekly" ? isoWeekKey(at) : at.toISOString().slice(0, 10);
}

export function reportWindow(kind: ReportPeriod, now: Date): PeriodWindow {
  const end = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const start = new Date(end.getTime() - PERIOD_DAYS[kind] * DAY_MS);
  return { kind, key: periodKey(kind, end), start: iso(start), end: iso(end) };
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
