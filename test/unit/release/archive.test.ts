import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { sha256Hex, tarGz } from "../../../scripts/release/archive.mjs";

const FILES = [
  { path: "kubectl-aiops", data: Buffer.from("#!/bin/sh\necho hi\n"), mode: 0o755 },
  { path: "LICENSE", data: Buffer.from("Apache-2.0\n"), mode: 0o644 },
];

describe("release archives", () => {
  it("have bytes that depend only on the files: no time, no name, Unix in the gzip header; entries sorted", () => {
    const a = tarGz(FILES);
    const b = tarGz([...FILES].reverse());
    expect(sha256Hex(a)).toBe(sha256Hex(b));
    expect([...a.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]); // gzip, deflate, no FNAME/FCOMMENT
    expect(a.readUInt32LE(4)).toBe(0); // MTIME
    expect(a[9]).toBe(3); // OS = Unix
    const tar = gunzipSync(a);
    expect(tar.subarray(0, 7).toString()).toBe("LICENSE");
  });

  it("unpack with tar to the files, modes kept, owned by 0/0 at the epoch", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "aiops-archive-"));
    try {
      writeFileSync(path.join(dir, "a.tar.gz"), tarGz(FILES));
      expect(spawnSync("tar", ["-xzf", "a.tar.gz"], { cwd: dir }).status).toBe(0);
      expect(readFileSync(path.join(dir, "kubectl-aiops"), "utf8")).toBe("#!/bin/sh\necho hi\n");
      expect(statSync(path.join(dir, "kubectl-aiops")).mode & 0o777).toBe(0o755);
      expect(statSync(path.join(dir, "LICENSE")).mode & 0o777).toBe(0o644);
      const listing = spawnSync("tar", ["-tvzf", "a.tar.gz"], { cwd: dir, encoding: "utf8" }).stdout;
      expect(listing).toMatch(/^-rw-r--r-- 0\/0 +11 1970-01-01 00:00 LICENSE$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hash as sha256sum does", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
