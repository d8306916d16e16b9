import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { z } from "zod";
import { UsageError } from "../../errors.ts";
import { parseCommandArgs } from "../args.ts";
import { parseDurationSeconds } from "../../util/duration.ts";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { openSession } from "../options.ts";

/** A verification window longer than an hour is a typo: the apply holds its lock meanwhile. */
const MAX_VERIFY_SECONDS = 3600;
const MAX_PROGRESS_SECONDS = 1800;
const DEFAULT_PROGRESS = "3m";

const recordArg = z.string({ message: "name the record: an id, a unique id prefix, or a path under the history folder" }).min(1, "RECORD is empty");

const applySchema = z.object({
  record: recordArg,
  verifyWindow: z.string().optional(),
  progressTimeout: z.string(),
  resume: z.boolean(),
  shadow: z.boolean(),
});

/** "0", "45", "30s", "2m": seconds; "0" is allowed here (one health check, for tests and benchmarks). */
export function parseSeconds(flag: string, value: string, max: number): number {
  const text = value.trim();
  const seconds = /^\d+$/.test(text) ? Number(text) : parseDurationSeconds(text);
  if (seconds === undefined || seconds > max) throw new UsageError(`invalid --${flag} "${value}": give a duration such as 0, 30s or 2m (at most ${max}s)`);
  return seconds;
}

function record(argv: ArgumentsCamelCase): unknown {
  return typeof argv["record"] === "number" ? String(argv["record"]) : argv["record"];
}

export function applyCommand(io: Io, result: CommandResult): CommandModule {
  return {
    command: "apply <record>",
    describe: "Apply an approved proposal: audit check, drift check, access review, dry run, patch, rollout, verification window; rolls back automatically when it does not verify",
    builder: (y: Argv) =>
      y
        .positional("record", { type: "string", describe: "Record id, unique id prefix, or path under the history folder" })
        .option("verify-window", { type: "string", describe: "How long to watch health after the rollout (default: verifyWindow of .aiops.yaml, else 2m)" })
        .option("progress-timeout", { type: "string", default: DEFAULT_PROGRESS, describe: "How long to wait for the rollout before rolling back" })
        .option("resume", { type: "boolean", default: false, describe: "Finish an apply that was interrupted (status applying): re-check, then continue from what the cluster shows" })
        .option("shadow", { type: "boolean", default: false, describe: "Rehearse only (medium/critical): clone the workload into a temporary namespace with the patch, watch it, record the result, delete the namespace" })
        .example("$0 apply 01JD3X", "apply the approved proposal whose id starts with 01JD3X")
        .example("$0 apply 01JD3X --shadow", "rehearse it in aiops-shadow-<id> first")
        .example("$0 apply 01JD3X --resume", "finish an interrupted apply"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const args = parseCommandArgs(applySchema, { ...argv, record: record(argv) }, "apply");
      const { resume, shadow } = args;
      if (resume && shadow) throw new UsageError("--resume and --shadow do not go together", "a shadow run rehearses a change not yet applied");
      const verifyWindowSeconds = args.verifyWindow === undefined ? undefined : parseSeconds("verify-window", args.verifyWindow, MAX_VERIFY_SECONDS);
      const progressTimeoutSeconds = parseSeconds("progress-timeout", args.progressTimeout, MAX_PROGRESS_SECONDS);
      const [{ runApply, runShadow }, { renderApplyOutcome, renderShadowResult }] = await Promise.all([import("../../app/apply.ts"), import("../../render/apply.ts")]);
      const flags = { verifyWindowSeconds, progressTimeoutSeconds, command: session.command };
      let ok: boolean;
      if (shadow) {
        const shadowResult = await runShadow(session, args.record, flags);
        io.stdout.write(renderShadowResult(shadowResult, session.globals.output));
        ok = shadowResult.outcome === "passed";
      } else {
        const outcome = await runApply(session, args.record, { ...flags, resume });
        io.stdout.write(renderApplyOutcome(outcome, session.globals.output));
        ok = outcome.status === "verified";
      }
      if (!ok) {
        io.stderr.write(`error: ${shadow ? "the shadow run failed" : "the change did not verify and was rolled back (or failed)"}; see the record for what failed\n`);
        result.exitCode = 1;
      }
    },
  };
}

const rollbackSchema = z.object({ record: recordArg, verifyWindow: z.string().optional(), progressTimeout: z.string() });

export function rollbackCommand(io: Io, result: CommandResult): CommandModule {
  return {
    command: "rollback <record>",
    describe: "Undo an applied proposal: a verified change gets a rollback record (same tier; applied at once when your own approval meets it); an interrupted apply is rolled back at once",
    builder: (y: Argv) =>
      y
        .positional("record", { type: "string", describe: "Record id, unique id prefix, or path under the history folder" })
        .option("verify-window", { type: "string", describe: "How long to watch health after the rollback's rollout (default: verifyWindow of .aiops.yaml, else 2m)" })
        .option("progress-timeout", { type: "string", default: DEFAULT_PROGRESS, describe: "How long to wait for the rollout" })
        .example("$0 rollback 01JD3X", "undo the verified change 01JD3X"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const args = parseCommandArgs(rollbackSchema, { ...argv, record: record(argv) }, "rollback");
      const verifyWindowSeconds = args.verifyWindow === undefined ? undefined : parseSeconds("verify-window", args.verifyWindow, MAX_VERIFY_SECONDS);
      const progressTimeoutSeconds = parseSeconds("progress-timeout", args.progressTimeout, MAX_PROGRESS_SECONDS);
      const [{ runRollback, rollbackSucceeded }, { renderRollbackResult }] = await Promise.all([import("../../app/apply.ts"), import("../../render/apply.ts")]);
      const rolledBack = await runRollback(session, args.record, { verifyWindowSeconds, progressTimeoutSeconds, command: session.command });
      io.stdout.write(renderRollbackResult(rolledBack, session.globals.output));
      if (!rollbackSucceeded(rolledBack)) {
        io.stderr.write("error: the rollback did not verify; see the records for what failed\n");
        result.exitCode = 1;
      }
    },
  };
}
