// Types of platforms.mjs, for TypeScript callers (the tests).
export interface Platform {
  os: "linux" | "darwin";
  arch: "amd64" | "arm64";
  /** The npm package holding this platform's Node binary. */
  nodePackage: string;
}
export declare const PLATFORMS: readonly Platform[];
export declare function parsePlatforms(list: string): Platform[];
export declare function platformName(p: Pick<Platform, "os" | "arch">): string;
export declare function archiveName(version: string, p: Pick<Platform, "os" | "arch">): string;
export declare function checksumLine(sha256: string, fileName: string): string;
