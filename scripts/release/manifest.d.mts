// Types of manifest.mjs, for TypeScript callers (the tests).
import type { Platform } from "./platforms.mjs";
export declare const DEFAULT_BASE_URL: string;
export declare function archiveUri(baseUrl: string, version: string, platform: Pick<Platform, "os" | "arch">): string;
export declare function renderManifest(
  template: string,
  release: { version: string; baseUrl: string; platforms: readonly (Pick<Platform, "os" | "arch"> & { sha256: string })[] },
): string;
