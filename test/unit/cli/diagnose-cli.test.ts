import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../helpers/io.ts";

const dir = mkdtempSync(path.join(tmpdir(), "aiops-cli-"));
const write = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

const oomPod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "api-7d9f-x2k", namespace: "shop", uid: "u1", creationTimestamp: "2026-11-21T09:00:00Z" },
  spec: { containers: [{ name: "api", image: "shop/api:1", resources: { limits: { memory: "256Mi" } } }] },
  status: {
    phase: "Running",
    containerStatuses: [
      { name: "api", ready: false, restartCount: 5, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: "2026-11-21T10:00:00Z" } } },
    ],
  },
};
const healthyPod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-1", namespace: "shop", uid: "u2", creationTimestamp: "2026-11-20T09:00:00Z" },
  spec: { containers: [{ name: "web", image: "shop/web:1" }] },
  status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "web", ready: true, restartCount: 0, state: { running: { startedAt: "2026-11-20T09:00:05Z" } } }] },
};
const list = write("list.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [oomPod, healthyPod, { kind: "Widget", metadata: { name: "w" } }] }));

describe("diagnose -f", () => {
  it("prints pure JSON on stdout with -o json: a DiagnosisList with healthy items included", async () => {
    const result = await runCli(["diagnose", "-f", list, "-o", "json"]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { kind: string; items: { status: string; target: { name: string } }[] };
    expect(parsed.kind).toBe("DiagnosisList");
    expect(parsed.items.map((i) => [i.target.name, i.status])).toEqual([
      ["api-7d9f-x2k", "ProblemDetected"],
      ["web-1", "OK"],
    ]);
    expect(result.stderr).toContain("skipped 1 object(s) of kind Widget");
  });

  it("judges a file at its newest timestamp, so the answer does not depend on the clock", async () => {
    const early = await runCli(["diagnose", "-f", list, "-o", "json"], { now: "2026-11-21T12:00:00Z" });
    const late = await runCli(["diagnose", "-f", list, "-o", "json"], { now: "2027-03-01T00:00:00Z" });
    expect(late.stdout).toBe(early.stdout);
    expect(JSON.parse(early.stdout).judgedAt).toBe("2026-11-21T10:00:00.000Z");
  });

  it("prints one Diagnosis for pod NAME", async () => {
    const result = await runCli(["diagnose", "pod", "api-7d9f-x2k", "-f", list, "-o", "yaml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^apiVersion: aiops.dev\/v1\nkind: Diagnosis\n/);
    expect(result.stdout).toContain("category: OOMKilled");
  });

  it("accepts KIND/NAME", async () => {
    const result = await runCli(["diagnose", "po/web-1", "-f", list, "-o", "json"]);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: "Diagnosis", status: "OK", findings: [] });
  });

  it("exits 1 for a missing pod and suggests the closest names", async () => {
    const result = await runCli(["diagnose", "pod", "api", "-f", list]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: pod "api" not found');
    expect(result.stderr).toContain("did you mean: api-7d9f-x2k?");
    expect(result.stdout).toBe("");
  });

  it("exits 3 with --fail-on-problems when something fails, 0 when all is healthy", async () => {
    expect((await runCli(["diagnose", "-f", list, "--fail-on-problems"])).code).toBe(3);
    const healthy = write("healthy.json", JSON.stringify(healthyPod));
    const ok = await runCli(["diagnose", "-f", healthy, "--fail-on-problems"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("No problems found in 1 object(s).\n");
  });

  it("reads stdin for -f -", async () => {
    const result = await runCli(["diagnose", "-f", "-", "-o", "json"], { stdin: JSON.stringify(oomPod) });
    expect(JSON.parse(result.stdout).items[0].findings[0].category).toBe("OOMKilled");
  });

  it("renders table, wide and markdown", async () => {
    const table = await runCli(["diagnose", "-f", list]);
    expect(table.stdout).toMatch(/NAMESPACE\s+OBJECT\s+CATEGORY/);
    expect(table.stdout).toContain("Evidence:");
    const wide = await runCli(["diagnose", "-f", list, "-o", "wide"]);
    expect(wide.stdout).toMatch(/TIER/);
    expect(wide.stdout).toContain("runbooks/oomkilled.md");
    const md = await runCli(["diagnose", "-f", list, "-o", "markdown"]);
    expect(md.stdout).toContain("| shop | pod/api-7d9f-x2k [api] | OOMKilled | critical |");
  });
});

describe("bad input", () => {
  it("names the file and the position of malformed JSON, without a stack trace", async () => {
    const broken = write("broken.json", '{"kind": "Pod",\n "metadata": {"name": "a"\n}');
    const result = await runCli(["diagnose", "-f", broken]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*broken\.json: invalid JSON at line \d+ column \d+/);
    expect(result.stderr).toMatch(/^hint: /m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("shows the stack with --debug", async () => {
    const broken = write("broken2.json", "{");
    const result = await runCli(["diagnose", "-f", broken, "--debug"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  it("exits 1 for a missing file", async () => {
    const result = await runCli(["diagnose", "-f", path.join(dir, "nope.json")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nope.json: no such file");
  });

  it.each([
    { argv: ["diagnose", "-f", "x", "-o", "xml"], message: /Invalid values|choices/i },
    { argv: ["diagnose", "widget", "x"], message: /unknown kind "widget"/ },
    { argv: ["diagnose", "pod"], message: /name the pod/ },
    { argv: ["diagnose", "--now", "2026-11-21T10:00:00Z"], message: /--now only applies to -f/ },
    { argv: ["diagnose", "-f", "x", "--now", "yesterday"], message: /RFC 3339/ },
    { argv: ["diagnose", "-n", "Bad_NS"], message: /invalid --namespace/ },
    { argv: ["diagnose", "--request-timeout", "soon"], message: /invalid --request-timeout/ },
    { argv: ["frobnicate"], message: /Unknown argument|Did you mean/i },
  ])("exits 2 for usage errors: $argv", async ({ argv, message }) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe("live mode errors", () => {
  const servers: net.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  function kubeconfig(server: string): string {
    return write(
      `kc-${Math.random().toString(36).slice(2)}.yaml`,
      `apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: "${server}", insecure-skip-tls-verify: true}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user: {token: t0ken-value}\n`,
    );
  }

  it("says no kubeconfig was found", async () => {
    const result = await runCli(["diagnose", "namespace", "shop"], { env: { HOME: path.join(dir, "nohome") } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no kubeconfig found");
    expect(result.stderr).toContain("diagnose -f FILE");
  });

  it("reports a refused connection with the server URL", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    server.close();
    const result = await runCli(["diagnose", "namespace", "shop", "--kubeconfig", kubeconfig(`https://127.0.0.1:${port}`)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach the API server at https://127.0.0.1:${port}`);
    expect(result.stderr).toContain("connection refused");
  });

  it("gives up on a server that never answers after --request-timeout", async () => {
    // A TCP server that accepts and then stays silent: the TLS handshake never completes.
    const server = net.createServer(() => undefined);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const result = await runCli(["diagnose", "namespace", "shop", "--request-timeout", "1s", "--kubeconfig", kubeconfig(`https://127.0.0.1:${port}`)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`https://127.0.0.1:${port}`);
    expect(result.stderr).toContain("no answer within the request timeout of 1s");
  });

  it("names unknown contexts", async () => {
    const result = await runCli(["diagnose", "--context", "prod", "--kubeconfig", kubeconfig("https://127.0.0.1:1")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('context "prod" not found');
  });
});
