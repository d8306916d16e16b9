/**
 * A real Prometheus for tests: history written as OpenMetrics, turned into TSDB blocks by
 * promtool, served by a prometheus child process on a free 127.0.0.1 port (TESTBED.md,
 * "Prometheus with history"). Fails, never skips, when the binaries are missing.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function requireBinary(name: string): void {
  if (spawnSync(name, ["--version"]).error !== undefined) {
    throw new Error(`${name} is not installed: apt-get install -y prometheus (these tests need a real Prometheus${process.env["CI"] === "true" ? "; CI must provide it" : ""})`);
  }
}

export async function startPrometheus(openMetrics: string): Promise<RunningPrometheus> {
  requireBinary("promtool");
  requireBinary("prometheus");
  const dir = await mkdtemp(join(tmpdir(), "aiops-prometheus-"));
  await writeFile(join(dir, "data.om"), openMetrics);
  await writeFile(join(dir, "prometheus.yml"), "scrape_configs: []\n");
  const created = spawnSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", join(dir, "data.om"), join(dir, "data")], { encoding: "utf8" });
  if (created.status !== 0) throw new Error(`promtool failed: ${created.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    "prometheus",
    [`--storage.tsdb.path=${join(dir, "data")}`, "--storage.tsdb.retention.time=30d", `--web.listen-address=127.0.0.1:${port}`, `--config.file=${join(dir, "prometheus.yml")}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`prometheus did not become ready on ${url}:\n${log}`);
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  /** [unix seconds, value] in time order. */
  samples: [number, number][];
}

/** OpenMetrics text; families grouped as the format requires, counters named *_total. */
export function toOpenMetrics(series: Series[], types: Record<string, "gauge" | "counter">): string {
  const lines: string[] = [];
  for (const [name, type] of Object.entries(types)) {
    lines.push(`# TYPE ${type === "counter" ? name.replace(/_total$/, "") : name} ${type}`);
    for (const s of series.filter((x) => x.name === name)) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(",");
      for (const [t, v] of s.samples) lines.push(`${name}{${labels}} ${v} ${t}`);
    }
  }
  lines.push("# EOF", "");
  return lines.join("\n");
}
