import { spawnSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { STARTING_GRACE_S } from "../../src/diagnose/thresholds.ts";
import { ROOT, TESTBED_DIR, readTestbedEnv } from "./testbed.ts";

/**
 * Starts the test bed for the end-to-end suite unless it already runs, and stops it afterwards
 * if it was started here. Without Go (needed to build it), or on a machine that cannot run the
 * real node's kubelet (not root, no cgroups, no CAP_NET_ADMIN), the suite cannot run: that is
 * said loudly, and under CI=true it is a failure, never a silent skip.
 *
 * When it starts the test bed, it snapshots the machine first (scripts/testbed/machine-state.sh:
 * links, routes, nft rules, mounts, cgroups, sysctls, processes) and compares after `down`: the
 * real node must leave the machine as it found it.
 */
let startedHere = false;
let machineBefore: string | undefined;

function machineState(): string {
  const state = spawnSync("bash", ["scripts/testbed/machine-state.sh"], { cwd: ROOT, encoding: "utf8" });
  return state.stdout;
}

/** Why this machine cannot run the real node, or undefined when it can. */
function nodeUnsupported(): string | undefined {
  const probe = spawnSync("bash", ["scripts/testbed.sh", "node-supported"], { cwd: ROOT, encoding: "utf8" });
  return probe.status === 0 ? undefined : (probe.stdout + probe.stderr).trim() || `exit ${probe.status}`;
}

function notRunnable(message: string, project: TestProject): void {
  if (process.env["CI"] === "true") throw new Error(message);
  process.stderr.write(`\n*** ${message} ***\n\n`);
  project.provide("testbedAvailable", false);
}

function running(): boolean {
  const env = readTestbedEnv();
  if (env === undefined) return false;
  const kubectl = path.join(env["TESTBED_BIN"] ?? "", "kubectl");
  if (!existsSync(kubectl)) return false;
  const probe = spawnSync(kubectl, ["--kubeconfig", env["KUBECONFIG"] ?? path.join(TESTBED_DIR, "kubeconfig"), "get", "--raw", "/readyz", "--request-timeout=5s"], { encoding: "utf8" });
  return probe.status === 0;
}

function goAvailable(): boolean {
  return spawnSync("go", ["version"], { encoding: "utf8" }).status === 0 || existsSync("/usr/local/go/bin/go");
}

export async function setup(project: TestProject): Promise<void> {
  project.provide("testbedAvailable", true);
  if (running()) {
    if (!scenariosReady()) {
      const scenarios = spawnSync("bash", ["scripts/testbed.sh", "scenarios"], { cwd: ROOT, stdio: "inherit" });
      if (scenarios.status !== 0) throw new Error("npm run testbed -- scenarios failed: see the output above");
    }
    await settle();
    return;
  }
  if (!goAvailable()) {
    notRunnable("END-TO-END SUITE NOT RUN: Go is not installed, so the test bed (kube-apiserver, kubelet, containerd, kwok, etcd) cannot be built. Install Go >= 1.26 and rerun npm test.", project);
    return;
  }
  const unsupported = nodeUnsupported();
  if (unsupported !== undefined) {
    notRunnable(`END-TO-END SUITE NOT RUN: this machine cannot run the test bed's real node (${unsupported}). Run npm test as root on a machine with cgroups and network namespaces.`, project);
    return;
  }
  machineBefore = machineState();
  process.stderr.write("starting the test bed (the first run builds Kubernetes, containerd and runc from Go modules: about 12-15 min on 2 cores)...\n");
  const up = spawnSync("bash", ["scripts/testbed.sh", "up", "--scenarios"], { cwd: ROOT, stdio: "inherit" });
  if (up.status !== 0) throw new Error("npm run testbed -- up --scenarios failed: see the output above (logs in .testbed/logs)");
  startedHere = true;
  await settle();
}

/** Every scenario namespace exists and is in its intended state (`testbed status`). */
function scenariosReady(): boolean {
  const status = spawnSync("bash", ["scripts/testbed.sh", "status"], { cwd: ROOT, encoding: "utf8" });
  const rows = status.stdout.split("\n").filter((line) => /^[a-z-]+\s+(ok|NOT-OK|absent)\b/.test(line));
  return status.status === 0 && rows.length >= 9 && rows.every((line) => /^\S+\s+ok\b/.test(line));
}

/**
 * Fresh scenario pods are still "starting" for the rules (STARTING_GRACE_S): a pod that failed its
 * first readiness probe 5 seconds ago is not yet a finding. Wait until the youngest is past it.
 */
async function settle(): Promise<void> {
  const env = readTestbedEnv();
  const kubectl = path.join(env?.["TESTBED_BIN"] ?? "", "kubectl");
  const pods = spawnSync(kubectl, ["--kubeconfig", env?.["KUBECONFIG"] ?? "", "get", "pods", "-A", "-l", "sim/scenario", "-o", "jsonpath={.items[*].metadata.creationTimestamp}"], { encoding: "utf8" });
  const youngest = Math.max(0, ...pods.stdout.split(/\s+/).filter((t) => t !== "").map((t) => Date.parse(t)));
  const wait = youngest + (STARTING_GRACE_S + 5) * 1000 - Date.now();
  if (wait > 0) {
    process.stderr.write(`waiting ${Math.ceil(wait / 1000)}s for the scenario pods to be past their start grace...\n`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export async function teardown(): Promise<void> {
  if (!startedHere || process.env["AIOPS_KEEP_TESTBED"] === "1") return;
  spawnSync("bash", ["scripts/testbed.sh", "down"], { cwd: ROOT, stdio: "inherit" });
  if (machineBefore === undefined) return;
  const after = machineState();
  if (after !== machineBefore) {
    const dir = mkdtempSync(path.join(tmpdir(), "aiops-machine-state-"));
    writeFileSync(path.join(dir, "before.txt"), machineBefore);
    writeFileSync(path.join(dir, "after.txt"), after);
    const diff = spawnSync("diff", ["-u", path.join(dir, "before.txt"), path.join(dir, "after.txt")], { encoding: "utf8" }).stdout;
    throw new Error(`npm run testbed -- down left the machine changed (before/after in ${dir}):\n${diff}`);
  }
  process.stderr.write("testbed down: the machine is as it was before up (links, routes, nft, mounts, cgroups, sysctls, processes)\n");
}

declare module "vitest" {
  export interface ProvidedContext {
    testbedAvailable: boolean;
  }
}
