/**
 * Helpers several rules share: conditions, recent events, exit codes, log hints, pod readiness
 * and resource quantities. A helper lives here only when two or more rules need it.
 */
import type { Remediation } from "../types.ts";
import { parseQuantity, type Nanos } from "../../recommend/quantity.ts";
import { redactLines } from "../../util/redact.ts";
import type { Condition, Container, ContainerStateTerminated, ContainerStatus, KubeEvent, KubeObject, Pod, Probe } from "../../model/k8s.ts";
import { eventTime, type RuleContext } from "../context.ts";
import { allContainerStatuses, eventsWith, forContainer, oneLine, remediate, truncate } from "../finding.ts";
import { CRASHLOOP_MIN_RESTARTS, EVENT_RECENT_S } from "../thresholds.ts";

/** A PVC Pending shorter than this is still being provisioned or bound. */
export const PVC_GRACE_S = 2 * 60;

export function conditionOf(object: KubeObject, type: string): Condition | undefined {
  const conditions = (object.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  return conditions.find((c) => c.type === type);
}


/** Events that last happened within EVENT_RECENT_S of `now`: older ones are history. */
export function recentEvents(ctx: RuleContext, events: readonly KubeEvent[]): KubeEvent[] {
  return events.filter((e) => (ctx.now - eventTime(e)) / 1000 <= EVENT_RECENT_S);
}

export function isTerminating(object: KubeObject): boolean {
  return object.metadata.deletionTimestamp !== undefined;
}

/**
 * A container that failed again after the kubelet already restarted it, and that the kubelet will
 * restart once more after a back-off: a crash loop, even in the seconds before the kubelet reports
 * `waiting: CrashLoopBackOff` (a real kubelet shows `state.terminated` until its next sync).
 */
export function isFailingAgain(pod: Pod, status: ContainerStatus): boolean {
  const current = status.state?.terminated;
  if (current === undefined || current.exitCode === 0 || status.restartCount < CRASHLOOP_MIN_RESTARTS) return false;
  return (pod.spec.restartPolicy ?? "Always") !== "Never";
}

export function podIsReady(pod: Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
}

/** The spec of a container or init container by name. */
export function containerSpec(pod: Pod, name: string): { spec: Container; path: string } | undefined {
  const main = pod.spec.containers.find((c) => c.name === name);
  if (main !== undefined) return { spec: main, path: `spec.containers[${name}]` };
  const init = (pod.spec.initContainers ?? []).find((c) => c.name === name);
  return init === undefined ? undefined : { spec: init, path: `spec.initContainers[${name}]` };
}

const SIGNALS: Record<number, string> = { 2: "SIGINT", 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM" };

/**
 * What an exit code says about the cause, in words an operator acts on. 126/127 come from the
 * shell or runtime that could not run the command; 128+N is death by signal N.
 */
export function exitCause(t: ContainerStateTerminated, spec?: Container): string {
  const command = [...(spec?.command ?? []), ...(spec?.args ?? [])].join(" ");
  const shown = command === "" ? "the image's entrypoint" : `\`${truncate(command, 80)}\``;
  const code = t.exitCode;
  if (code === 0) return "exited 0 (the process finished, but it is restarted because it is meant to keep running)";
  if (code === 127) return `exit 127: command not found (${shown} does not exist in the image or is not on PATH)`;
  if (code === 126) return `exit 126: command not executable (${shown}: missing execute permission or wrong binary format)`;
  if (code === 137) return "exit 137: killed by SIGKILL (a liveness probe, a kill from outside, or memory pressure)";
  if (code === 139) return "exit 139: segmentation fault (SIGSEGV) in the application";
  if (code === 143) return "exit 143: terminated by SIGTERM (asked to stop: probe failure, eviction or shutdown)";
  if (code === 134) return "exit 134: aborted (SIGABRT), usually an assertion or a runtime panic";
  if (code === 1) return "exit 1: application error (the process reported a failure)";
  if (code > 128 && code < 160) return `exit ${code}: killed by signal ${SIGNALS[code - 128] ?? code - 128}`;
  return `exit ${code}: the process reported a failure`;
}

/** The last log lines of a container, from the previous instance first (it holds the crash). */
export function lastLogLines(ctx: RuleContext, pod: Pod, container: string, max = 5): { source: LogSource; lines: string[] } | undefined {
  const logs = ctx.logsOf(pod, container);
  for (const source of ["previous", "current"] as const) {
    const lines = nonEmptyLines(logs?.[source] ?? []);
    if (lines.length > 0) return { source, lines: lines.slice(-max) };
  }
  // Offline, or without pods/log access: the kubelet keeps the log tail of a crashed container in
  // its termination message (terminationMessagePolicy: FallbackToLogsOnError).
  const status = allContainerStatuses(pod).find((s) => s.status.name === container)?.status;
  const message = status?.lastState?.terminated?.message ?? status?.state?.terminated?.message;
  const lines = nonEmptyLines(redactLines((message ?? "").split("\n")));
  return lines.length > 0 ? { source: "termination message", lines: lines.slice(-max) } : undefined;
}

type LogSource = "previous" | "current" | "termination message";

function nonEmptyLines(lines: readonly string[]): string[] {
  return lines.map((l) => l.trimEnd()).filter((l) => l.trim() !== "");
}

export function describeLogs(container: string, logs: { source: LogSource; lines: string[] }): string {
  return `logs ${container} (${logs.source}, last ${logs.lines.length}): ${logs.lines.map((l) => `"${truncate(oneLine(l), 160)}"`).join(" | ")}`;
}

export type LogHint =
  | { kind: "env"; variable: string; text: string; source?: { kind: "Secret" | "ConfigMap"; name: string; key?: string } }
  | { kind: "dependency" | "exec-format" | "permission"; text: string };

const NOT_VARIABLES = new Set(["ERROR", "FATAL", "WARN", "WARNING", "INFO", "DEBUG", "PANIC", "ENV", "NOT", "SET", "THE"]);

/**
 * The cause a crash's last log lines name, when they name one the operator can act on: a
 * missing environment variable (and where the spec says it comes from), an unreachable
 * dependency, a binary for another CPU architecture, a permission problem.
 */
export function logHint(lines: readonly string[], spec?: Container): LogHint | undefined {
  for (const line of [...lines].reverse()) {
    const variable = envVariableIn(line);
    if (variable !== undefined) return envHint(variable, spec);
  }
  const text = lines.join("\n");
  if (/exec format error/i.test(text)) return { kind: "exec-format", text: "the binary is built for another CPU architecture (exec format error)" };
  if (/connection refused|ECONNREFUSED|no such host|ENOTFOUND|i\/o timeout|ETIMEDOUT|could not connect|connection reset/i.test(text)) {
    return { kind: "dependency", text: "a dependency is unreachable (connection refused, DNS or timeout in the logs)" };
  }
  if (/permission denied|EACCES|read-only file system/i.test(text)) return { kind: "permission", text: "a file or directory is not writable (permission denied)" };
  return undefined;
}

function envVariableIn(line: string): string | undefined {
  const keyError = /KeyError: ['"]([A-Za-z_][A-Za-z0-9_]*)['"]/.exec(line);
  if (keyError?.[1] !== undefined) return keyError[1];
  if (!/\benv|variable/i.test(line) || !/not set|not defined|missing|required|undefined|must be set|empty|unset/i.test(line)) return undefined;
  for (const match of line.matchAll(/\b[A-Z][A-Z0-9_]{2,}\b/g)) {
    if (!NOT_VARIABLES.has(match[0])) return match[0];
  }
  return undefined;
}

function envHint(variable: string, spec?: Container): LogHint {
  const env = spec?.env?.find((e) => e.name === variable);
  const secretRef = env?.valueFrom?.secretKeyRef;
  if (secretRef !== undefined) return { kind: "env", variable, text: `environment variable ${variable} is missing or empty; it comes from key ${secretRef.key} of Secret ${secretRef.name}`, source: { kind: "Secret", name: secretRef.name, key: secretRef.key } };
  const configRef = env?.valueFrom?.configMapKeyRef;
  if (configRef !== undefined) return { kind: "env", variable, text: `environment variable ${variable} is missing or empty; it comes from key ${configRef.key} of ConfigMap ${configRef.name}`, source: { kind: "ConfigMap", name: configRef.name, key: configRef.key } };
  if (env !== undefined) return { kind: "env", variable, text: `environment variable ${variable} is set in the spec but the application rejects its value` };
  const from = spec?.envFrom ?? [];
  const secret = from.find((f) => f.secretRef !== undefined)?.secretRef;
  if (secret !== undefined) return { kind: "env", variable, text: `environment variable ${variable} is missing; it is not in the spec, so it should come from envFrom Secret ${secret.name}`, source: { kind: "Secret", name: secret.name } };
  const configMap = from.find((f) => f.configMapRef !== undefined)?.configMapRef;
  if (configMap !== undefined) return { kind: "env", variable, text: `environment variable ${variable} is missing; it is not in the spec, so it should come from envFrom ConfigMap ${configMap.name}`, source: { kind: "ConfigMap", name: configMap.name } };
  return { kind: "env", variable, text: `environment variable ${variable} is missing: the container spec does not define it (add it, from a Secret or ConfigMap)` };
}

/** Why a pod is not ready, in a few words: `web-1: api CrashLoopBackOff`. */
export function whyNotReady(pod: Pod): string {
  const name = pod.metadata.name;
  if (isTerminating(pod)) return `${name}: terminating`;
  const phase = pod.status?.phase ?? "Unknown";
  if (phase === "Failed" || phase === "Succeeded") return `${name}: phase ${phase}${pod.status?.reason === undefined ? "" : ` (${pod.status.reason})`}`;
  const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  if (scheduled?.status === "False") return `${name}: not scheduled (${scheduled.reason ?? "Pending"})`;
  const reasons = allContainerStatuses(pod)
    .map(({ status, init }) => containerProblem(status, init))
    .filter((r): r is string => r !== undefined);
  if (reasons.length > 0) return `${name}: ${reasons.join(", ")}`;
  return `${name}: phase ${phase}, not ready`;
}

function containerProblem(status: ContainerStatus, init: boolean): string | undefined {
  const label = init ? `init container ${status.name}` : status.name;
  const waiting = status.state?.waiting?.reason;
  if (waiting !== undefined) return `${label} ${waiting}`;
  const t = status.state?.terminated;
  if (t !== undefined && t.exitCode !== 0) return `${label} terminated ${t.reason ?? "Error"} exit ${t.exitCode}`;
  if (!init && status.state?.running !== undefined && !status.ready) return `${label} running but not ready`;
  if (init && status.state?.running !== undefined) return `${label} still running`;
  return undefined;
}

/** Ready pods of the pod's own controller other than the pod: replicas still serving. */
export function otherReadyReplicas(pod: Pod, ctx: RuleContext): number {
  const controller = ctx.controllerOf(pod);
  if (controller === undefined) return 0;
  return ctx.podsOf(controller).filter((p) => p !== pod && podIsReady(p) && !isTerminating(p)).length;
}

/** `httpGet :8080/healthz initialDelaySeconds=0 timeoutSeconds=1 periodSeconds=10 failureThreshold=3`. */
export function describeProbe(path: string, probe: Probe): string {
  const handler =
    probe.httpGet !== undefined
      ? `httpGet :${probe.httpGet.port ?? "-"}${probe.httpGet.path ?? "/"}`
      : probe.tcpSocket !== undefined
        ? `tcpSocket :${probe.tcpSocket.port ?? "-"}`
        : probe.exec !== undefined
          ? `exec ${truncate((probe.exec.command ?? []).join(" "), 60)}`
          : probe.grpc !== undefined
            ? `grpc :${probe.grpc.port ?? "-"}`
            : "handler -";
  // Print the defaults the kubelet applies, so the reader sees the effective timing.
  return `${path}: ${handler} initialDelaySeconds=${probe.initialDelaySeconds ?? 0} timeoutSeconds=${probe.timeoutSeconds ?? 1} periodSeconds=${probe.periodSeconds ?? 10} failureThreshold=${probe.failureThreshold ?? 3}`;
}

/** The reason of a probe failure message, for the summary: timeout, refused or an HTTP status. */
export function probeFailureCause(message: string): string {
  const status = /statuscode: (\d+)/i.exec(message);
  if (status?.[1] !== undefined) return `the endpoint answers HTTP ${status[1]}`;
  if (/deadline exceeded|timeout|timed out/i.test(message)) return "the endpoint does not answer within timeoutSeconds";
  if (/connection refused/i.test(message)) return "nothing listens on the probed port (connection refused)";
  if (/no such file|not found/i.test(message)) return "the probe command does not exist in the image";
  return "the probe fails";
}

/** A quantity in nano-units, or undefined when absent or malformed (bad input is no evidence). */
export function quantityOf(quantity: string | undefined): Nanos | undefined {
  if (quantity === undefined) return undefined;
  try {
    return parseQuantity(quantity.trim(), { precision: "round-up" });
  } catch {
    return undefined;
  }
}

/** A quantity for people, rounded: cpu in cores or millicores, bytes in Mi/Gi. */
export function formatQuantity(resource: string, nanos: Nanos): string {
  const value = Number(nanos) / 1e9;
  if (resource === "cpu" || resource.endsWith(".cpu")) return value < 1 ? `${Math.round(value * 1000)}m` : `${+value.toFixed(2)}`;
  if (/memory|storage/.test(resource)) return value >= 2 ** 30 ? `${+(value / 2 ** 30).toFixed(2)}Gi` : `${Math.round(value / 2 ** 20)}Mi`;
  return `${+value.toFixed(2)}`;
}

/**
 * What the scheduler reserves for a pod: the sum of its containers' requests, or the largest
 * init container request when that is larger (init containers run one at a time).
 */
export function podRequests(pod: Pod): Record<string, Nanos> {
  const total: Record<string, Nanos> = {};
  for (const c of pod.spec.containers) {
    for (const [resource, q] of Object.entries(c.resources?.requests ?? {})) total[resource] = (total[resource] ?? 0n) + (quantityOf(q) ?? 0n);
  }
  for (const c of pod.spec.initContainers ?? []) {
    for (const [resource, q] of Object.entries(c.resources?.requests ?? {})) {
      const value = quantityOf(q) ?? 0n;
      if (value > (total[resource] ?? 0n)) total[resource] = value;
    }
  }
  return total;
}

/** A Secret or ConfigMap (or one of its keys) a message says is missing. */
export interface Missing {
  kind: "Secret" | "ConfigMap";
  name: string;
  key?: string;
}

/** Parses `secret "x" not found` and `couldn't find key K in ConfigMap ns/x` (kubelet messages). */
export function parseMissing(message: string): Missing | undefined {
  const key = /couldn't find key (\S+) in (Secret|ConfigMap) (?:[^/\s]+\/)?([^\s"]+)/i.exec(message);
  if (key?.[1] !== undefined && key[3] !== undefined) return { kind: kindOf(key[2]), name: key[3], key: key[1] };
  const object = /(secret|configmap)s? "([^"]+)" not found/i.exec(message);
  if (object?.[2] !== undefined) return { kind: kindOf(object[1]), name: object[2] };
  return undefined;
}

function kindOf(word: string | undefined): "Secret" | "ConfigMap" {
  return word?.toLowerCase() === "secret" ? "Secret" : "ConfigMap";
}

/**
 * The fix a failed process's exit code or log hint points at, when it points at one: a missing
 * variable (its Secret or ConfigMap), a command not in the image, a broken binary. Undefined
 * when neither says more than "the application failed".
 */
export function exitRemediation(ctx: RuleContext, container: string, workload: KubeObject, f: { exitCode?: number | undefined; hint?: LogHint | undefined }): Remediation | undefined {
  const target = `${workload.kind}/${workload.metadata.name}`;
  const hint = f.hint;
  if (hint?.kind === "env") {
    const source = hint.source;
    if (source?.kind === "Secret") return remediate(ctx, "secret", `Check Secret ${source.name}${source.key === undefined ? "" : ` key ${source.key}`}: ${hint.variable} must be present and non-empty.`, workload);
    const where = source === undefined ? `the env of container ${container} in ${target}` : `ConfigMap ${source.name}${source.key === undefined ? "" : ` key ${source.key}`}`;
    return remediate(ctx, "config", `Provide ${hint.variable}: check ${where}.`, workload);
  }
  if (f.exitCode === 127 || f.exitCode === 126) return remediate(ctx, "config", `Fix the command/args of ${container} in ${target}, or use an image that contains it.`, workload);
  if (f.exitCode === 139 || hint?.kind === "exec-format") return remediate(ctx, "image", `Use a working image for ${container} in ${target} (roll back to the last good tag, or one built for the node's architecture).`, workload);
  return undefined;
}

/**
 * Recent `Unhealthy` events of one probe kind for a container, and the kubelet's `Killing`
 * events that restarted it for that probe ("Container app failed liveness probe, will be
 * restarted").
 */
export function probeEvents(ctx: RuleContext, pod: Pod, container: string, probe: "Liveness" | "Readiness" | "Startup"): { unhealthy: KubeEvent[]; kills: KubeEvent[] } {
  const unhealthy = recentEvents(ctx, forContainer(eventsWith(ctx, pod, ["Unhealthy"], new RegExp(`^${probe} probe failed`, "i")), container));
  const kills = recentEvents(ctx, forContainer(eventsWith(ctx, pod, ["Killing"], new RegExp(`failed ${probe} probe`, "i")), container));
  return { unhealthy, kills };
}
