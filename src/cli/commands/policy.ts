import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { z } from "zod";
import { parseCommandArgs } from "../args.ts";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { openSession } from "../options.ts";

const fileSchema = z.object({ file: z.string({ message: "name the new policy file: kubectl aiops policy propose FILE" }).min(1) });
const recordSchema = z.object({ record: z.string({ message: "name the policy record: kubectl aiops policy apply RECORD" }).min(1) });

/** `policy propose FILE` / `policy apply RECORD`: changing .aiops.yaml is a critical-tier decision. */
export function policyCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "policy <command>",
    describe: "Change .aiops.yaml through a critical-tier record: propose a new file, approve it like any proposal, then apply it",
    builder: (y: Argv) =>
      y
        .command({
          command: "propose <file>",
          describe: "Record a proposed new .aiops.yaml (the diff and the new content); needs 2 approvers, one a security reviewer",
          builder: (p: Argv) => p.positional("file", { type: "string", describe: "The new policy file" }).example("$0 policy propose ./new-aiops.yaml", "propose a policy change"),
          handler: async (argv: ArgumentsCamelCase) => {
            const session = openSession(argv, io);
            const args = parseCommandArgs(fileSchema, argv, "policy propose");
            const [{ changePolicy }, { renderPolicyOutcome }] = await Promise.all([import("../../app/policy-change.ts"), import("../../render/decision.ts")]);
            io.stdout.write(renderPolicyOutcome(await changePolicy(session, { action: "propose", file: args.file }), session.globals.output));
          },
        })
        .command({
          command: "apply <record>",
          describe: "Write and commit .aiops.yaml from an approved policy record",
          builder: (p: Argv) => p.positional("record", { type: "string", describe: "The policy record: id, unique prefix or path" }).example("$0 policy apply 01JD3X", "write the approved policy"),
          handler: async (argv: ArgumentsCamelCase) => {
            const session = openSession(argv, io);
            const args = parseCommandArgs(recordSchema, { record: typeof argv["record"] === "number" ? String(argv["record"]) : argv["record"] }, "policy apply");
            const [{ changePolicy }, { renderPolicyOutcome }] = await Promise.all([import("../../app/policy-change.ts"), import("../../render/decision.ts")]);
            io.stdout.write(renderPolicyOutcome(await changePolicy(session, { action: "apply", record: args.record }), session.globals.output));
          },
        })
        .demandCommand(1, "name a policy command: propose or apply"),
    handler: () => undefined,
  };
}
