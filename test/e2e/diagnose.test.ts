import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { describeTestbed } from "./suite.ts";
import { kubectl, SCENARIO_CATEGORIES, testbed } from "./testbed.ts";

interface Finding {
  category: string;
  object: { kind: string; namespace?: string; name: string };
  evidence: string[];
}
interface DiagnosisJson {
  kind: string;
  status?: string;
  findings?: Finding[];
  items?: { status: string; target: { kind: string; name: string; namespace?: string }; findings: Finding[] }[];
}

function findings(doc: DiagnosisJson): Finding[] {
  return doc.kind === "DiagnosisList" ? (doc.items ?? []).flatMap((i) => i.findings) : (doc.findings ?? []);
}

function diagnoseJson(args: string[], kubeconfig?: string): DiagnosisJson {
  const result = kubectl(["aiops", "diagnose", ...args, "-o", "json"], kubeconfig === undefined ? {} : { kubeconfig });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as DiagnosisJson;
}


describeTestbed("kubectl aiops diagnose on the test bed (real kubectl, real API server)", () => {
  it.each(Object.entries(SCENARIO_CATEGORIES))("diagnose namespace %s finds %s", (namespace, category) => {
    const doc = diagnoseJson(["namespace", namespace]);
    expect(doc.kind).toBe("DiagnosisList");
    const categories = findings(doc).map((f) => f.category);
    expect(categories).toContain(category);
    expect(findings(doc).every((f) => f.object.namespace === namespace)).toBe(true);
  });

  it.each(["healthy", "rightsizing"])("diagnose namespace %s yields no finding", (namespace) => {
    const doc = diagnoseJson(["namespace", namespace]);
    expect(doc.items?.length).toBeGreaterThan(0);
    expect(findings(doc)).toEqual([]);
    expect(doc.items?.every((i) => i.status === "OK")).toBe(true);
  });

  it("diagnose -A finds every scenario's category, each in its own namespace", () => {
    const all = findings(diagnoseJson(["-A"]));
    for (const [namespace, category] of Object.entries(SCENARIO_CATEGORIES)) {
      expect(all.some((f) => f.category === category && f.object.namespace === namespace), `${category} in ${namespace}`).toBe(true);
    }
    expect(all.some((f) => f.object.namespace === "healthy")).toBe(false);
  });

  it("diagnose -A names the kinds the test bed does not serve (no Gateway API CRDs) in one note", () => {
    const result = kubectl(["aiops", "diagnose", "-A", "-o", "json"]);
    expect(result.status, result.stderr).toBe(0);
    const notes = result.stderr.split("\n").filter((line) => line.includes("does not serve"));
    expect(notes).toEqual(["note: this cluster does not serve gatewayclasses, gateways, httproutes (gateway.networking.k8s.io); not checked"]);
  });

  it("diagnose pod NAME picks the pod and -n; a missing pod suggests the closest names", () => {
    const pods = kubectl(["get", "pods", "-n", "oomkill-memory-leak", "-o", "jsonpath={.items[*].metadata.name}"]);
    const name = pods.stdout.split(" ")[0] ?? "";
    expect(name).not.toBe("");
    const doc = diagnoseJson(["pod", name, "-n", "oomkill-memory-leak"]);
    expect(doc.kind).toBe("Diagnosis");
    expect(findings(doc).map((f) => f.category)).toContain("OOMKilled");

    const missing = kubectl(["aiops", "diagnose", "pod", name.slice(0, -2), "-n", "oomkill-memory-leak"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`did you mean: ${name}`);
  });

  it("diagnose service NAME tells a selector matching nothing from one whose pods are not ready", () => {
    expect(findings(diagnoseJson(["service", "web", "-n", "service-wrong-selector"])).map((f) => f.category)).toContain("ServiceNoEndpoints");
  });

  it("uses the context's namespace when -n is absent, and --context picks among several KUBECONFIG files", () => {
    const bed = testbed();
    const dir = mkdtempSync(path.join(tmpdir(), "aiops-e2e-kc-"));
    const admin = parse(readFileSync(bed.kubeconfig, "utf8")) as { contexts: { name: string; context: Record<string, string> }[]; "current-context": string };
    const current = admin.contexts.find((c) => c.name === admin["current-context"]);
    if (current === undefined) throw new Error("admin kubeconfig has no current context");
    const withNs = { ...admin, contexts: [{ name: "ooms", context: { ...current.context, namespace: "oomkill-memory-leak" } }], "current-context": "ooms" };
    const first = path.join(dir, "first.yaml");
    writeFileSync(first, stringify(withNs));
    const result = kubectl(["aiops", "diagnose", "-o", "json"], { env: { KUBECONFIG: `${first}:${bed.kubeconfig}` } });
    expect(result.status, result.stderr).toBe(0);
    expect(findings(JSON.parse(result.stdout) as DiagnosisJson).map((f) => f.category)).toContain("OOMKilled");

    const other = kubectl(["aiops", "diagnose", "--context", admin["current-context"], "-n", "imagepull-bad-tag", "-o", "json"], { env: { KUBECONFIG: `${first}:${bed.kubeconfig}` } });
    expect(other.status, other.stderr).toBe(0);
    expect(findings(JSON.parse(other.stdout) as DiagnosisJson).map((f) => f.category)).toContain("ImagePullError");
  });

  it("works for the read-only viewer", () => {
    expect(findings(diagnoseJson(["namespace", "oomkill-memory-leak"], testbed().users.viewer)).map((f) => f.category)).toContain("OOMKilled");
  });
});

describeTestbed("clear errors from the cluster", () => {
  let silent: net.Server;
  let silentPort = 0;
  let closedPort = 0;
  const dir = mkdtempSync(path.join(tmpdir(), "aiops-e2e-err-"));

  beforeAll(async () => {
    silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentPort = (silent.address() as net.AddressInfo).port;
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  afterAll(() => silent.close());

  function kubeconfigWithServer(server: string): string {
    const doc = parse(readFileSync(testbed().kubeconfig, "utf8")) as { clusters: { cluster: { server: string } }[] };
    for (const c of doc.clusters) c.cluster.server = server;
    const file = path.join(dir, `kc-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, stringify(doc));
    return file;
  }

  it("names the missing permission (verb, resource, namespace) for an identity without rights", () => {
    const token = kubectl(["create", "serviceaccount", "nobody", "-n", "healthy", "--dry-run=client", "-o", "yaml"]);
    expect(token.status).toBe(0);
    kubectl(["apply", "-f", "-"], { input: token.stdout });
    const created = kubectl(["create", "token", "nobody", "-n", "healthy", "--duration=10m"]);
    expect(created.status, created.stderr).toBe(0);
    const doc = parse(readFileSync(testbed().kubeconfig, "utf8")) as { users: { name: string; user: Record<string, unknown> }[] };
    for (const u of doc.users) u.user = { token: created.stdout.trim() };
    const file = path.join(dir, "nobody.yaml");
    writeFileSync(file, stringify(doc));

    const result = kubectl(["aiops", "diagnose", "namespace", "healthy"], { kubeconfig: file });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot list pods in namespace "healthy"');
    expect(result.stderr).toContain("system:serviceaccount:healthy:nobody");
    expect(result.stderr).toContain("kubectl auth can-i list pods -n healthy");
    expect(result.stderr).not.toContain(created.stdout.trim());
  });

  it("reports a stopped API server (connection refused) with its URL", () => {
    const port = closedPort;
    const result = kubectl(["aiops", "diagnose", "namespace", "healthy", "--request-timeout", "2s"], { kubeconfig: kubeconfigWithServer(`https://127.0.0.1:${port}`) });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cannot reach the API server at https://127.0.0.1:${port}`);
  });

  it("gives up on an API server that does not answer within --request-timeout", () => {
    const started = Date.now();
    const result = kubectl(["aiops", "diagnose", "namespace", "healthy", "--request-timeout", "2s"], { kubeconfig: kubeconfigWithServer(`https://127.0.0.1:${silentPort}`), timeoutMs: 30_000 });
    const elapsed = Date.now() - started;
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("no answer within the request timeout of 2s");
    // Not a speed assertion: a hang would hit the 30 s spawn timeout instead.
    expect(elapsed).toBeLessThan(30_000);
  });
});
