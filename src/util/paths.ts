import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * The project (or installed package) root: the nearest folder above this module holding the
 * plugin's package.json. Works from the bundle in dist/ and from src/ under the tests.
 */
export function projectRoot(): string {
  if (cached !== undefined) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "kubectl-aiops") {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("kubectl-aiops: cannot find the plugin's own folder (package.json); reinstall the plugin");
    dir = parent;
  }
}
