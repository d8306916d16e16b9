import { randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { TEMP_PREFIX } from "./paths.ts";

/**
 * Writes a file so that readers (and a crash) see the old content or the new, never half of one:
 * a temporary file in the same folder, flushed, then renamed over the target. A temporary file a
 * crash leaves behind is recognisable by its prefix and removed by the next write's recovery.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(text, "utf8");
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
