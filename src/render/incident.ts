import { neutralizeLine } from "../util/terminal-safe.ts";

/**
 * `watch`'s stdout: one line per incident change, JSON with -o json (the contract scripts and the
 * tests read), else `OPENED <key> <categories> mttd=2s record=<id>`, one neutralized line (the
 * key names cluster objects).
 */
export interface IncidentChange {
  event: "opened" | "resolved";
  incident: string;
  categories?: string;
  mttd_seconds?: number;
  record?: string | undefined;
  path?: string;
}

export function renderIncidentLine(change: IncidentChange, json: boolean): string {
  if (json) return `${JSON.stringify(change)}\n`;
  const parts = [change.event.toUpperCase(), change.incident, change.categories, change.mttd_seconds === undefined ? undefined : `mttd=${change.mttd_seconds}s`, `record=${change.record ?? "-"}`];
  return `${neutralizeLine(parts.filter((p) => p !== undefined).join(" "))}\n`;
}
