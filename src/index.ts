import { run } from "./cli/main.ts";
import { processIo } from "./cli/io.ts";

/** The plugin's entry point and its only exit. */
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`error: kubectl-aiops needs Node.js 22.12 or newer; this is ${process.version}\nhint: install a current LTS (e.g. Node 24) and put it first on PATH, or set AIOPS_NODE to its path\n`);
  process.exit(1);
}
const code = await run(process.argv.slice(2), processIo());
// Flush stdout before exiting: large JSON output may still be buffered in the pipe.
process.stdout.write("", () => process.exit(code));
