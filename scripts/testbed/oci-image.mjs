#!/usr/bin/env node
// Writes a container image as an OCI image layout archive (`oci-layout`, `index.json`,
// `blobs/sha256/<digest>` in one tar), with Node built-ins only: the test bed reaches no image
// registry and runs no image-building daemon, so its images are assembled here and loaded with
// `ctr -n k8s.io images import FILE.tar`. Same inputs, same bytes (every timestamp is 0, every
// list sorted), so the archive's hash can key a cache.
//
//   node scripts/testbed/oci-image.mjs --out FILE.tar --name REF [--name REF2]...
//     [--layer-tar TAR]... [--add SRC:DEST[:MODE[:UID[:GID]]]]... [--symlink TARGET:DEST]...
//     [--entrypoint JSON] [--cmd JSON] [--env K=V]... [--workdir DIR] [--user UID[:GID]]
//     [--arch amd64|arm64] [--label K=V]...
//
// Each --layer-tar (an uncompressed tar such as a rootfs from mmdebstrap) is one layer, copied
// as is and hashed while it is copied, never held in memory. The --add and --symlink entries
// form one last layer written here. Layers stay uncompressed (diff_id = digest). Prints the
// manifest digest. Exit 2 for usage errors, 1 for other failures.
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

export const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const EPOCH = "1970-01-01T00:00:00Z";

const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar",
};

/** A mistake in the arguments (exit 2), as opposed to a failure while working (exit 1). */
export class UsageError extends Error {}

// ---- references ------------------------------------------------------------------------------

const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?";
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?$`);

/**
 * Completes a reference the way containerd and Docker read it, so the CRI finds the image by the
 * name a pod spec uses: `demo` -> `docker.io/library/demo:latest`,
 * `127.0.0.1:5000/demo:1` unchanged. Returns the full name and its tag.
 */
export function normalizeReference(ref) {
  const m = REFERENCE.exec(ref);
  if (!m) throw new UsageError(`--name ${JSON.stringify(ref)} is not an image reference such as registry.k8s.io/pause:3.10.2`);
  let [, first, rest, tag] = m;
  // "a/b" where "a" has no dot, no port and is not localhost is a path on docker.io, not a host
  if (first !== undefined && !/[.:[]/.test(first) && first !== "localhost") {
    rest = `${first}/${rest}`;
    first = undefined;
  }
  if (first === undefined) {
    first = "docker.io";
    if (!rest.includes("/")) rest = `library/${rest}`;
  }
  tag ??= "latest";
  return { name: `${first}/${rest}:${tag}`, tag };
}

// ---- tar -------------------------------------------------------------------------------------

const BLOCK = 512;
const OCTAL_LIMIT = { mode: 8 ** 7, id: 8 ** 7, size: 8 ** 11 };

function octal(buf, offset, width, value) {
  buf.write(value.toString(8).padStart(width - 1, "0"), offset, width - 1, "ascii");
}

function paxRecord(key, value) {
  // "<len> key=value\n", where len counts the whole record, its own digits included
  const body = ` ${key}=${value}\n`;
  const n = Buffer.byteLength(body);
  let len = n + String(n).length;
  if (String(len).length !== String(n).length) len = n + String(len).length;
  return `${len}${body}`;
}

function rawHeader({ name, mode, uid, gid, size, type, linkname = "" }) {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, "utf8");
  octal(h, 100, 8, mode);
  octal(h, 108, 8, uid);
  octal(h, 116, 8, gid);
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0); // mtime: always the epoch, for byte-identical output
  h.write(type, 156, 1, "ascii");
  h.write(linkname, 157, 100, "utf8");
  h.write("ustar\u000000", 257, 8, "ascii");
  h.fill(" ", 148, 156); // the checksum is summed with its own field as spaces
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "ascii");
  return h;
}

function pad(size) {
  const r = size % BLOCK;
  return r === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - r);
}

const fitsUstar = (s) => /^[\x20-\x7e]*$/.test(s) && Buffer.byteLength(s) <= 100;

/**
 * The header block(s) of one tar entry: ustar, preceded by a pax extended header when the name,
 * link target or size does not fit a ustar field. type: "0" file, "2" symlink, "5" directory.
 */
export function tarHeader({ name, mode = 0o644, uid = 0, gid = 0, size = 0, type = "0", linkname = "" }) {
  let pax = "";
  if (!fitsUstar(name)) pax += paxRecord("path", name);
  if (!fitsUstar(linkname)) pax += paxRecord("linkpath", linkname);
  if (size >= OCTAL_LIMIT.size) pax += paxRecord("size", String(size));
  if (uid >= OCTAL_LIMIT.id) pax += paxRecord("uid", String(uid));
  if (gid >= OCTAL_LIMIT.id) pax += paxRecord("gid", String(gid));
  const entry = rawHeader({
    name: fitsUstar(name) ? name : name.replace(/[^\x20-\x7e]/g, "_").slice(-100),
    mode: mode % OCTAL_LIMIT.mode,
    uid: uid < OCTAL_LIMIT.id ? uid : 0,
    gid: gid < OCTAL_LIMIT.id ? gid : 0,
    size: size < OCTAL_LIMIT.size ? size : 0,
    type,
    linkname: fitsUstar(linkname) ? linkname : "",
  });
  if (pax === "") return entry;
  const data = Buffer.from(pax, "utf8");
  const paxName = `PaxHeaders/${path.posix.basename(name)}`.replace(/[^\x20-\x7e]/g, "_").slice(0, 100);
  return Buffer.concat([rawHeader({ name: paxName, mode: 0o644, uid: 0, gid: 0, size: data.length, type: "x" }), data, pad(data.length), entry]);
}

const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

function cleanDest(dest, what) {
  const p = path.posix.normalize(`/${dest}`).replace(/\/+$/, "");
  if (p === "" || p.split("/").includes("..")) throw new UsageError(`${what}: ${JSON.stringify(dest)} is not a path inside the image`);
  return p.slice(1); // layer entries are relative: usr/bin/x
}

/**
 * One layer tar from in-memory entries: `{ path, type: "file", data, mode?, uid?, gid? }`,
 * `{ path, type: "symlink", target }` or `{ path, type: "dir", mode? }`. Every parent folder
 * gets an entry (0755, root), entries are sorted by path, owners are 0 unless given.
 */
export function buildLayerTar(entries) {
  const byPath = new Map();
  for (const e of entries) {
    const p = cleanDest(e.path, e.type);
    if (byPath.has(p)) throw new UsageError(`${p} is given twice`);
    byPath.set(p, { ...e, path: p });
  }
  for (const p of [...byPath.keys()]) {
    for (let dir = path.posix.dirname(p); dir !== "."; dir = path.posix.dirname(dir)) {
      const existing = byPath.get(dir);
      if (existing && existing.type !== "dir") throw new UsageError(`${dir} is a ${existing.type} but ${p} is inside it`);
      if (!existing) byPath.set(dir, { path: dir, type: "dir" });
    }
  }
  const parts = [];
  for (const p of [...byPath.keys()].sort()) {
    const e = byPath.get(p);
    const owner = { uid: e.uid ?? 0, gid: e.gid ?? 0 };
    if (e.type === "dir") {
      parts.push(tarHeader({ name: `${p}/`, type: "5", mode: e.mode ?? 0o755, ...owner }));
    } else if (e.type === "symlink") {
      parts.push(tarHeader({ name: p, type: "2", mode: 0o777, linkname: e.target, ...owner }));
    } else {
      parts.push(tarHeader({ name: p, type: "0", mode: e.mode ?? 0o644, size: e.data.length, ...owner }), e.data, pad(e.data.length));
    }
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

// ---- the archive -----------------------------------------------------------------------------

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");

/** Writes the archive sequentially, with a way back to patch a header (see copyLayerTar). */
class ArchiveWriter {
  constructor(fh) {
    this.fh = fh;
    this.pos = 0;
    this.blobs = new Map(); // hex digest -> size, each blob written once
  }

  async writeAt(buf, pos) {
    for (let done = 0; done < buf.length; ) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, pos + done);
      done += bytesWritten;
    }
  }

  async write(buf) {
    await this.writeAt(buf, this.pos);
    this.pos += buf.length;
  }

  async file(name, data, mode = 0o644) {
    await this.write(Buffer.concat([tarHeader({ name, mode, size: data.length }), data, pad(data.length)]));
  }

  async blob(data) {
    const hex = sha256(data);
    if (!this.blobs.has(hex)) {
      this.blobs.set(hex, data.length);
      await this.file(`blobs/sha256/${hex}`, data);
    }
    return { digest: `sha256:${hex}`, size: data.length };
  }

  // The blob's name is its digest, known only once the whole layer has been read: write the
  // header with a placeholder name, stream the content through the hash, then rewrite the
  // header in place. One pass over a file of hundreds of MB, little memory.
  async layerFromFile(file) {
    const fh = await open(file, "r");
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new UsageError(`--layer-tar ${file} is not a regular file`);
      await checkUncompressedTar(fh, st.size, file);
      const start = this.pos;
      const placeholder = `blobs/sha256/${"0".repeat(64)}`;
      await this.write(tarHeader({ name: placeholder, size: st.size }));
      const hash = createHash("sha256");
      const buf = Buffer.allocUnsafe(1 << 20);
      let copied = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, copied);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        hash.update(chunk);
        await this.write(chunk);
        copied += bytesRead;
      }
      if (copied !== st.size) throw new Error(`${file} changed size while it was read (${st.size} -> ${copied} bytes)`);
      await this.write(pad(copied));
      const hex = hash.digest("hex");
      if (this.blobs.has(hex)) {
        this.pos = start; // the same layer twice: keep one copy (the rest is cut off at the end)
      } else {
        this.blobs.set(hex, copied);
        await this.writeAt(tarHeader({ name: `blobs/sha256/${hex}`, size: copied }), start);
      }
      return { digest: `sha256:${hex}`, size: copied };
    } finally {
      await fh.close();
    }
  }
}

async function checkUncompressedTar(fh, size, file) {
  const head = Buffer.alloc(Math.min(size, BLOCK));
  await fh.read(head, 0, head.length, 0);
  const magic = [
    ["gzip", [0x1f, 0x8b]], ["zstd", [0x28, 0xb5, 0x2f, 0xfd]], ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a]], ["bzip2", [0x42, 0x5a, 0x68]],
  ].find(([, bytes]) => bytes.every((b, i) => head[i] === b));
  if (magic) throw new UsageError(`--layer-tar ${file} is ${magic[0]}-compressed; give the uncompressed tar`);
  if (size === 0 || size % BLOCK !== 0) throw new UsageError(`--layer-tar ${file} is not a tar archive (size ${size} is not a multiple of 512)`);
}

function imageConfig(o, diffIds) {
  const env = [...(o.env ?? [])];
  if (!env.some((e) => e.startsWith("PATH="))) env.unshift(DEFAULT_PATH);
  const config = {};
  if (o.user) config.User = o.user;
  config.Env = env;
  if (o.entrypoint) config.Entrypoint = o.entrypoint;
  if (o.cmd) config.Cmd = o.cmd;
  if (o.workdir) config.WorkingDir = o.workdir;
  const labels = Object.entries(o.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (labels.length > 0) config.Labels = Object.fromEntries(labels);
  return {
    created: EPOCH,
    architecture: o.arch ?? "amd64",
    os: "linux",
    config,
    rootfs: { type: "layers", diff_ids: diffIds },
  };
}

function validate(o) {
  if (!o.out) throw new UsageError("--out FILE.tar is required");
  if (!o.names?.length) throw new UsageError("at least one --name REF is required");
  if (!o.layerTars?.length && !o.files?.length && !o.symlinks?.length) throw new UsageError("nothing to put in the image: give --layer-tar, --add or --symlink");
  if (!["amd64", "arm64"].includes(o.arch ?? "amd64")) throw new UsageError(`--arch must be amd64 or arm64, got ${o.arch}`);
  if (o.user && !/^[^\s:]+(:[^\s:]+)?$/.test(o.user)) throw new UsageError(`--user must be UID[:GID], got ${JSON.stringify(o.user)}`);
  for (const key of ["entrypoint", "cmd"]) {
    const v = o[key];
    if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === "string"))) throw new UsageError(`--${key} must be a JSON array of strings`);
  }
  for (const e of o.env ?? []) if (!/^[^=]+=/.test(e)) throw new UsageError(`--env must be K=V, got ${JSON.stringify(e)}`);
  if (o.workdir && !o.workdir.startsWith("/")) throw new UsageError(`--workdir must be absolute, got ${JSON.stringify(o.workdir)}`);
}

/**
 * Writes the image archive to `options.out` (through a temporary file, renamed at the end) and
 * returns its digests.
 *
 * options: { out, names: [REF...], layerTars?: [path...],
 *   files?: [{ dest, src } | { dest, data: Buffer|string }, + mode?, uid?, gid?],
 *   symlinks?: [{ target, dest }], entrypoint?: [..], cmd?: [..], env?: ["K=V"], workdir?,
 *   user?, arch?: "amd64"|"arm64", labels?: { K: V } }
 * A file without `mode` is 0755 when its source is executable by its owner, else 0644.
 */
export async function writeImage(options) {
  validate(options);
  const refs = [...new Map(options.names.map((n) => normalizeReference(n)).map((r) => [r.name, r])).values()];
  for (const t of options.layerTars ?? []) {
    const st = await stat(t).catch(() => null);
    if (!st?.isFile()) throw new UsageError(`--layer-tar ${t}: no such file`);
  }
  const entries = [];
  for (const f of options.files ?? []) {
    let data = f.data;
    let mode = f.mode;
    if (data === undefined) {
      const st = await stat(f.src).catch(() => null);
      if (!st?.isFile()) throw new UsageError(`--add ${f.src}: no such file`);
      const fh = await open(f.src, "r");
      try {
        data = await fh.readFile();
      } finally {
        await fh.close();
      }
      mode ??= st.mode & 0o100 ? 0o755 : 0o644;
    }
    let dest = f.dest;
    if (dest.endsWith("/") && f.src) dest += path.basename(f.src);
    entries.push({ path: dest, type: "file", data: Buffer.from(data), mode: mode ?? 0o644, uid: f.uid, gid: f.gid });
  }
  for (const s of options.symlinks ?? []) entries.push({ path: s.dest, type: "symlink", target: s.target });
  const ownLayer = entries.length > 0 ? buildLayerTar(entries) : null;

  const out = path.resolve(options.out);
  const dirStat = await stat(path.dirname(out)).catch(() => null);
  if (!dirStat?.isDirectory()) throw new UsageError(`--out ${options.out}: folder ${path.dirname(out)} does not exist`);
  const tmp = `${out}.tmp-${process.pid}`;
  const fh = await open(tmp, "w");
  try {
    const w = new ArchiveWriter(fh);
    await w.write(tarHeader({ name: "blobs/", type: "5", mode: 0o755 }));
    await w.write(tarHeader({ name: "blobs/sha256/", type: "5", mode: 0o755 }));
    const layers = [];
    for (const t of options.layerTars ?? []) layers.push(await w.layerFromFile(t));
    if (ownLayer) layers.push(await w.blob(ownLayer));

    const config = await w.blob(Buffer.from(JSON.stringify(imageConfig(options, layers.map((l) => l.digest)))));
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, ...config },
      layers: layers.map((l) => ({ mediaType: MEDIA.layer, ...l })),
    };
    const manifestDesc = await w.blob(Buffer.from(JSON.stringify(manifest)));
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA.index,
      // one entry per name, all the same manifest: containerd creates an image for each
      manifests: refs.map((r) => ({
        mediaType: MEDIA.manifest,
        ...manifestDesc,
        platform: { architecture: options.arch ?? "amd64", os: "linux" },
        annotations: { "io.containerd.image.name": r.name, "org.opencontainers.image.ref.name": r.tag },
      })),
    };
    await w.file("oci-layout", Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" })));
    await w.file("index.json", Buffer.from(JSON.stringify(index)));
    await w.write(END_OF_ARCHIVE);
    await fh.truncate(w.pos);
    await fh.close();
    await rename(tmp, out);
    return { manifestDigest: manifestDesc.digest, manifestSize: manifestDesc.size, configDigest: config.digest, layers, names: refs.map((r) => r.name) };
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
}

// ---- command line ----------------------------------------------------------------------------

const USAGE = `usage: node scripts/testbed/oci-image.mjs --out FILE.tar --name REF [--name REF]...
  [--layer-tar TAR]... [--add SRC:DEST[:MODE[:UID[:GID]]]]... [--symlink TARGET:DEST]...
  [--entrypoint JSON] [--cmd JSON] [--env K=V]... [--workdir DIR] [--user UID[:GID]]
  [--arch amd64|arm64] [--label K=V]...`;

function parseJsonArray(flag, text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} must be a JSON array of strings, e.g. '["/demo"]', got ${text}`);
  }
}

function parseMode(text, spec) {
  if (!/^[0-7]{3,4}$/.test(text)) throw new UsageError(`--add ${spec}: mode must be octal such as 0755`);
  return Number.parseInt(text, 8);
}

function parseId(text, spec) {
  if (!/^\d+$/.test(text)) throw new UsageError(`--add ${spec}: uid and gid must be numbers`);
  return Number(text);
}

/** Turns argv into writeImage options; throws UsageError. */
export function parseCli(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: "string" },
        name: { type: "string", multiple: true },
        "layer-tar": { type: "string", multiple: true },
        add: { type: "string", multiple: true },
        symlink: { type: "string", multiple: true },
        entrypoint: { type: "string" },
        cmd: { type: "string" },
        env: { type: "string", multiple: true },
        workdir: { type: "string" },
        user: { type: "string" },
        arch: { type: "string" },
        label: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new UsageError(err.message.split("\n")[0]);
  }
  if (values.help) return { help: true };
  const files = (values.add ?? []).map((spec) => {
    const [src, dest, mode, uid, gid, ...extra] = spec.split(":");
    if (!src || !dest || extra.length > 0) throw new UsageError(`--add must be SRC:DEST[:MODE[:UID[:GID]]], got ${spec}`);
    return {
      src, dest,
      ...(mode ? { mode: parseMode(mode, spec) } : {}),
      ...(uid ? { uid: parseId(uid, spec) } : {}),
      ...(gid ? { gid: parseId(gid, spec) } : uid ? { gid: parseId(uid, spec) } : {}),
    };
  });
  const symlinks = (values.symlink ?? []).map((spec) => {
    const i = spec.lastIndexOf(":");
    if (i <= 0 || i === spec.length - 1) throw new UsageError(`--symlink must be TARGET:DEST, got ${spec}`);
    return { target: spec.slice(0, i), dest: spec.slice(i + 1) };
  });
  const labels = {};
  for (const l of values.label ?? []) {
    const i = l.indexOf("=");
    if (i <= 0) throw new UsageError(`--label must be K=V, got ${l}`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  return {
    out: values.out,
    names: values.name ?? [],
    layerTars: values["layer-tar"] ?? [],
    files,
    symlinks,
    entrypoint: values.entrypoint === undefined ? undefined : parseJsonArray("--entrypoint", values.entrypoint),
    cmd: values.cmd === undefined ? undefined : parseJsonArray("--cmd", values.cmd),
    env: values.env ?? [],
    workdir: values.workdir,
    user: values.user,
    arch: values.arch ?? "amd64",
    labels,
  };
}

/** The CLI: returns the exit code. */
export async function main(argv, { stdout = process.stdout, stderr = process.stderr } = {}) {
  try {
    const options = parseCli(argv);
    if (options.help) {
      stdout.write(`${USAGE}\n`);
      return 0;
    }
    const result = await writeImage(options);
    stdout.write(`${result.manifestDigest}\n`);
    return 0;
  } catch (err) {
    const hint = err instanceof UsageError ? " (--help shows the usage)" : "";
    stderr.write(`oci-image: ${String(err?.message ?? err).split("\n")[0]}${hint}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

// run as a command (also through a symlink), not when imported
const invokedAs = (() => {
  try {
    return process.argv[1] ? realpathSync(process.argv[1]) : "";
  } catch {
    return "";
  }
})();
if (invokedAs === realpathSync(fileURLToPath(import.meta.url))) {
  process.exitCode = await main(process.argv.slice(2));
}
