/**
 * The plugin's entry point and its only exit. It imports nothing statically: the Node version is
 * checked before any module that needs a newer Node is loaded, and V8's compile cache is turned
 * on before the rest of the plugin is compiled (a third of a cold start's CPU time).
 */
import { enableCompileCache } from "node:module";

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`error: kubectl-aiops needs Node.js 22.12 or newer; this is ${process.version}\nhint: install a current Node.js LTS (e.g. 24) and put it first on PATH, or set AIOPS_NODE to its path\n`);
  process.exit(1);
}
// Kept in the user's temporary folder (Node's default); a folder that cannot be written only
// leaves the cache off.
enableCompileCache?.();

async function runCompletion(words: string[]): Promise<number> {
  const { complete, formatCompletion } = await import("./cli/complete.ts");
  const { listObjectNames } = await import("./kube/names.ts");
  process.stdout.write(formatCompletion(await complete(words, (kind) => listObjectNames(kind, words, process.env))));
  return 0;
}

const args = process.argv.slice(2);
const { run } = await import("./cli/main.ts");
const { processIo } = await import("./cli/io.ts");
const code = args[0] === "__complete" ? await runCompletion(args.slice(1)) : await run(args, processIo());
// Flush stdout before exiting: large JSON output may still be buffered in the pipe.
process.stdout.write("", () => process.exit(code));
