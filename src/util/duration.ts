const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "5m" -> 300; undefined when not of the form <integer><s|m|h|d>. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return Number(match[1]) * (UNIT_SECONDS[match[2]] ?? 0);
}

/** 300 -> "5m", 5400 -> "1h30m", 172800 -> "2d": whole days, else hours and minutes, else minutes or seconds. */
export function formatDuration(seconds: number): string {
  if (seconds >= 86400 && seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h${seconds % 3600 >= 60 ? `${Math.floor((seconds % 3600) / 60)}m` : ""}`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m`;
  return `${seconds}s`;
}
