import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { z } from "zod";
import { parseCommandArgs } from "../args.ts";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { openSession } from "../options.ts";

const reportSchema = z.object({
  period: z.enum(["weekly", "daily"], { message: "name the period: kubectl aiops report weekly|daily" }),
  force: z.boolean(),
  dryRun: z.boolean(),
  prometheus: z.url({ protocol: /^https?$/, message: "--prometheus must be an http(s) URL such as http://prometheus.monitoring:9090" }).optional(),
});

export function reportCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "report <period>",
    describe: "Cluster health report (weekly|daily), written as a record under reports/<period>/",
    builder: (y: Argv) =>
      y
        .positional("period", { type: "string", choices: ["weekly", "daily"], describe: "weekly: the 7 days ending now, one per ISO week; daily: the last 24 h, one per UTC day" })
        .option("force", { type: "boolean", default: false, describe: "Write a new report even when this period has one (it supersedes it)" })
        .option("dry-run", { type: "boolean", default: false, describe: "Print the report without writing a record" })
        .option("prometheus", { type: "string", describe: "Prometheus base URL for usage over the window (default: prometheus: in .aiops.yaml, else metrics-server)" })
        .example("$0 report weekly --prometheus http://prometheus.monitoring:9090", "this week's report, recorded and committed")
        .example("$0 report daily -o json --dry-run", "today's report data, nothing written"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const args = parseCommandArgs(reportSchema, argv, "report");
      const [{ runReport }, { renderMachine }] = await Promise.all([import("../../app/report.ts"), import("../../render/text.ts")]);
      const outcome = await runReport(session, { ...args, command: session.command });
      const output = session.globals.output;
      // A period reported already prints nothing; else the report as data, or its Markdown.
      if (outcome.skipped) return;
      io.stdout.write(output === "json" || output === "yaml" ? renderMachine(outcome.report, output) : outcome.text);
    },
  };
}
