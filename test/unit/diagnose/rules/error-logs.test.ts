import { describe, expect, it } from "vitest";
import { errorLogs, isErrorLine } from "../../../../src/diagnose/rules/error-logs.ts";
import { ago, event, evidenceWith, HOUR, logsFor, MIN, pod, podRef, running, term, testRule, waiting } from "../../../helpers/objects.ts";

const api = pod("api-1");
const recovered = pod("api-2", { statuses: [running("app", { restarts: 1, last: term(1, "Error", ago(3 * HOUR)), startedAt: ago(3 * HOUR) })] });
// Exited 0 ten minutes ago (no exit error): only its logs tell what went wrong.
const restartedRecently = pod("api-3", { statuses: [running("app", { restarts: 1, last: term(0, "Completed", ago(10 * MIN)), startedAt: ago(10 * MIN) })] });
const failedRecently = pod("api-7", { statuses: [running("app", { restarts: 1, last: term(1, "Error", ago(10 * MIN)), startedAt: ago(10 * MIN) })] });
const crashing = pod("api-4", { statuses: [waiting("app", "CrashLoopBackOff", { restarts: 5, last: term(1, "Error", ago(MIN)) })] });
const unready = pod("api-5", { statuses: [running("app", { ready: false })] });
const probeFailing = event(unready, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", { container: "app", last: ago(MIN) });
const sidecars = pod("api-6", { containers: [{ name: "app" }, { name: "proxy" }], statuses: [running("app"), running("proxy")] });

testRule(errorLogs, [
  {
    name: "a running container logging errors no other rule explains: low, the lines as evidence",
    objects: [api],
    logs: logsFor(api, "app", { current: ["INFO started", "ERROR db pool exhausted: timeout after 30s", "INFO request ok", 'level=error msg="cannot refresh cache" err="<redacted>"'] }),
    want: [
      {
        id: "pod.error-logs",
        category: "ErrorLogs",
        object: podRef("api-1"),
        container: "app",
        severity: "low",
        confidence: 0.6,
        summary: 'Container app logs 2 error line(s) that no other finding explains; the last: "level=error msg="cannot refresh cache" err="<redacted>"".',
        evidence: ["2 error line(s) among the last 4 log line(s) of app", 'logs app (current): "ERROR db pool exhausted: timeout after 30s"', 'logs app (current): "level=error msg="cannot refresh cache" err="<redacted>""'],
        remediation: { action: "investigate", tier: "trivial", summary: expect.stringContaining("kubectl logs api-1 -c app") },
      },
    ],
  },
  {
    name: "the previous instance's traceback after a recent restart that exited 0",
    objects: [restartedRecently],
    logs: logsFor(restartedRecently, "app", { previous: ["Traceback (most recent call last):", '  File "app.py", line 3, in <module>', "ValueError: bad config"], current: ["INFO ok"] }),
    want: [{ evidence: evidenceWith('logs app (previous): "Traceback (most recent call last):"', 'logs app (previous): "ValueError: bad config"') }],
  },
  { name: "only the container that logs errors", objects: [sidecars], logs: { ...logsFor(sidecars, "app", { current: ["INFO fine"] }), ...logsFor(sidecars, "proxy", { current: ["[error] upstream timed out"] }) }, want: [{ container: "proxy" }] },
  { name: "a recent non-zero exit explains the container (ContainerExitError): none", objects: [failedRecently], logs: logsFor(failedRecently, "app", { previous: ["ValueError: bad config"] }), want: [] },
  { name: "a crash loop explains the container: none", objects: [crashing], logs: logsFor(crashing, "app", { previous: ["FATAL missing DATABASE_URL"] }), want: [] },
  { name: "a failing readiness probe explains the container: none", objects: [unready, probeFailing], logs: logsFor(unready, "app", { current: ["ERROR upstream 503"] }), want: [] },
  { name: "the previous instance of a restart recovered 3 h ago: history, none", objects: [recovered], logs: logsFor(recovered, "app", { previous: ["panic: runtime error: index out of range"], current: ["INFO ok"] }), want: [] },
  { name: "no error lines (0 errors, lower-case prose): none", objects: [api], logs: logsFor(api, "app", { current: ["INFO sync done: 0 errors", "retrying after an error in the handler", "level=info msg=ok errors=0"] }), want: [] },
  { name: "no logs gathered: none", objects: [api], want: [] },
]);

describe("isErrorLine", () => {
  it.each([
    "ERROR something broke",
    "2026-03-10 12:00:00,123 ERROR [main] c.e.App - failed",
    'level=error msg="x"',
    '{"level":"error","msg":"x"}',
    '{"level":50,"msg":"x"}',
    "E0310 12:00:00.123456       1 controller.go:42] sync failed",
    "panic: runtime error: invalid memory address",
    "fatal error: all goroutines are asleep - deadlock!",
    "Traceback (most recent call last):",
    "java.lang.NullPointerException: null",
    'Exception in thread "main" java.lang.IllegalStateException',
    "TypeError: Cannot read properties of undefined",
    "Error: connect ECONNREFUSED 10.0.0.1:5432",
    "2026/03/10 12:00:00 [error] 7#7: *1 upstream timed out",
    "thread 'main' panicked at src/main.rs:4:5",
  ])("%s is an error line", (line) => expect(isErrorLine(line)).toBe(true));

  it.each(["INFO processed 120 items, 0 errors", "WARN retrying", "completed with no errors", "error handling is enabled", "the errors=0 counter", "ERROR count: 0 errors", "NO_ERROR", "level=info msg=\"error budget ok\""])("%s is not", (line) => expect(isErrorLine(line)).toBe(false));
});
