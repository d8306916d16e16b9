import { existsSync, readFileSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getAsset, getAssetKeys, isSea } from "node:sea";

let cached: string | undefined;

/**
 * The project (or installed package) root: the nearest folder above this module holding the
 * plugin's package.json. Works from the bundle in dist/ and from src/ under the tests; the single
 * executable has no such folder (its files are embedded: readOwnFile).
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

/** True in the self-contained executable (a Node single executable application, `npm run release`). */
export function isSingleExecutable(): boolean {
  return isSea();
}

/**
 * One of the plugin's own files, by its path in the project ("runbooks/oomkilled.md"): an asset
 * of the single executable (scripts/release/sea.mjs embeds them under these keys), else the file
 * in the project folder.
 */
export async function readOwnFile(relative: string): Promise<string> {
  if (isSea()) return getAsset(relative, "utf8");
  return readFile(path.join(projectRoot(), relative), "utf8");
}

/** The names of the plugin's own files in one folder ("runbooks"), embedded or on disk. */
export async function listOwnFiles(folder: string): Promise<string[]> {
  if (!isSea()) return readdir(path.join(projectRoot(), folder));
  const prefix = `${folder}/`;
  return getAssetKeys()
    .filter((key) => key.startsWith(prefix) && !key.slice(prefix.length).includes("/"))
    .map((key) => key.slice(prefix.length));
}
