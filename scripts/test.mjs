// `npm test`: typecheck, then the unit and end-to-end suites in one vitest run, then one plain
// closing line ("tests: N passed, N failed") that CI can read. The end-to-end suite starts the
// test bed when it is not running (test/e2e/global-setup.ts) and stops what it started.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const results = path.join(root, ".test-results.json");

const tsc = spawnSync(bin("tsc"), ["--noEmit", "-p", root], { stdio: "inherit", cwd: root });
if (tsc.status !== 0) {
  console.error("typecheck failed: fix the errors above (npm run typecheck)");
  process.exit(1);
}

rmSync(results, { force: true });
const args = ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${results}`, ...process.argv.slice(2)];
const vitest = spawnSync(bin("vitest"), args, { stdio: "inherit", cwd: root });

if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, "utf8"));
  const skipped = report.numPendingTests + report.numTodoTests;
  // A file whose setup (beforeAll) failed skips its tests: count it, or "0 failed" would mislead.
  const failedFiles = report.numFailedTestSuites ?? 0;
  console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped > 0 ? `, ${skipped} skipped` : ""}${failedFiles > 0 ? `; ${failedFiles} test file(s) failed` : ""}`);
  rmSync(results, { force: true });
}
process.exit(vitest.status ?? 1);
