import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "yaml";
import { renderManifest } from "../../scripts/release/manifest.mjs";
import { PLATFORMS, archiveName } from "../../scripts/release/platforms.mjs";
import { describeTestbed } from "./suite.ts";
import { ROOT, SCENARIO_CATEGORIES, readTestbedEnv } from "./testbed.ts";

/**
 * `npm run release` end to end: the build (cached: a second run rebuilds nothing), krew's own
 * validator and `kubectl krew install --archive` (krew built from its Go module), and the
 * installed binary run by kubectl with no Node on PATH, offline and against the test bed.
 * The linux/arm64 binary runs under qemu-user (Debian: qemu-user, libc6-arm64-cross,
 * libstdc++6-arm64-cross); without them that one test fails under CI=true and is skipped loudly
 * otherwise.
 */
const PLATFORM_LIST = "linux/amd64,linux/arm64";
const RELEASE = path.join(ROOT, "release");
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const NODE = path.join(ROOT, "node_modules", "node", "bin", "node");
const built = PLATFORMS.filter((p) => PLATFORM_LIST.split(",").includes(`${p.os}/${p.arch}`));
const amd64 = path.join(RELEASE, archiveName(VERSION, { os: "linux", arch: "amd64" }));

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeout = 600_000): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: ROOT, env, encoding: "utf8", timeout, maxBuffer: 64 << 20 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function release(): { status: number; stderr: string; seconds: number } {
  const started = Date.now();
  const result = run(NODE, ["scripts/release.mjs", "--platforms", PLATFORM_LIST]);
  return { status: result.status, stderr: result.stderr, seconds: (Date.now() - started) / 1000 };
}

let tmp = "";
let krewDir = "";
let kubectlDir = "";
/** PATH for the installed plugin: krew's bin, kubectl and kubectl-krew, and a few shell tools; no node. */
let noNodePath = "";
let krewRoot = "";

/** Runs through kubectl's plugin lookup, with only noNodePath and the given variables. */
function kubectlNoNode(args: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  return run(path.join(tmp, "bin", "kubectl"), args, { HOME: tmp, PATH: noNodePath, KREW_ROOT: krewRoot, NO_COLOR: "1", ...env }, 120_000);
}

describeTestbed("npm run release: the self-contained binary through krew (Go builds krew, kubectl comes from the test bed)", () => {
  beforeAll(() => {
    const first = release();
    expect(first.status, first.stderr).toBe(0);
    process.stderr.write(`release build: ${first.seconds.toFixed(1)} s (${/up to date/.test(first.stderr) ? "cached" : "built"})\n`);
    const krew = run("bash", ["scripts/release/build-krew.sh"]);
    expect(krew.status, krew.stderr).toBe(0);
    krewDir = krew.stdout.trim();
    const cache = process.env["AIOPS_TESTBED_CACHE"] ?? path.join(process.env["HOME"] ?? "", ".cache", "kubectl-aiops-testbed");
    kubectlDir = readTestbedEnv()?.["TESTBED_BIN"] ?? path.join(cache, "kubernetes-v1.36.3");
    expect(existsSync(path.join(kubectlDir, "kubectl")), `no kubectl in ${kubectlDir}: npm run testbed -- build`).toBe(true);

    tmp = mkdtempSync(path.join(tmpdir(), "aiops-release-"));
    const bin = path.join(tmp, "bin");
    const tools = path.join(tmp, "tools");
    mkdirSync(bin);
    mkdirSync(tools);
    symlinkSync(path.join(kubectlDir, "kubectl"), path.join(bin, "kubectl"));
    symlinkSync(path.join(krewDir, "kubectl-krew"), path.join(bin, "kubectl-krew"));
    // the tools kubectl_complete-aiops uses, and git; node is left out on purpose
    for (const tool of ["sh", "readlink", "dirname", "realpath", "git"]) {
      const found = run("sh", ["-c", `command -v ${tool}`]).stdout.trim();
      if (found !== "") symlinkSync(found, path.join(tools, tool));
    }
    krewRoot = path.join(tmp, "krew");
    noNodePath = [path.join(krewRoot, "bin"), bin, tools].join(":");
  });

  afterAll(() => {
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
  });

  it("is cached: with the inputs unchanged a second run rebuilds nothing", () => {
    const again = release();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain("up to date");
    expect(again.seconds).toBeLessThan(15);
  });

  it("writes one archive and a sha256sum file per platform, and a manifest made from the template with those checksums", () => {
    const platforms = built.map((p) => {
      const name = archiveName(VERSION, p);
      const sha256 = createHash("sha256").update(readFileSync(path.join(RELEASE, name))).digest("hex");
      expect(readFileSync(path.join(RELEASE, `${name}.sha256`), "utf8")).toBe(`${sha256}  ${name}\n`);
      expect(spawnSync("sha256sum", ["-c", `${name}.sha256`], { cwd: RELEASE }).status).toBe(0);
      return { ...p, sha256 };
    });
    const manifest = readFileSync(path.join(RELEASE, "krew-manifest.yaml"), "utf8");
    const template = readFileSync(path.join(ROOT, "scripts", "release", "krew-manifest.template.yaml"), "utf8");
    expect(manifest).toBe(renderManifest(template, { version: VERSION, baseUrl: "https://github.com/kubectl-aiops/kubectl-aiops/releases/download", platforms }));
    expect(manifest).not.toMatch(/0{64}/);
    const listing = run("tar", ["-tvzf", amd64]).stdout;
    expect(listing).toMatch(/-rw-r--r-- 0\/0 .* LICENSE\n/);
    expect(listing).toMatch(/-rwxr-xr-x 0\/0 .* kubectl-aiops\n/);
    expect(listing).toMatch(/-rwxr-xr-x 0\/0 .* kubectl_complete-aiops\n/);
  });

  it("is accepted by krew's validate-krew-manifest (structure, selectors)", () => {
    const dir = path.join(tmp, "index");
    mkdirSync(dir, { recursive: true });
    // the validator wants the file named after the plugin, as in krew-index (plugins/aiops.yaml)
    writeFileSync(path.join(dir, "aiops.yaml"), readFileSync(path.join(RELEASE, "krew-manifest.yaml")));
    const result = run(path.join(krewDir, "validate-krew-manifest"), ["-manifest", path.join(dir, "aiops.yaml"), "-skip-install"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("structural validation OK");
  });

  it("installs on every platform through the validator, from the archives served at a local base URL", async () => {
    const server = http.createServer((req, res) => {
      const file = path.join(RELEASE, path.basename(decodeURIComponent(req.url ?? "")));
      if (!existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200);
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const platforms = built.map((p) => ({ ...p, sha256: readFileSync(path.join(RELEASE, `${archiveName(VERSION, p)}.sha256`), "utf8").split(" ")[0] ?? "" }));
      const dir = path.join(tmp, "local-index");
      mkdirSync(dir, { recursive: true });
      const template = readFileSync(path.join(ROOT, "scripts", "release", "krew-manifest.template.yaml"), "utf8");
      writeFileSync(path.join(dir, "aiops.yaml"), renderManifest(template, { version: VERSION, baseUrl, platforms }));
      // async: the server answers from this process while the validator runs
      const { stderr } = await promisify(execFile)(path.join(krewDir, "validate-krew-manifest"), ["-manifest", path.join(dir, "aiops.yaml")], { env: { PATH: `${path.join(tmp, "bin")}:/usr/bin:/bin`, HOME: tmp }, timeout: 300_000, maxBuffer: 16 << 20 });
      expect(stderr).toContain(`all ${built.length} spec.platforms installed fine`);
    } finally {
      server.close();
    }
  }, 300_000);

  it("installs with kubectl krew install --manifest --archive, and runs with no Node on PATH", () => {
    expect(run("/bin/sh", ["-c", "command -v node || echo none"], { PATH: noNodePath }).stdout.trim()).toBe("none");
    const install = kubectlNoNode(["krew", "install", `--manifest=${path.join(RELEASE, "krew-manifest.yaml")}`, `--archive=${amd64}`]);
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr + install.stdout).toContain("Installed plugin: aiops");

    const version = kubectlNoNode(["aiops", "version", "-o", "json"]);
    expect(version.status, version.stderr).toBe(0);
    expect(JSON.parse(version.stdout)).toMatchObject({ version: VERSION, platform: "linux/amd64", singleExecutable: true, buildDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(kubectlNoNode(["aiops", "--version"]).stdout).toMatch(new RegExp(`^${VERSION.replaceAll(".", "\\.")} \\(commit [0-9a-f]{12}`));

    const runbook = kubectlNoNode(["aiops", "runbook", "oomkilled"]);
    expect(runbook.status, runbook.stderr).toBe(0);
    expect(runbook.stdout).toContain("## Check by hand");
    expect(kubectlNoNode(["aiops", "runbook"]).stdout).not.toContain("(missing)");

    const diagnose = kubectlNoNode(["aiops", "diagnose", "-f", path.join(ROOT, "examples", "incidents", "oomkill-memory-leak.json"), "-o", "json"]);
    expect(diagnose.status, diagnose.stderr).toBe(0);
    expect(diagnose.stdout).toContain('"OOMKilled"');
  });

  it("completes through the kubectl_complete-aiops helper once it is on PATH (the caveat's link)", () => {
    const store = path.join(krewRoot, "store", "aiops", `v${VERSION}`, "kubectl_complete-aiops");
    symlinkSync(store, path.join(tmp, "tools", "kubectl_complete-aiops"));
    const completion = run(path.join(tmp, "tools", "kubectl_complete-aiops"), ["run"], { PATH: noNodePath });
    expect(completion.status, completion.stderr).toBe(0);
    expect(completion.stdout).toBe("runbook\n:4\n");
  });

  const qemu = existsSync("/usr/bin/qemu-aarch64") && existsSync("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1");
  if (!qemu) {
    const message = "the linux/arm64 binary is NOT run: install qemu-user libc6-arm64-cross libstdc++6-arm64-cross (Debian)";
    if (process.env["CI"] === "true") throw new Error(message);
    process.stderr.write(`\n*** ${message} ***\n\n`);
  }
  it.runIf(qemu)("the linux/arm64 binary runs under qemu-user", () => {
    const dir = path.join(tmp, "arm64");
    mkdirSync(dir);
    expect(run("tar", ["-xzf", path.join(RELEASE, archiveName(VERSION, { os: "linux", arch: "arm64" })), "-C", dir]).status).toBe(0);
    const version = run("/usr/bin/qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", path.join(dir, "kubectl-aiops"), "version", "-o", "json"], { PATH: "/usr/bin:/bin" });
    expect(version.status, version.stderr).toBe(0);
    expect(JSON.parse(version.stdout)).toMatchObject({ version: VERSION, platform: "linux/arm64", singleExecutable: true });
  }, 120_000);

  it("diagnose -A against the test bed, from the krew install with no Node on PATH", () => {
    const env = readTestbedEnv() ?? {};
    if (!existsSync(path.join(krewRoot, "bin", "kubectl-aiops"))) {
      expect(kubectlNoNode(["krew", "install", `--manifest=${path.join(RELEASE, "krew-manifest.yaml")}`, `--archive=${amd64}`]).status).toBe(0);
    }
    const result = kubectlNoNode(["aiops", "diagnose", "-A", "-o", "json"], { KUBECONFIG: env["KUBECONFIG"] ?? path.join(ROOT, ".testbed", "kubeconfig") });
    expect(result.status, result.stderr).toBe(0);
    const doc = parse(result.stdout) as { items: { findings: { category: string; object: { namespace?: string } }[] }[] };
    const found = new Set(doc.items.flatMap((i) => i.findings.map((f) => `${f.object.namespace}/${f.category}`)));
    for (const [namespace, category] of Object.entries(SCENARIO_CATEGORIES)) expect(found, `${namespace} ${category}`).toContain(`${namespace}/${category}`);
  });
});
