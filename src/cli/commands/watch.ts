import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { z } from "zod";
import { UsageError } from "../../errors.ts";
import { parseCommandArgs } from "../args.ts";
import { parseDurationSeconds } from "../../util/duration.ts";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { openSession } from "../options.ts";

const watchSchema = z.object({
  once: z.boolean(),
  duration: z.string().optional(),
  recordExisting: z.boolean(),
  resolveAfter: z.string(),
  prometheus: z.url({ protocol: /^https?$/, message: "--prometheus must be an http(s) URL such as http://prometheus.monitoring:9090" }).optional(),
  leaderElect: z.boolean(),
  leaseName: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, "--lease-name must be a Kubernetes object name (lower case letters, digits, '-' and '.')"),
  leaseNamespace: z.string().optional(),
  push: z.boolean(),
});

function seconds(flag: string, value: string): number {
  const parsed = parseDurationSeconds(value);
  if (parsed === undefined) throw new UsageError(`invalid ${flag} "${value}"`, "use a duration such as 90s, 5m, 2h or 1d");
  return parsed;
}

export function watchCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "watch",
    describe: "Watch pods and workloads; record one diagnosis per incident (with its MTTD) until stopped",
    builder: (y: Argv) =>
      y
        .option("once", { type: "boolean", default: false, describe: "Sync, judge everything once, record failing workloads not yet recorded, and exit" })
        .option("duration", { type: "string", describe: "Stop after this long (e.g. 10m); default: until SIGINT/SIGTERM" })
        .option("record-existing", { type: "boolean", default: false, describe: "Also record workloads already failing when watch starts" })
        .option("resolve-after", { type: "string", default: "60s", describe: "An incident ends once its workload has been healthy this long" })
        .option("prometheus", { type: "string", describe: "Prometheus base URL for the policy's watch.rules (default: prometheus: in .aiops.yaml)" })
        .option("leader-elect", { type: "boolean", default: false, describe: "Watch only while holding a coordination.k8s.io Lease: one active replica, the others stand by" })
        .option("lease-name", { type: "string", default: "aiops-watch", describe: "The Lease of --leader-elect" })
        .option("lease-namespace", { type: "string", describe: "Namespace of the Lease (default: the current namespace; in a pod, its own)" })
        .option("push", { type: "boolean", default: false, describe: "Push every record commit to the history branch's upstream (pull --rebase and retry when rejected)" })
        .example("$0 watch -A", "the whole cluster, until Ctrl-C")
        .example("$0 watch -n shop --duration 1h -o json", "one namespace for an hour, one JSON line per incident")
        .example("$0 watch -A --leader-elect --push", "one of several replicas (deploy/40-watch.yaml)"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const args = parseCommandArgs(watchSchema, argv, "watch");
      const durationMs = args.duration === undefined ? undefined : seconds("--duration", args.duration) * 1000;
      const resolveAfterMs = seconds("--resolve-after", args.resolveAfter) * 1000;
      const { runWatch } = await import("../../app/watch.ts");
      // SIGINT/SIGTERM end the watch loop; the process then exits through src/index.ts.
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        await runWatch(
          session,
          {
            once: args.once,
            durationMs,
            recordExisting: args.recordExisting,
            resolveAfterMs,
            prometheus: args.prometheus,
            command: session.command,
            push: args.push,
            // The pod's name (HOSTNAME) and pid say who leads; the random part makes a restarted
            // container (pid 1 again) a new candidate, not the holder it replaces.
            leaderElect: args.leaderElect ? { name: args.leaseName, namespace: args.leaseNamespace, identity: `${io.env["HOSTNAME"] ?? hostname()}_${process.pid}_${randomBytes(3).toString("hex")}` } : undefined,
          },
          { signal: controller.signal },
        );
      } finally {
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
      }
    },
  };
}
