import type { Pod } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { allContainerStatuses, makeFinding, oneLine, remediate, truncate } from "../finding.ts";
import { RECOVERED_AFTER_S } from "../thresholds.ts";
import type { Rule } from "../types.ts";
import { containerConfigError } from "./container-config-error.ts";
import { containerCreateError } from "./container-create-error.ts";
import { containerExitError } from "./container-exit-error.ts";
import { crashLoopBackOff } from "./crash-loop-back-off.ts";
import { evicted } from "./evicted.ts";
import { imagePullError } from "./image-pull-error.ts";
import { initContainerFailure } from "./init-container-failure.ts";
import { livenessProbeFailure } from "./liveness-probe-failure.ts";
import { oomKilled } from "./oomkilled.ts";
import { readinessProbeFailure } from "./readiness-probe-failure.ts";
import { isTerminating } from "./shared.ts";
import { startupProbeFailure } from "./startup-probe-failure.ts";
import { stuckContainerCreating } from "./stuck-container-creating.ts";
import { unschedulable } from "./unschedulable.ts";

/** The pod rules that explain a container (or, without one, the whole pod) better than its logs. */
const EXPLAINING: readonly Rule[] = [
  crashLoopBackOff,
  oomKilled,
  imagePullError,
  containerConfigError,
  containerCreateError,
  containerExitError,
  initContainerFailure,
  livenessProbeFailure,
  readinessProbeFailure,
  startupProbeFailure,
  unschedulable,
  stuckContainerCreating,
  evicted,
];

/**
 * What makes a log line an error line. Case matters: upper-case level words, a structured log's
 * level field, a line that starts with its level, and the first line of a crash (Go panic,
 * Python traceback, an exception class). A lower-case "error" inside a sentence is not enough.
 */
const ERROR_LINE: readonly RegExp[] = [
  /\b(?:ERROR|ERR|FATAL|PANIC|CRITICAL|SEVERE)\b/,
  /\b(?:level|lvl|severity|loglevel)"?\s*[=:]\s*"?(?:error|err|fatal|panic|critical|crit|severe)\b/i,
  /"level"\s*:\s*(?:50|60)\b/, // pino and bunyan: 50 error, 60 fatal
  /^\s*(?:\[?[\d\-:T.,/Z+]+\]?\s+){0,2}(?:\[(?:error|fatal|panic|emerg|crit)\]|(?:error|fatal|panic):)\s/i, // "[error] ...", "2026-03-10 12:00:00 error: ..."
  /^[EF]\d{4} \d\d:\d\d:\d\d/, // klog
  /^(?:panic|fatal error): /,
  /^Traceback \(most recent call last\)/,
  /^(?:Caused by: |Exception in thread )|^(?:[\w$]+\.)*(?:[A-Z]\w*)?(?:Exception|Error)(?::\s|$)/,
  /thread '[^']*' panicked at/,
  /\bUnhandled(?:PromiseRejection|Rejection| exception)/i,
];
/** "0 errors", "no failures", "errors=0": a report that nothing failed. */
const NOTHING_FAILED = /\b(?:0|no|zero|without)\s+(?:errors?|failures?|exceptions?)\b|\berrors?\s*[=:]\s*0\b/i;

export function isErrorLine(line: string): boolean {
  return ERROR_LINE.some((pattern) => pattern.test(line)) && !NOTHING_FAILED.test(line);
}

/**
 * Error lines in the gathered (already redacted) logs of a container that no other rule explains:
 * a container that runs but reports failures, a hint before it breaks. Low severity: a log line
 * is weaker evidence than a status. The previous instance's logs count only while its end is
 * recent or the container is not ready again.
 */
export const errorLogs: Rule = {
  id: "pod.error-logs",
  category: "ErrorLogs",
  kinds: ["Pod"],
  evaluate(object, ctx) {
    const pod = object as Pod;
    if (isTerminating(pod)) return [];
    const candidates = allContainerStatuses(pod).flatMap(({ status }) => {
      const logs = ctx.logsOf(pod, status.name);
      if (logs === undefined) return [];
      const previousCounts = !status.ready || ctx.ageSeconds(status.lastState?.terminated?.finishedAt) <= RECOVERED_AFTER_S;
      const sources = [...(previousCounts ? [{ source: "previous", lines: logs.previous ?? [] }] : []), { source: "current", lines: logs.current ?? [] }];
      const found = sources.flatMap(({ source, lines }) => lines.filter(isErrorLine).map((line) => ({ source, line })));
      const total = sources.reduce((n, s) => n + s.lines.length, 0);
      return found.length === 0 ? [] : [{ container: status.name, found, total }];
    });
    if (candidates.length === 0) return [];
    const explained = explainedContainers(pod, ctx);
    if (explained === "pod") return [];

    return candidates
      .filter((c) => !explained.has(c.container))
      .map(({ container, found, total }) => {
        const shown = found.slice(-5);
        return makeFinding(errorLogs, {
          object: pod,
          container,
          severity: "low",
          confidence: 0.6,
          summary: `Container ${container} logs ${found.length} error line(s) that no other finding explains; the last: "${truncate(oneLine(shown[shown.length - 1]?.line ?? ""), 120)}".`,
          evidence: [`${found.length} error line(s) among the last ${total} log line(s) of ${container}`, ...shown.map(({ source, line }) => `logs ${container} (${source}): "${truncate(oneLine(line), 200)}"`)],
          remediation: remediate(ctx, "investigate", `Read the logs of ${container} (kubectl logs ${pod.metadata.name} -c ${container}); the errors may name a dependency or a bug that has not broken the container yet.`, pod),
        });
      });
  },
};

/** Containers another rule has a finding for; "pod" when one explains the pod as a whole. */
function explainedContainers(pod: Pod, ctx: RuleContext): Set<string> | "pod" {
  const containers = new Set<string>();
  for (const rule of EXPLAINING) {
    for (const finding of rule.evaluate(pod, ctx)) {
      if (finding.container === undefined) return "pod";
      containers.add(finding.container);
    }
  }
  return containers;
}
