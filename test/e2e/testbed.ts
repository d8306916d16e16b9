import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TESTBED_DIR = path.join(ROOT, ".testbed");

export interface Testbed {
  kubeconfig: string;
  users: Record<"alice" | "bob" | "sec" | "viewer", string>;
  prometheusUrl: string;
  binDir: string;
  kubectl: string;
}

/** Reads `.testbed/env` (written by `npm run testbed -- up`). */
export function readTestbedEnv(): Record<string, string> | undefined {
  const file = path.join(TESTBED_DIR, "env");
  if (!existsSync(file)) return undefined;
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined) env[match[1]] = (match[2] ?? "").replace(/^["']|["']$/g, "");
  }
  return env;
}

export function testbed(): Testbed {
  const env = readTestbedEnv();
  if (env === undefined) throw new Error("the test bed is not running: npm run testbed -- up --scenarios");
  const binDir = env["TESTBED_BIN"] ?? "";
  const user = (name: string): string => path.join(TESTBED_DIR, "users", `${name}.kubeconfig`);
  return {
    kubeconfig: env["KUBECONFIG"] ?? path.join(TESTBED_DIR, "kubeconfig"),
    users: { alice: user("alice"), bob: user("bob"), sec: user("sec"), viewer: user("viewer") },
    prometheusUrl: env["PROMETHEUS_URL"] ?? "",
    binDir,
    kubectl: path.join(binDir, "kubectl"),
  };
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real kubectl with plugin/ first on PATH, so `kubectl aiops ...` goes through kubectl's
 * plugin lookup exactly as a user's would.
 */
export function kubectl(args: readonly string[], options: { kubeconfig?: string; env?: Record<string, string>; timeoutMs?: number; input?: string } = {}): RunResult {
  const bed = testbed();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(ROOT, "plugin")}:${bed.binDir}:${process.env["PATH"] ?? ""}`,
    KUBECONFIG: options.kubeconfig ?? bed.kubeconfig,
    NO_COLOR: "1",
    ...options.env,
  };
  const result: SpawnSyncReturns<string> = spawnSync(bed.kubectl, [...args], { env, encoding: "utf8", timeout: options.timeoutMs ?? 60_000, input: options.input ?? "", maxBuffer: 256 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The demo app's image (scripts/testbed/demo-app), imported into the real node's containerd. */
export const DEMO_IMAGE = "127.0.0.1:5000/demo:1";

/** Pod spec lines (6-space indent) that put a pod on the real node: its label and its taint. */
export const REAL_NODE_PLACEMENT = `      nodeSelector: {aiops.dev/real-node: "true"}
      tolerations: [{key: aiops.dev/real-node, operator: Exists, effect: NoSchedule}]
      terminationGracePeriodSeconds: 2
`;

/**
 * Creates a namespace and waits for its default ServiceAccount: the API server's ServiceAccount
 * admission refuses pods until the controller-manager has made it.
 */
export async function createNamespace(namespace: string): Promise<void> {
  const created = kubectl(["create", "namespace", namespace]);
  if (created.status !== 0) throw new Error(`kubectl create namespace ${namespace}: ${created.stderr}`);
  const deadline = Date.now() + 30_000;
  while (kubectl(["get", "serviceaccount", "default", "-n", namespace]).status !== 0) {
    if (Date.now() > deadline) throw new Error(`namespace ${namespace} has no default ServiceAccount after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The failing scenario namespaces of TESTBED.md and the category each must be diagnosed as. */
export const SCENARIO_CATEGORIES: Record<string, string> = {
  "crashloop-missing-env": "CrashLoopBackOff",
  "oomkill-memory-leak": "OOMKilled",
  "imagepull-bad-tag": "ImagePullError",
  "liveness-failure": "LivenessProbeFailure",
  "readiness-failure": "ReadinessProbeFailure",
  "pending-no-resources": "Unschedulable",
  "service-wrong-selector": "ServiceNoEndpoints",
};

/** A Deployment `web` (label app=web, nginx image) for the suites that make their own namespace. */
export function webDeployment(namespace: string, replicas: number, resources: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${namespace}, labels: {app: web}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27.3
        resources: ${resources}
`;
}

/**
 * A kwok Stage (for pods on the kwok nodes) that turns the Pending pods labelled
 * `sim/scenario=<namespace>, sim/fault=crashloop` into crash-looping ones (restartCount 3, exit 1,
 * a BackOff event): what a change that breaks the pods looks like, without a real node.
 */
export function crashloopStage(name: string, namespace: string, suite: string): string {
  return `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: ${name}, labels: {aiops-e2e: ${suite}}}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchLabels: {sim/scenario: ${namespace}, sim/fault: crashloop}
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: DoesNotExist}
    - {key: '.status.phase', operator: In, values: [Pending]}
  delay: {durationMilliseconds: 500}
  steps:
  - event: {type: Warning, reason: BackOff, message: 'Back-off restarting failed container web'}
  - patch:
      subresource: status
      root: status
      template: |
        {{ $now := Now }}
        conditions:
        - {type: Ready, status: "False", reason: ContainersNotReady, lastTransitionTime: {{ $now | Quote }}}
        containerStatuses:
        {{ range .spec.containers }}
        - name: {{ .name | Quote }}
          image: {{ .image | Quote }}
          ready: false
          started: false
          restartCount: 3
          state: {waiting: {reason: CrashLoopBackOff, message: back-off restarting failed container}}
          lastState: {terminated: {exitCode: 1, reason: Error, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}}
        {{ end }}
        phase: Running
        startTime: {{ $now | Quote }}
`;
}
