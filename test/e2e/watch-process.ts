import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ROOT, testbed } from "./testbed.ts";

/** One line of `kubectl aiops watch -o json` on stdout. */
export interface WatchLine {
  event: "opened" | "resolved";
  incident: string;
  categories?: string;
  mttd_seconds?: number;
  record?: string;
  path?: string;
}

/**
 * `kubectl aiops watch -o json` as its own process, through kubectl's plugin lookup: its stdout
 * lines parsed as they come, its stderr kept for the failure messages.
 */
export class WatchProcess {
  readonly lines: WatchLine[] = [];
  stderr = "";
  readonly child: ChildProcess;

  constructor(args: string[], kubeconfig: string = testbed().kubeconfig) {
    const bed = testbed();
    this.child = spawn(bed.kubectl, ["aiops", "watch", ...args], {
      env: { ...process.env, PATH: `${path.join(ROOT, "plugin")}:${bed.binDir}:${process.env["PATH"] ?? ""}`, KUBECONFIG: kubeconfig, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffer = "";
    this.child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const part of parts) if (part.trim() !== "") this.lines.push(JSON.parse(part) as WatchLine);
    });
    this.child.stderr?.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
  }

  /** Polls `probe` until it gives a value; fails at once when watch exits, with its output on timeout. */
  async waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = probe();
      if (found !== undefined) return found;
      if (this.child.exitCode !== null) throw new Error(`watch exited (${this.child.exitCode}) while waiting for ${what}:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; watch stdout: ${JSON.stringify(this.lines)}\nwatch stderr:\n${this.stderr}`);
  }

  /** SIGTERM, then SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
