import { run } from "./cli/main.ts";
import { processIo } from "./cli/io.ts";

async function runCompletion(words: string[]): Promise<number> {
  const { complete, formatCompletion } = await import("./cli/complete.ts");
  const { listObjectNames } = await import("./kube/names.ts");
  process.stdout.write(formatCompletion(await complete(words, (kind) => listObjectNames(kind, words, process.env))));
  return 0;
}

/** The plugin's entry point and its only exit. */
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`error: kubectl-aiops needs Node.js 22.12 or newer; this is ${process.version}\nhint: install a current LTS (e.g. Node 24) and put it first on PATH, or set AIOPS_NODE to its path\n`);
  process.exit(1);
}
const args = process.argv.slice(2);
const code = args[0] === "__complete" ? await runCompletion(args.slice(1)) : await run(args, processIo());
// Flush stdout before exiting: large JSON output may still be buffered in the pipe.
process.stdout.write("", () => process.exit(code));
