import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { z } from "zod";
import { parseCommandArgs } from "../args.ts";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { openSession } from "../options.ts";

const recordArg = z.string({ message: "name the record: an id, a unique id prefix, or a path under the history folder" }).min(1, "RECORD is empty");
const approveSchema = z.object({ record: recordArg, comment: z.string().optional(), apply: z.boolean() });
const rejectSchema = z.object({ record: recordArg, reason: z.string({ message: "reject needs --reason TEXT" }).trim().min(1, "--reason must say why") });

/** yargs turns an all-digit id prefix into a number. */
function recordOf(argv: ArgumentsCamelCase): unknown {
  return typeof argv["record"] === "number" ? String(argv["record"]) : argv["record"];
}

/**
 * `approve RECORD [--comment] [--apply]`. `loadApply` gives the apply use-case bound to the same
 * flags (kubeconfig, context, history dir), loaded only when --apply is used; without it --apply
 * is refused with a hint.
 */
export function approveCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "approve <record>",
    describe: "Approve a proposal as the identity the API server authenticates; the status moves to approved when the tier's rule is met",
    builder: (y: Argv) =>
      y
        .positional("record", { type: "string", describe: "Record id, unique id prefix, or path under the history folder" })
        .option("comment", { type: "string", describe: "A note recorded with the approval" })
        .option("apply", { type: "boolean", default: false, describe: "Apply the change when this approval meets the tier's rule" })
        .example("$0 approve 01JD3X", "approve the proposal whose id starts with 01JD3X")
        .example("$0 approve 01JD3X --comment 'checked the dashboards' --apply", "approve, and apply if no other approval is needed"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const args = parseCommandArgs(approveSchema, { ...argv, record: recordOf(argv) }, "approve");
      const [{ decide }, { renderDecision }] = await Promise.all([import("../../app/approve.ts"), import("../../render/decision.ts")]);
      io.stdout.write(renderDecision(await decide(session, { record: args.record, decision: "approve", comment: args.comment, apply: args.apply }), session.globals.output));
    },
  };
}

export function rejectCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "reject <record>",
    describe: "Reject a proposal (final); the reason is recorded with your authenticated identity",
    builder: (y: Argv) =>
      y
        .positional("record", { type: "string", describe: "Record id, unique id prefix, or path under the history folder" })
        .option("reason", { type: "string", describe: "Why (required)" })
        .example("$0 reject 01JD3X --reason 'the limit is too low for the batch job'", "reject with a reason"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const args = parseCommandArgs(rejectSchema, { ...argv, record: recordOf(argv) }, "reject");
      const [{ decide }, { renderDecision }] = await Promise.all([import("../../app/approve.ts"), import("../../render/decision.ts")]);
      io.stdout.write(renderDecision(await decide(session, { record: args.record, decision: "reject", comment: args.reason }), session.globals.output));
    },
  };
}
