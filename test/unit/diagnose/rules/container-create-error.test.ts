import { expect } from "vitest";
import { containerCreateError } from "../../../../src/diagnose/rules/container-create-error.ts";
import { ago, DAY, event, evidenceWith, MIN, pod, podRef, running, term, terminated, testRule, waiting } from "../../../helpers/objects.ts";

const execMessage = 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/bin/server": stat /bin/server: executable file not found in $PATH: unknown';
const runError = pod("api-1", { containers: [{ name: "app", image: "shop/app:1.0", command: ["/bin/server"] }], statuses: [waiting("app", "RunContainerError", { message: execMessage })] });
const startLoop = pod("api-2", { statuses: [waiting("app", "CrashLoopBackOff", { restarts: 3, last: term(128, "StartError", ago(2 * MIN), { message: "error mounting \"/etc/cfg\" to rootfs at \"/etc/cfg\": not a directory" }) })] });

testRule(containerCreateError, [
  {
    name: "a command missing from the image",
    objects: [runError, event(runError, "Failed", `Error: ${execMessage}`, { container: "app", first: ago(6 * MIN), last: ago(MIN), count: 4 })],
    want: [
      {
        id: "pod.container-create-error",
        category: "ContainerCreateError",
        object: podRef("api-1"),
        container: "app",
        severity: "critical",
        confidence: 0.95,
        summary: 'Container app cannot be started by the runtime: command "/bin/server" is not in the image.',
        evidence: evidenceWith("state.waiting: reason=RunContainerError", 'command: ["/bin/server"]', "event Warning Failed x4"),
        since: ago(6 * MIN),
        remediation: { action: "config", tier: "medium" },
      },
    ],
  },
  {
    name: "a recent StartError in lastState behind a crash loop",
    objects: [startLoop],
    want: [{ evidence: evidenceWith("lastState.terminated: reason=StartError exitCode=128"), summary: expect.stringContaining("volume mount is invalid"), since: ago(2 * MIN) }],
  },
  {
    name: "ContainerCannotRun as the current state",
    objects: [pod("api-3", { phase: "Failed", spec: { restartPolicy: "Never" }, statuses: [terminated("app", term(127, "ContainerCannotRun", ago(MIN), { message: "exec: \"run.sh\": executable file not found in $PATH" }))] })],
    want: [{ evidence: evidenceWith("state.terminated: reason=ContainerCannotRun"), since: ago(MIN), summary: expect.stringContaining('"run.sh"') }],
  },
  { name: "an old StartError, running and ready since: none", objects: [pod("api-4", { statuses: [running("app", { restarts: 1, last: term(128, "StartError", ago(2 * DAY)) })] })], want: [] },
]);
