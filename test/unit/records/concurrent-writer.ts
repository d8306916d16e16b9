// A separate writer process for the concurrency test: node runs this .ts directly (type stripping).
import { resolveHistory } from "../../../src/records/history.ts";
import { writeRecord } from "../../../src/records/store.ts";

const [dir, title] = process.argv.slice(2);
if (dir === undefined || title === undefined) throw new Error("usage: concurrent-writer.ts REPO TITLE");
const history = resolveHistory({ cwd: dir, env: {} });
const written = await writeRecord(
  history,
  { title, stage: "diagnosis", command: `writer ${title}`, user: { cluster: "unknown" }, body: `## Prompt\n\n${title}\n` },
  { now: () => new Date(), warn: (m) => process.stderr.write(`${m}\n`) },
);
process.stdout.write(`${written.frontMatter.id}\n`);
