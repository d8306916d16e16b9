// Types of pin-image.mjs, for TypeScript callers (the tests).
export declare const RELEASE_IMAGE_REPOSITORY: string;
export declare function pinImages(text: string, ref: string): string;
export declare function imagesOf(text: string): string[];
export declare function pinnedReference(version: string, digest: string): string;
export declare function imageManifest(archive: string): { digest: string; manifest: { layers: { digest: string; size: number }[] } };
