// Types of archive.mjs, for TypeScript callers (the tests).
export declare function tarGz(files: readonly { path: string; data: Buffer; mode: number }[]): Buffer;
export declare function sha256Hex(data: Buffer | string): string;
