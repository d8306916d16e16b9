import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { KubeClient } from "../../src/kube/client.ts";
import { gatherSnapshot } from "../../src/kube/gather.ts";
import { whoAmI } from "../../src/kube/identity.ts";
import { describeTestbed } from "./suite.ts";
import { TESTBED_DIR, kubectl, testbed } from "./testbed.ts";

/**
 * The credential paths kubectl users meet besides client certificates: an exec credential
 * plugin in the kubeconfig, and in-cluster config (a service account token mounted in a pod).
 * Both against the real API server, with a real service account token from the TokenRequest API.
 */
describeTestbed("credentials", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "aiops-creds-"));
  let token = "";
  let server = "";

  beforeAll(() => {
    const sa = kubectl(["create", "serviceaccount", "aiops-reader", "-n", "healthy", "--dry-run=client", "-o", "yaml"]);
    kubectl(["apply", "-f", "-"], { input: sa.stdout });
    const binding = kubectl(["create", "rolebinding", "aiops-reader-view", "-n", "healthy", "--clusterrole=view", "--serviceaccount=healthy:aiops-reader", "--dry-run=client", "-o", "yaml"]);
    kubectl(["apply", "-f", "-"], { input: binding.stdout });
    const created = kubectl(["create", "token", "aiops-reader", "-n", "healthy", "--duration=10m"]);
    expect(created.status, created.stderr).toBe(0);
    token = created.stdout.trim();
    const admin = parse(readFileSync(testbed().kubeconfig, "utf8")) as { clusters: { cluster: { server: string } }[] };
    server = admin.clusters[0]?.cluster.server ?? "";
  });

  it("runs an exec credential plugin from the kubeconfig, as kubectl does", () => {
    const plugin = path.join(dir, "token-plugin.sh");
    writeFileSync(plugin, `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat ${path.join(dir, "token")})"\n`);
    chmodSync(plugin, 0o755);
    writeFileSync(path.join(dir, "token"), token);
    const admin = parse(readFileSync(testbed().kubeconfig, "utf8")) as Record<string, unknown> & { users: { name: string; user: unknown }[] };
    for (const u of admin.users) u.user = { exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin, interactiveMode: "Never" } };
    const kubeconfig = path.join(dir, "exec.kubeconfig");
    writeFileSync(kubeconfig, stringify(admin));
    const result = kubectl(["aiops", "diagnose", "namespace", "healthy", "-o", "json"], { kubeconfig });
    expect(result.status, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    // The token is the service account's, so the API server sees that identity.
    const forbidden = kubectl(["aiops", "diagnose", "namespace", "oomkill-memory-leak"], { kubeconfig });
    expect(forbidden.status).toBe(1);
    expect(forbidden.stderr).toContain("system:serviceaccount:healthy:aiops-reader");
    expect(forbidden.stderr).not.toContain(token);
  });

  it("uses in-cluster config (service account token, CA, namespace) when there is no kubeconfig", async () => {
    const root = path.join(dir, "pod");
    const sa = path.join(root, "var/run/secrets/kubernetes.io/serviceaccount");
    mkdirSync(sa, { recursive: true });
    writeFileSync(path.join(sa, "token"), token);
    writeFileSync(path.join(sa, "namespace"), "healthy");
    writeFileSync(path.join(sa, "ca.crt"), readFileSync(path.join(TESTBED_DIR, "pki", "ca.crt")));
    const url = new URL(server);
    const client = KubeClient.connect({
      requestTimeoutMs: 10_000,
      env: { HOME: path.join(dir, "nohome"), KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port },
      serviceAccountPrefix: root,
    });
    expect(client.context).toMatchObject({ context: "in-cluster", namespace: "healthy" });
    expect((await whoAmI(client)).username).toBe("system:serviceaccount:healthy:aiops-reader");
    const snapshot = await gatherSnapshot(client, { namespace: client.context.namespace }, { logLines: 0, maxLogContainers: 0, now: () => new Date(), warn: () => undefined });
    expect(snapshot.objects.some((o) => o.kind === "Pod" && o.metadata.namespace === "healthy")).toBe(true);
  });
});
