import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { z } from "zod";
import { parseCommandArgs } from "../args.ts";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { openSession } from "../options.ts";

const STAGE_NAMES = ["diagnosis", "proposal", "report", "policy"] as const;

const listSchema = z.object({
  stage: z.enum(STAGE_NAMES, { message: `--stage must be one of ${STAGE_NAMES.join(", ")}` }).optional(),
  status: z.string().min(1).optional(),
});

export function listCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "list",
    describe: "List the records in the history: id, stage, tier, status, target, age, time left in the window",
    builder: (y: Argv) =>
      y
        .option("stage", { type: "string", describe: "Only records of this stage: diagnosis, proposal, report or policy" })
        .option("status", { type: "string", describe: "Only records with this status, e.g. proposed" })
        .example("$0 list", "every record, oldest first")
        .example("$0 list --stage proposal --status proposed", "proposals waiting for a decision")
        .example("$0 list -o json", "the records' front matter as JSON"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const args = parseCommandArgs(listSchema, argv, "list");
      const [{ listHistory }, { renderMachine }, { recordListDocument, renderRecordTable }] = await Promise.all([import("../../app/records.ts"), import("../../render/text.ts"), import("../../render/records.ts")]);
      const listing = await listHistory(session, args);
      for (const warning of listing.warnings) session.warn(`warning: ${warning}`);
      const output = session.globals.output;
      switch (output) {
        case "json":
        case "yaml":
          io.stdout.write(renderMachine(recordListDocument(listing.rows), output));
          break;
        case "table":
        case "wide":
        case "markdown":
          io.stdout.write(renderRecordTable(listing.rows, io.now().getTime(), output === "wide"));
          break;
      }
    },
  };
}
