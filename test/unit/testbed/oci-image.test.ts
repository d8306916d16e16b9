import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLayerTar, writeImage } from "../../../scripts/testbed/oci-image.mjs";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SCRIPT = path.join(ROOT, "scripts", "testbed", "oci-image.mjs");

interface TarEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  data: Buffer;
}

/** A reader independent of the writer: ustar headers, pax `path`/`linkpath`/`size` records. */
function readTar(buf: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  const field = (h: Buffer, off: number, len: number) => h.subarray(off, off + len).toString("utf8").replace(/\0.*$/s, "");
  const num = (h: Buffer, off: number, len: number) => Number.parseInt(field(h, off, len).trim() || "0", 8);
  let pax: Record<string, string> = {};
  for (let pos = 0; pos + 512 <= buf.length; ) {
    const h = buf.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    expect(num(h, 148, 8), `checksum of header at ${pos}`).toBe(sum);
    expect(field(h, 257, 6)).toBe("ustar");
    expect(num(h, 136, 12), "mtime").toBe(0);
    const type = field(h, 156, 1);
    const size = pax["size"] !== undefined ? Number(pax["size"]) : num(h, 124, 12);
    const data = buf.subarray(pos + 512, pos + 512 + size);
    pos += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      pax = {};
      for (const rec of data.toString("utf8").split("\n").filter(Boolean)) {
        const [, kv] = rec.split(/ (.*)/s) as [string, string];
        const eq = kv.indexOf("=");
        pax[kv.slice(0, eq)] = kv.slice(eq + 1);
        expect(Buffer.byteLength(`${rec}\n`)).toBe(Number(rec.split(" ")[0]));
      }
      continue;
    }
    entries.push({
      name: pax["path"] ?? field(h, 0, 100),
      type,
      mode: num(h, 100, 8),
      uid: num(h, 108, 8),
      gid: num(h, 116, 8),
      linkname: pax["linkpath"] ?? field(h, 157, 100),
      data: Buffer.from(data),
    });
    pax = {};
  }
  return entries;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("scripts/testbed/oci-image.mjs", () => {
  let dir: string;
  let baseTar: Buffer;
  const longName = `opt/${"a".repeat(80)}/${"b".repeat(40)}.txt`;

  const run = (args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8" });
  const imageArgs = (out: string) => [
    "--out", out,
    "--name", "127.0.0.1:5000/demo:1", "--name", "127.0.0.1:5000/demo:2",
    "--layer-tar", path.join(dir, "base.tar"),
    "--add", `${path.join(dir, "hello.sh")}:/usr/local/bin/`,
    "--add", `${path.join(dir, "app.conf")}:/etc/app.conf:0640:1000:2000`,
    "--add", `${path.join(dir, "app.conf")}:/${longName}`,
    "--symlink", "/usr/local/bin/hello.sh:/hello",
    "--entrypoint", '["/hello"]', "--cmd", '["--flag"]',
    "--env", "FOO=bar", "--workdir", "/work", "--user", "65532:65532", "--label", "b=2", "--label", "a=1",
  ];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "aiops-oci-"));
    writeFileSync(path.join(dir, "hello.sh"), "#!/bin/sh\necho hello\n");
    chmodSync(path.join(dir, "hello.sh"), 0o755);
    writeFileSync(path.join(dir, "app.conf"), "key=value\n");
    // the base layer comes from another tar writer than the one under test
    baseTar = buildLayerTar([{ path: "bin/sh", type: "file", data: Buffer.from("not really a shell"), mode: 0o755 }]);
    writeFileSync(path.join(dir, "base.tar"), baseTar);
    mkdirSync(path.join(dir, "out"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the same bytes for the same inputs, and prints the manifest digest", () => {
    const first = run(imageArgs(path.join(dir, "out", "a.tar")));
    const second = run(imageArgs(path.join(dir, "out", "b.tar")));
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    expect(first.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(second.stdout).toBe(first.stdout);
    expect(readFileSync(path.join(dir, "out", "b.tar")).equals(readFileSync(path.join(dir, "out", "a.tar")))).toBe(true);
  });

  it("is an OCI layout whose blobs match their digests and sizes, named for containerd", async () => {
    const archive = readTar(readFileSync(path.join(dir, "out", "a.tar")));
    const files = new Map(archive.filter((e) => e.type === "0").map((e) => [e.name, e.data]));
    expect(archive.filter((e) => e.type === "5").map((e) => e.name)).toEqual(["blobs/", "blobs/sha256/"]);
    expect(JSON.parse(files.get("oci-layout")!.toString())).toEqual({ imageLayoutVersion: "1.0.0" });
    for (const [name, data] of files) {
      if (name.startsWith("blobs/")) expect(name).toBe(`blobs/sha256/${sha256(data)}`);
    }
    const blob = (desc: { digest: string; size: number }) => {
      const data = files.get(`blobs/sha256/${desc.digest.replace(/^sha256:/, "")}`);
      expect(data, desc.digest).toBeDefined();
      expect(data!.length).toBe(desc.size);
      return data!;
    };

    const index = JSON.parse(files.get("index.json")!.toString());
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(index.manifests.map((m: { annotations: object }) => m.annotations)).toEqual([
      { "io.containerd.image.name": "127.0.0.1:5000/demo:1", "org.opencontainers.image.ref.name": "1" },
      { "io.containerd.image.name": "127.0.0.1:5000/demo:2", "org.opencontainers.image.ref.name": "2" },
    ]);
    const [one, two] = index.manifests;
    expect(two.digest).toBe(one.digest);
    expect(one.platform).toEqual({ architecture: "amd64", os: "linux" });
    expect(one.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");

    const manifest = JSON.parse(blob(one).toString());
    expect(`sha256:${sha256(blob(one))}`).toBe(one.digest);
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.config.mediaType).toBe("application/vnd.oci.image.config.v1+json");
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar",
    ]);
    const config = JSON.parse(blob(manifest.config).toString());
    expect(config).toEqual({
      created: "1970-01-01T00:00:00Z",
      architecture: "amd64",
      os: "linux",
      config: {
        User: "65532:65532",
        Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FOO=bar"],
        Entrypoint: ["/hello"],
        Cmd: ["--flag"],
        WorkingDir: "/work",
        Labels: { a: "1", b: "2" },
      },
      rootfs: { type: "layers", diff_ids: manifest.layers.map((l: { digest: string }) => l.digest) },
    });

    // the given tar, as is; then the files layer with every parent folder, sorted
    expect(blob(manifest.layers[0]).equals(baseTar)).toBe(true);
    const layer = readTar(blob(manifest.layers[1]));
    expect(layer.map((e) => [e.name, e.type, e.mode.toString(8), e.uid, e.gid, e.linkname])).toEqual([
      ["etc/", "5", "755", 0, 0, ""],
      ["etc/app.conf", "0", "640", 1000, 2000, ""],
      ["hello", "2", "777", 0, 0, "/usr/local/bin/hello.sh"],
      ["opt/", "5", "755", 0, 0, ""],
      [`opt/${"a".repeat(80)}/`, "5", "755", 0, 0, ""],
      [longName, "0", "644", 0, 0, ""],
      ["usr/", "5", "755", 0, 0, ""],
      ["usr/local/", "5", "755", 0, 0, ""],
      ["usr/local/bin/", "5", "755", 0, 0, ""],
      ["usr/local/bin/hello.sh", "0", "755", 0, 0, ""],
    ]);
    expect(layer.find((e) => e.name === "usr/local/bin/hello.sh")!.data.toString()).toBe("#!/bin/sh\necho hello\n");

    // the function the CLI wraps gives the same image
    const result = await writeImage({
      out: path.join(dir, "out", "api.tar"),
      names: ["127.0.0.1:5000/demo:1", "127.0.0.1:5000/demo:2"],
      layerTars: [path.join(dir, "base.tar")],
      files: [
        { src: path.join(dir, "hello.sh"), dest: "/usr/local/bin/" },
        { src: path.join(dir, "app.conf"), dest: "/etc/app.conf", mode: 0o640, uid: 1000, gid: 2000 },
        { src: path.join(dir, "app.conf"), dest: `/${longName}` },
      ],
      symlinks: [{ target: "/usr/local/bin/hello.sh", dest: "/hello" }],
      entrypoint: ["/hello"],
      cmd: ["--flag"],
      env: ["FOO=bar"],
      workdir: "/work",
      user: "65532:65532",
      labels: { b: "2", a: "1" },
    });
    expect(result.manifestDigest).toBe(one.digest);
    expect(readFileSync(path.join(dir, "out", "api.tar")).equals(readFileSync(path.join(dir, "out", "a.tar")))).toBe(true);
  });

  it("completes short names as containerd does", () => {
    const out = path.join(dir, "out", "short.tar");
    const r = run(["--out", out, "--name", "busybox", "--add", `${path.join(dir, "app.conf")}:/x`]);
    expect(r.status, r.stderr).toBe(0);
    const index = JSON.parse(readTar(readFileSync(out)).find((e) => e.name === "index.json")!.data.toString());
    expect(index.manifests[0].annotations).toEqual({
      "io.containerd.image.name": "docker.io/library/busybox:latest",
      "org.opencontainers.image.ref.name": "latest",
    });
  });

  it("answers mistakes with one line, exit 2, and failures with exit 1", () => {
    writeFileSync(path.join(dir, "layer.tar.gz"), Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(508)]));
    const add = ["--add", `${path.join(dir, "app.conf")}:/x`];
    for (const [args, message] of [
      [["--name", "a/b:1", ...add], /--out FILE\.tar is required/],
      [["--out", path.join(dir, "out", "e.tar"), ...add], /at least one --name/],
      [["--out", path.join(dir, "out", "e.tar"), "--name", "a/b:1", "--bogus"], /Unknown option '--bogus'/],
      [["--out", path.join(dir, "out", "e.tar"), "--name", "Bad Name", ...add], /not an image reference/],
      [["--out", path.join(dir, "out", "e.tar"), "--name", "a/b:1", "--layer-tar", path.join(dir, "layer.tar.gz")], /gzip-compressed/],
      [["--out", path.join(dir, "out", "e.tar"), "--name", "a/b:1", "--entrypoint", "/demo", ...add], /JSON array/],
      [["--out", path.join(dir, "missing", "e.tar"), "--name", "a/b:1", ...add], /does not exist/],
    ] as const) {
      const r = run([...args]);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stdout).toBe("");
    }
    // the output path is a folder: fails at the final rename, leaves no temporary file
    const r = run(["--out", path.join(dir, "out"), "--name", "a/b:1", ...add]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^oci-image: .*\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});
