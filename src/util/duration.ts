const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "5m" -> 300; undefined when not of the form <integer><s|m|h|d>. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return Number(match[1]) * (UNIT_SECONDS[match[2]] ?? 0);
}
