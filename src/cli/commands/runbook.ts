import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";

export function runbookCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "runbook [category]",
    describe: "Print the runbook for a failure category (no argument: list them)",
    builder: (y: Argv) =>
      y
        .positional("category", { type: "string", describe: "A category such as OOMKilled or CrashLoopBackOff (any case)" })
        .example("$0 runbook OOMKilled", "what to check by hand, the fix, how to verify and roll back"),
    handler: async (argv: ArgumentsCamelCase) => {
      const { listRunbooks, readRunbook } = await import("../../app/runbooks.ts");
      const category = typeof argv["category"] === "string" ? argv["category"] : undefined;
      io.stdout.write(category === undefined ? await listRunbooks() : await readRunbook(category));
    },
  };
}
