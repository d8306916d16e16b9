// A record writer for stale-lock.test.ts, killed while it works: it takes the lock, leaves a
// half-written temporary record file as a write in progress does, says "locked" and waits.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { withLock } from "../../../src/records/lock.ts";
import { TEMP_PREFIX } from "../../../src/records/paths.ts";

const [lockFile, folder] = process.argv.slice(2);
if (lockFile === undefined || folder === undefined) throw new Error("usage: lock-holder.ts LOCK_FILE RECORD_FOLDER");
await withLock(lockFile, async () => {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, `${TEMP_PREFIX}${process.pid}-0000`), "---\nid: half a rec");
  process.stdout.write("locked\n");
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});
