import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { z } from "zod";
import { parseCommandArgs } from "../args.ts";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { openSession } from "../options.ts";

const showSchema = z.object({ record: z.string({ message: "name the record: kubectl aiops show RECORD" }).min(1, "RECORD is empty") });

export function showCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "show <record>",
    describe: "Show one record: an id, a unique id prefix, or a path inside the history folder",
    builder: (y: Argv) =>
      y
        .positional("record", { type: "string", describe: "Record id, unique id prefix, or path under the history folder" })
        .example("$0 show 01JD3X", "the record whose id starts with 01JD3X, as Markdown")
        .example("$0 show 01JD3X -o json", "its front matter and body as data"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const args = parseCommandArgs(showSchema, { record: typeof argv["record"] === "number" ? String(argv["record"]) : argv["record"] }, "show");
      const [{ showRecord }, { renderMachine }, { recordDocument, renderRecordMarkdown }] = await Promise.all([import("../../app/records.ts"), import("../../render/text.ts"), import("../../render/records.ts")]);
      const { path, record } = await showRecord(session, args.record);
      const output = session.globals.output;
      switch (output) {
        case "json":
        case "yaml":
          io.stdout.write(renderMachine(recordDocument(record, path), output));
          break;
        case "table":
        case "wide":
        case "markdown":
          io.stdout.write(renderRecordMarkdown(record, path));
          break;
      }
    },
  };
}
