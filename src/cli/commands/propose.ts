import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { z } from "zod";
import { UsageError } from "../../errors.ts";
import { parseCommandArgs } from "../args.ts";
import { parseDurationSeconds } from "../../util/duration.ts";
import type { ProposeAction, ProposeRequest } from "../../app/propose.ts";
import { parseTarget } from "../../app/propose/target.ts";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { openSession } from "../options.ts";

const ACTIONS = ["resources", "scale", "hpa", "restart", "rollback"] as const;
/** More replicas than this is almost surely a typo; kubectl scale takes it, a proposal does not. */
export const MAX_REPLICAS = 10_000;
/** Prometheus keeps 15 days by default; more than 90 days of window is a typo or a very slow query. */
const MAX_WINDOW_SECONDS = 90 * 86400;

const proposeSchema = z.object({
  action: z.enum(ACTIONS, { message: `the action must be one of ${ACTIONS.join(", ")}` }),
  target: z.string().optional(),
  name: z.string().optional(),
  replicas: z.unknown().optional(),
  container: z.string().min(1, "--container needs a container name").optional(),
  prometheus: z.string().optional(),
  window: z.string(),
  allowShortHistory: z.boolean(),
});

export function proposeCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "propose <action> [target] [name]",
    describe: "Write a proposal record: restart|scale|resources|hpa|rollback KIND/NAME (dry-run only; nothing changes)",
    builder: (y: Argv) =>
      y
        .positional("action", { type: "string", choices: ACTIONS, describe: "What to propose" })
        .positional("target", { type: "string", describe: "KIND/NAME, e.g. deployment/web or pod/api-7d9f-x2k" })
        .positional("name", { type: "string", describe: "NAME when KIND is given separately" })
        .option("replicas", { type: "string", describe: "scale: the replica count (default: from p95 utilisation with 30% headroom)" })
        .option("container", { type: "string", describe: "resources: only this container" })
        .option("prometheus", { type: "string", describe: "Prometheus base URL (default: prometheus: in .aiops.yaml, else metrics-server, low confidence)" })
        .option("window", { type: "string", default: "7d", describe: "Usage window, e.g. 7d, 36h" })
        .option("allow-short-history", { type: "boolean", default: false, describe: "Accept less than 24h / 100 samples of history (low confidence: one tier higher)" })
        .example("$0 propose resources deployment/web -n shop --prometheus http://prometheus:9090", "requests and limits from 7 days of usage + 30%")
        .example("$0 propose scale deployment/web -n shop --replicas 4", "scale to 4 replicas")
        .example("$0 propose restart pod/api-7d9f-x2k -n shop", "delete one pod; its controller replaces it")
        .example("$0 propose rollback deployment/api -n shop", "back to the previous revision (kubectl rollout undo)"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const { globals } = session;
      const args = parseCommandArgs(proposeSchema, argv, "propose");
      const { request, windowSeconds } = toProposeRequest(args);
      if (globals.allNamespaces) throw new UsageError("propose works on one object: -A does not apply", "pass -n NAMESPACE");
      const [{ runPropose }, { renderProposeResult }] = await Promise.all([import("../../app/propose.ts"), import("../../render/proposal.ts")]);
      const result = await runPropose(session, request, { prometheus: args.prometheus, windowSeconds, allowShortHistory: args.allowShortHistory, command: session.command });
      io.stdout.write(renderProposeResult(result, globals.output));
    },
  };
}

/** Validates the arguments without side effects. */
export function toProposeRequest(args: z.infer<typeof proposeSchema>): { request: ProposeRequest; windowSeconds: number } {
  const action: ProposeAction = args.action;
  const { kind, name } = parseTarget(action, args.target, args.name);
  const request: ProposeRequest = { action, kind, name };
  if (args.replicas !== undefined) {
    if (action !== "scale") throw new UsageError(`--replicas only applies to propose scale`);
    request.replicas = parseReplicas(args.replicas);
  }
  if (args.container !== undefined) {
    if (action !== "resources") throw new UsageError("--container only applies to propose resources");
    request.container = args.container;
  }
  const windowSeconds = parseDurationSeconds(args.window);
  if (windowSeconds === undefined || windowSeconds < 3600 || windowSeconds > MAX_WINDOW_SECONDS) {
    throw new UsageError(`invalid --window "${args.window}": give a duration between 1h and 90d`, "e.g. --window 7d or --window 36h");
  }
  return { request, windowSeconds };
}

export function parseReplicas(value: unknown): number {
  const text = String(Array.isArray(value) ? value.at(-1) : value).trim();
  if (!/^-?\d+$/.test(text)) throw new UsageError(`invalid --replicas "${text}": not a whole number`, "give the replica count, e.g. --replicas 3 (0 stops every pod: critical tier)");
  const n = Number(text);
  if (n < 0) throw new UsageError(`invalid --replicas ${n}: a replica count cannot be negative`, "give 0 or more (0 stops every pod: critical tier)");
  if (n > MAX_REPLICAS) throw new UsageError(`invalid --replicas ${n}: more than ${MAX_REPLICAS} replicas is refused as a likely typo`, "use kubectl scale directly if you really mean it");
  return n;
}

