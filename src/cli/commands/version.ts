import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { parseGlobalOptions } from "../options.ts";

export function versionCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "version",
    describe: "Print the version, git commit, build date and platform of this kubectl-aiops",
    builder: (y: Argv) => y.example("$0 version -o json", '{"version", "gitCommit", "buildDate", "platform", "node", "singleExecutable"}'),
    handler: async (argv: ArgumentsCamelCase) => {
      const { output } = parseGlobalOptions(argv);
      const [{ buildInfo, formatBuildInfo }, { isSingleExecutable }, { renderMachine }] = await Promise.all([import("../../version.ts"), import("../../util/paths.ts"), import("../../render/text.ts")]);
      const info = buildInfo({ platform: process.platform, arch: process.arch, nodeVersion: process.version, singleExecutable: isSingleExecutable() });
      io.stdout.write(output === "json" || output === "yaml" ? renderMachine(info, output) : formatBuildInfo(info));
    },
  };
}
