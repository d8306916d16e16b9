/** Replaced at build time by esbuild's `define` (scripts/build-options.mjs); the fallbacks serve the tests run from src/. */
declare const __AIOPS_VERSION__: string | undefined;
declare const __AIOPS_GIT_COMMIT__: string | undefined;
declare const __AIOPS_BUILD_DATE__: string | undefined;

export const VERSION: string = typeof __AIOPS_VERSION__ === "string" ? __AIOPS_VERSION__ : "0.0.0-dev";

/** What `kubectl aiops version` reports. */
export interface BuildInfo {
  version: string;
  /** The commit built, with "-dirty" when tracked files differed from it; "unknown" outside git. */
  gitCommit: string;
  /** The last commit's time (SOURCE_DATE_EPOCH), so that a rebuild gives the same bytes. */
  buildDate: string;
  /** os/arch, as krew names them: linux/amd64, darwin/arm64. */
  platform: string;
  node: string;
  /** true for the self-contained executable, false for the bundle run by a Node on PATH. */
  singleExecutable: boolean;
}

/** What the build defined: the same in every copy of one build. */
export const BUILD: Pick<BuildInfo, "version" | "gitCommit" | "buildDate"> = {
  version: VERSION,
  gitCommit: typeof __AIOPS_GIT_COMMIT__ === "string" ? __AIOPS_GIT_COMMIT__ : "unknown",
  buildDate: typeof __AIOPS_BUILD_DATE__ === "string" ? __AIOPS_BUILD_DATE__ : "unknown",
};

const ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

export function buildInfo(runtime: { platform: string; arch: string; nodeVersion: string; singleExecutable: boolean }): BuildInfo {
  return {
    ...BUILD,
    platform: `${runtime.platform}/${ARCH[runtime.arch] ?? runtime.arch}`,
    node: runtime.nodeVersion,
    singleExecutable: runtime.singleExecutable,
  };
}

/** One line, for `--version`: "0.1.0 (commit 1a2b3c4d5e6f, built 2026-12-07T10:00:00Z)". */
export function versionLine(info: Pick<BuildInfo, "version" | "gitCommit" | "buildDate">): string {
  return `${info.version} (commit ${info.gitCommit.slice(0, 12)}${info.gitCommit.endsWith("-dirty") ? "-dirty" : ""}, built ${info.buildDate})`;
}

/** The table form of `kubectl aiops version`. */
export function formatBuildInfo(info: BuildInfo): string {
  const rows: [string, string][] = [
    ["Version", info.version],
    ["Git commit", info.gitCommit],
    ["Build date", info.buildDate],
    ["Platform", info.platform],
    ["Node", `${info.node}${info.singleExecutable ? " (embedded: single executable)" : ""}`],
  ];
  return `${rows.map(([k, v]) => `${`${k}:`.padEnd(12)} ${v}`).join("\n")}\n`;
}
