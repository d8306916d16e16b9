// Types of oci-image.mjs, for TypeScript callers (tests, a release script).

export declare const DEFAULT_PATH: string;
export declare const EPOCH: string;

/** A mistake in the arguments (the CLI exits 2), as opposed to a failure while working (exit 1). */
export declare class UsageError extends Error {}

export interface ImageFile {
  /** Path in the image; a trailing "/" appends the source's base name. */
  dest: string;
  /** File to copy; or give `data`. */
  src?: string;
  data?: Buffer | string;
  /** Default: 0755 when `src` is executable by its owner, else 0644. */
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface ImageOptions {
  out: string;
  /** References, e.g. "127.0.0.1:5000/demo:1"; one index entry each, all the same manifest. */
  names: string[];
  /** Uncompressed tars used as layers as they are, in order, before the files layer. */
  layerTars?: string[];
  files?: ImageFile[];
  symlinks?: { target: string; dest: string }[];
  entrypoint?: string[];
  cmd?: string[];
  /** "K=V"; PATH defaults to DEFAULT_PATH unless one is given. */
  env?: string[];
  workdir?: string;
  /** "UID[:GID]" */
  user?: string;
  arch?: "amd64" | "arm64";
  labels?: Record<string, string>;
}

export interface ImageResult {
  manifestDigest: string;
  manifestSize: number;
  configDigest: string;
  layers: { digest: string; size: number }[];
  /** The names as stored in the index (normalized: "busybox" -> "docker.io/library/busybox:latest"). */
  names: string[];
}

export type LayerEntry =
  | { path: string; type: "file"; data: Buffer; mode?: number; uid?: number; gid?: number }
  | { path: string; type: "symlink"; target: string }
  | { path: string; type: "dir"; mode?: number; uid?: number; gid?: number };

export declare function writeImage(options: ImageOptions): Promise<ImageResult>;
export declare function buildLayerTar(entries: LayerEntry[]): Buffer;
export declare function tarHeader(entry: {
  name: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  type?: "0" | "2" | "5";
  linkname?: string;
}): Buffer;
export declare function normalizeReference(ref: string): { name: string; tag: string };
export declare function parseCli(argv: string[]): ImageOptions | { help: true };
export declare function main(
  argv: string[],
  streams?: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream },
): Promise<number>;
