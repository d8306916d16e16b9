// A release archive: a gzipped tar whose bytes depend only on its files (scripts/testbed/oci-image.mjs
// writes the tar: sorted entries, owner 0, mtime 0; gzip here with no name, no time and a fixed OS byte).
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { buildLayerTar } from "../testbed/oci-image.mjs";

/** files: `{ path, data, mode }`; every file sits at the archive's top (krew's layout for this plugin). */
export function tarGz(files) {
  const gz = gzipSync(buildLayerTar(files.map((f) => ({ type: "file", path: f.path, data: f.data, mode: f.mode }))), { level: 9 });
  gz[9] = 3; // OS = Unix, whatever zlib the releasing Node was built with
  return gz;
}

export const sha256Hex = (data) => createHash("sha256").update(data).digest("hex");
