/**
 * Usage of every pod container over a window, as the bulk readers of src/metrics/
 * (prometheus-bulk.ts, metrics-server-bulk.ts) return it and the report (src/report/) reads it:
 * plain JSON, here so that the report needs nothing of the code that reads it.
 */

/** One pod container's figures (cores, bytes); a point-in-time source sets p95 = max = now. */
export interface SeriesUsage {
  namespace: string;
  pod: string;
  container: string;
  cpuP95?: number;
  cpuMax?: number;
  memoryP95?: number;
  memoryMax?: number;
  samples: number;
  /** Epoch ms of the first sample in the window. */
  firstSampleMs?: number;
  oomKills?: number;
}

export interface UsageData {
  source: "prometheus" | "metrics-server" | "none";
  origin?: string;
  pointInTime: boolean;
  historyDays?: number;
  series: SeriesUsage[];
  notes: string[];
}
