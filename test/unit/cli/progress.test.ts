import { describe, expect, it } from "vitest";
import type { AppEvent } from "../../../src/app/events.ts";
import { createSession } from "../../../src/app/session.ts";
import { openSession } from "../../../src/cli/options.ts";
import { progressLine } from "../../../src/cli/progress.ts";
import { sessionIo } from "../../helpers/io.ts";

const id = "01JD3XAAAAAAAAAAAAAAAAAAAA";
const step = (s: Extract<AppEvent, { type: "apply-step" }>["step"], detail: string): AppEvent => ({ type: "apply-step", record: id, step: s, detail });

describe("the command line's lines of the use cases' events (stderr)", () => {
  it("prints apply steps, verdicts and rollbacks as the record's event types name them", () => {
    const cases: [AppEvent, string | undefined][] = [
      [step("dry-run", "server-side dry run passed"), undefined],
      [step("checked", "audit verify: 1 record(s); no drift"), undefined],
      [step("approved", "trivial tier: no approval needed, logged; applied by bob"), "approved: trivial tier: no approval needed, logged; applied by bob"],
      [step("applying", "patch deployment shop/web (strategic) by bob with fieldManager kubectl-aiops"), "applying: patch deployment shop/web (strategic) by bob with fieldManager kubectl-aiops"],
      [step("patched", "deployment shop/web now at resourceVersion 7, generation 3"), "patched: deployment shop/web now at resourceVersion 7, generation 3"],
      [step("resumed", "by bob: the patch is in place"), "apply-resumed: by bob: the patch is in place"],
      [step("rollout-complete", "rolled out after 4s"), "rollout-complete: rolled out after 4s"],
      [step("watching", "health for 20s"), "watching health for 20s"],
      [step("rollback-started", "sending the recorded inverse to deployment shop/web"), "rollback-started: sending the recorded inverse to deployment shop/web"],
      [step("refused", "by bob: refused: drifted"), "apply-refused: by bob: refused: drifted"],
      [step("failed", "the API server refused the patch: invalid"), "apply-failed: the API server refused the patch: invalid"],
      [step("shadow", "cloning deployment web into namespace aiops-shadow-aaaaaaaa"), "shadow: cloning deployment web into namespace aiops-shadow-aaaaaaaa"],
      [{ type: "verification", record: id, verdict: "verified", phase: "window", problems: [], detail: "healthy for 20s" }, "verified: healthy for 20s"],
      [{ type: "verification", record: id, verdict: "failed", phase: "rollout", problems: ["p"], detail: "failed after 3s: p" }, "rollout-failed: failed after 3s: p"],
      [{ type: "verification", record: id, verdict: "failed", phase: "window", problems: ["p"], detail: "after 9s (3 check(s)): p" }, "verify-failed: after 9s (3 check(s)): p"],
      [{ type: "rollback", record: id, reason: "p", outcome: "rolled-back", detail: "old spec back (rollback took 2s)" }, "rolled-back: old spec back (rollback took 2s)"],
      [{ type: "rollback", record: id, reason: "p", outcome: "failed", detail: "the automatic rollback failed: x" }, "apply-failed: the automatic rollback failed: x"],
      [{ type: "warning", message: "warning: audit verify found 1 problem(s)" }, "warning: audit verify found 1 problem(s)"],
      [{ type: "record-committed", stage: "proposal", id, path: "/h/x.md", commit: "abc" }, undefined],
      [{ type: "incident-opened", incident: "k", categories: "CrashLoopBackOff", record: id, path: "/h/x.md", mttdSeconds: 3 }, undefined],
      [{ type: "incident-resolved", incident: "k", record: id }, undefined],
    ];
    for (const [event, line] of cases) expect(progressLine(event), JSON.stringify(event)).toBe(line);
  });

  it("the CLI's session writes them to stderr; a session without a sink hears nothing, and its namespaced sessions share the sink", () => {
    let stderr = "";
    const io = sessionIo({ cwd: "/tmp", stderr: { write: (chunk: string) => (stderr += chunk) } });
    const cli = openSession({ allNamespaces: false, requestTimeout: "30s", output: "table", color: false, debug: false }, io);
    cli.events.emit(step("patched", "done"));
    cli.inNamespace("shop").events.emit({ type: "warning", message: "careful" });
    cli.events.emit(step("checked", "all good"));
    expect(stderr).toBe("patched: done\ncareful\n");
    const quiet = createSession(io, cli.globals);
    quiet.events.emit(step("patched", "done"));
    expect(stderr).toBe("patched: done\ncareful\n");
  });

  it("watch's incidents go to stdout: a JSON line with -o json, else one text line", () => {
    let stdout = "";
    const io = sessionIo({ cwd: "/tmp", stdout: { write: (chunk: string) => (stdout += chunk) } });
    const opened = { type: "incident-opened", incident: "Deployment/shop/api", categories: "CrashLoopBackOff", record: "01ABC", path: "/h/p.md", mttdSeconds: 2.1 } as const;
    openSession({ allNamespaces: false, requestTimeout: "30s", output: "json", color: false, debug: false }, io).events.emit(opened);
    expect(JSON.parse(stdout)).toEqual({ event: "opened", incident: "Deployment/shop/api", categories: "CrashLoopBackOff", mttd_seconds: 2.1, record: "01ABC", path: "/h/p.md" });
    stdout = "";
    const cli = openSession({ allNamespaces: false, requestTimeout: "30s", output: "table", color: false, debug: false }, io);
    cli.events.emit(opened);
    cli.events.emit({ type: "incident-resolved", incident: "Deployment/shop/api", record: "01ABC" });
    expect(stdout).toBe("OPENED Deployment/shop/api CrashLoopBackOff mttd=2.1s record=01ABC\nRESOLVED Deployment/shop/api record=01ABC\n");
  });
});
