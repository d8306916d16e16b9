// A separate decider process for the concurrency test: node runs this .ts directly (type stripping).
import { decideRecord } from "../../../src/app/approve.ts";

const [dir, id, user, now] = process.argv.slice(2);
if (dir === undefined || id === undefined || user === undefined || now === undefined) throw new Error("usage: concurrent-decider.ts REPO ID USER NOW");
const outcome = await decideRecord(
  { cwd: dir, env: {} },
  { record: id, decision: "approve" },
  { now: () => new Date(now), warn: (m) => process.stderr.write(`${m}\n`), identify: async () => ({ username: user, groups: [] }) },
);
process.stdout.write(`${JSON.stringify(outcome)}\n`);
