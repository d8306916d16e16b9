#!/usr/bin/env node
// Writes 7 days of OpenMetrics history for the `rightsizing` scenario, for
// `promtool tsdb create-blocks-from openmetrics`.
//
// Usage: node gen-history.mjs --out data.om --namespace rightsizing --container web \
//          --pods web-abc,web-def [--end-ms <epoch ms>] [--days 7]
//
// Series (one sample per minute, timestamps on whole minutes, labels namespace/pod/container):
//   container_memory_working_set_bytes   gauge
//   container_cpu_usage_seconds_total    counter
//
// Designed so that, for every pod and for any [7d] window that holds most of the data:
//   quantile_over_time(0.95, container_memory_working_set_bytes{...}[7d])            == 125829120 (120Mi)
//   max_over_time(container_memory_working_set_bytes{...}[7d])                       == 157286400 (150Mi)
//   quantile_over_time(0.95, rate(container_cpu_usage_seconds_total{...}[5m])[7d:5m]) == 0.2
//
// How: each day, 2 % of the minutes are above 120Mi, 5.5 % are exactly 120Mi and the rest is
// below, so the 95th percentile (and both neighbours Prometheus interpolates between) falls in
// the band of samples that are exactly 120Mi. CPU works the same way on 5-minute blocks that
// are aligned to the epoch (as the subquery steps are): inside a block the counter grows by a
// whole number of CPU-seconds per minute, so rate() over a block is exactly k/60, and 2 % of
// blocks are above 12/60 = 0.2, 5.6 % exactly 0.2, the rest below.
import { writeFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []),
);
const out = args.out ?? 'data.om';
const namespace = args.namespace ?? 'rightsizing';
const container = args.container ?? 'web';
const pods = (args.pods ?? '').split(',').filter(Boolean);
if (pods.length === 0) {
  console.error('gen-history: --pods is required (comma-separated pod names)');
  process.exit(2);
}
const days = Number(args.days ?? 7);
const MIN = 60_000;
// End on a whole 5 minutes, at least 3 hours before now (promtool must not write into the head block's range).
const endMs = Math.floor((Number(args['end-ms'] ?? Date.now() - 3 * 3600_000 - 5 * MIN)) / (5 * MIN)) * 5 * MIN;
const n = days * 1440; // samples per series
const startMs = endMs - (n - 1) * MIN;

const Mi = 1024 * 1024;
const P95_MEM = 120 * Mi; // 125829120
const PEAK_MEM = 150 * Mi; // 157286400

// Deterministic pseudo-random numbers (mulberry32), so two runs give the same shape.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Memory: per day of 1440 minutes, minutes [600, 679) (79 = 5.5 %) sit at exactly 120Mi, minutes
// [680, 709) (29 = 2 %) are above it (a daily batch), everything else is below (80..112Mi).
function memoryAt(dayMinute, sampleIndex, rand, peakIndex) {
  if (sampleIndex === peakIndex) return PEAK_MEM;
  if (dayMinute >= 600 && dayMinute < 679) return P95_MEM;
  if (dayMinute >= 680 && dayMinute < 709) return P95_MEM + Math.round((2 + rand() * 20) * Mi); // 122..142Mi
  const daily = Math.sin((dayMinute / 1440) * 2 * Math.PI); // -1..1
  return Math.round((96 + 12 * daily + (rand() - 0.5) * 8) * Mi); // ~80..112Mi
}

// CPU: per day of 288 five-minute blocks, blocks [120, 136) (16 = 5.6 %) run at 12 CPU-s/min
// (0.2 cores), blocks [140, 146) (6 = 2.1 %) at 15..21 CPU-s/min, the rest at 6..11 CPU-s/min.
function cpuPerMinute(dayBlock, rand) {
  if (dayBlock >= 120 && dayBlock < 136) return 12;
  if (dayBlock >= 140 && dayBlock < 146) return 15 + Math.floor(rand() * 7);
  return 6 + Math.floor(rand() * 6);
}

const lines = [];
lines.push('# HELP container_memory_working_set_bytes Current working set of the container in bytes');
lines.push('# TYPE container_memory_working_set_bytes gauge');
pods.forEach((pod, p) => {
  const rand = rng(1000 + p);
  // The single 150Mi peak: one day before the end, inside the window for days to come.
  const peakIndex = n - 1440 - 300 - p * 7;
  const labels = `{namespace="${namespace}",pod="${pod}",container="${container}"}`;
  for (let i = 0; i < n; i++) {
    const t = startMs + i * MIN;
    const dayMinute = Math.floor((t % 86_400_000) / MIN);
    lines.push(`container_memory_working_set_bytes${labels} ${memoryAt(dayMinute, i, rand, peakIndex)} ${t / 1000}`);
  }
});
lines.push('# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed by the container in core-seconds');
lines.push('# TYPE container_cpu_usage_seconds_total counter');
pods.forEach((pod, p) => {
  const rand = rng(2000 + p);
  const labels = `{namespace="${namespace}",pod="${pod}",container="${container}"}`;
  let counter = 100_000 + p * 1000; // an integer; increments are integers, so every value is exact
  const blockRate = new Map();
  for (let i = 0; i < n; i++) {
    const t = startMs + i * MIN;
    if (i > 0) {
      // the increment that ends at t belongs to the 5-minute block holding (t - 1 minute)
      const block = Math.floor((t - MIN) / (5 * MIN));
      if (!blockRate.has(block)) blockRate.set(block, cpuPerMinute(block % 288, rand));
      counter += blockRate.get(block);
    }
    lines.push(`container_cpu_usage_seconds_total${labels} ${counter} ${t / 1000}`);
  }
});
lines.push('# EOF');
writeFileSync(out, lines.join('\n') + '\n');
console.log(
  JSON.stringify({ out, pods, samplesPerSeries: n, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() }),
);
