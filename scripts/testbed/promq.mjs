#!/usr/bin/env node
// Small Prometheus client for the test bed (Node >= 18, global fetch; no curl needed).
//   node promq.mjs --url http://127.0.0.1:PORT --ready          exit 0 when Prometheus is ready
//   node promq.mjs --url ... --query 'expr'                     print the instant-query result
//   node promq.mjs --url ... --rightsizing [--check]            the rightsizing queries; with
//                                                               --check exit 1 unless exact
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const has = (name) => argv.includes(name);
const url = (opt('--url') ?? process.env.PROMETHEUS_URL ?? '').replace(/\/$/, '');
if (!url) {
  console.error('promq: --url or PROMETHEUS_URL is required');
  process.exit(2);
}

async function query(expr) {
  const res = await fetch(`${url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr }),
  });
  const body = await res.json();
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
  return body.data.result;
}

// the backfilled series only (no job label); the live ones scraped from the real kubelet stay below them
const NS = 'namespace="rightsizing",container="web",job=""';
const CHECKS = [
  { name: 'memory p95 (bytes)', expr: `quantile_over_time(0.95, container_memory_working_set_bytes{${NS}}[7d])`, want: 125829120 },
  { name: 'memory peak (bytes)', expr: `max_over_time(container_memory_working_set_bytes{${NS}}[7d])`, want: 157286400 },
  { name: 'cpu p95 (cores)', expr: `quantile_over_time(0.95, rate(container_cpu_usage_seconds_total{${NS}}[5m])[7d:5m])`, want: 0.2 },
];

try {
  if (has('--ready')) {
    const res = await fetch(`${url}/-/ready`);
    process.exit(res.ok ? 0 : 1);
  } else if (opt('--query')) {
    console.log(JSON.stringify(await query(opt('--query')), null, 1));
  } else if (has('--rightsizing')) {
    let ok = true;
    for (const c of CHECKS) {
      const result = await query(c.expr);
      if (result.length === 0) ok = false;
      for (const r of result) {
        const v = Number(r.value[1]);
        const good = v === c.want;
        ok &&= good;
        console.log(`  ${good ? 'ok  ' : 'BAD '} ${c.name.padEnd(20)} pod=${r.metric.pod.padEnd(28)} ${r.value[1]}   (want ${c.want})`);
      }
      if (result.length === 0) console.log(`  BAD  ${c.name.padEnd(20)} no data`);
      if (!has('--check')) console.log(`       ${c.expr}`);
    }
    process.exit(has('--check') && !ok ? 1 : 0);
  } else {
    console.error('promq: one of --ready, --query, --rightsizing');
    process.exit(2);
  }
} catch (e) {
  if (!has('--ready')) console.error(`promq: ${e.message}`);
  process.exit(1);
}
