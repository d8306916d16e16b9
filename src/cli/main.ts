import yargs, { type Argv } from "yargs";
import { AiopsError, InternalError, UsageError } from "../errors.ts";
import { BUILD, versionLine } from "../version.ts";
import type { CommandResult } from "./command-result.ts";
import { redactedIo, type Io } from "./io.ts";
import { GLOBAL_OPTIONS } from "./options.ts";
import { diagnoseCommand } from "./commands/diagnose.ts";
import { proposeCommand } from "./commands/propose.ts";
import { approveCommand, rejectCommand } from "./commands/approve.ts";
import { applyCommand, rollbackCommand } from "./commands/apply.ts";
import { policyCommand } from "./commands/policy.ts";
import { reportCommand } from "./commands/report.ts";
import { watchCommand } from "./commands/watch.ts";
import { runbookCommand } from "./commands/runbook.ts";
import { listCommand } from "./commands/list.ts";
import { showCommand } from "./commands/show.ts";
import { auditCommand } from "./commands/audit.ts";
import { versionCommand } from "./commands/version.ts";

/**
 * Parses the command line and runs one command. Returns the exit code; never exits. Errors are
 * printed here as one line plus a hint, with the stack only under --debug. Everything printed,
 * by the commands or here, passes the one redaction step of redactedIo.
 */
export async function run(argv: readonly string[], rawIo: Io): Promise<number> {
  const io = redactedIo(rawIo);
  const result: CommandResult = { exitCode: 0 };
  const debug = argv.includes("--debug");
  let helpOutput = "";
  const parser: Argv = yargs([...argv])
    .scriptName("kubectl aiops")
    .usage("$0 <command> [options]\n\nFind why workloads fail, propose fixes, gate them by approval tiers, and record every decision in git.")
    .options(GLOBAL_OPTIONS)
    .command(diagnoseCommand(io, result))
    .command(proposeCommand(io, result))
    .command(approveCommand(io, result))
    .command(rejectCommand(io, result))
    .command(applyCommand(io, result))
    .command(rollbackCommand(io, result))
    .command(listCommand(io, result))
    .command(showCommand(io, result))
    .command(auditCommand(io, result))
    .command(policyCommand(io, result))
    .command(reportCommand(io, result))
    .command(watchCommand(io, result))
    .command(runbookCommand(io, result))
    .command(versionCommand(io, result))
    .demandCommand(1, "name a command, e.g. kubectl aiops diagnose -f examples/incidents/oomkill-memory-leak.json")
    .strict()
    .recommendCommands()
    .showHelpOnFail(false)
    .fail((message, error) => {
      if (error !== undefined && error !== null) throw error;
      throw new UsageError(message ?? "invalid usage", "see kubectl aiops --help");
    })
    .help()
    .alias("help", "h")
    .version(versionLine(BUILD))
    .wrap(Math.min(110, process.stdout.columns ?? 100));
  try {
    await parser.parseAsync([...argv], {}, (error, _argv, output) => {
      if (!error && output !== "") helpOutput = output;
    });
    if (helpOutput !== "") io.stdout.write(`${helpOutput}\n`);
    return result.exitCode;
  } catch (error) {
    return reportError(error, io, debug);
  }
}

function reportError(error: unknown, io: Io, debug: boolean): number {
  const known = error instanceof AiopsError ? error : undefined;
  if (known !== undefined && known.exitCode === 3) return 3;
  const failure =
    known ??
    new InternalError(`internal error: ${error instanceof Error ? error.message : String(error)}`, {
      hint: "this is a bug in kubectl-aiops: rerun with --debug and report the output (with secrets removed)",
      cause: error,
    });
  io.stderr.write(`error: ${failure.message}\n`);
  if (failure.hint !== undefined) io.stderr.write(`hint: ${failure.hint}\n`);
  if (debug) {
    const stack = (failure.cause instanceof Error ? failure.cause.stack : undefined) ?? failure.stack;
    if (stack !== undefined) io.stderr.write(`${stack}\n`);
  }
  return failure.exitCode;
}
