import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { kubeconfigPaths, loadKubeconfigFiles, resolveContext } from "../../../src/kube/kubeconfig.ts";
import { parseRequestTimeout } from "../../../src/kube/timeout.ts";

function file(dir: string, name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

const A = `
apiVersion: v1
kind: Config
current-context: a-ctx
clusters:
- name: shared
  cluster: {server: https://first.example:6443, certificate-authority: certs/ca.crt}
contexts:
- name: a-ctx
  context: {cluster: shared, user: a-user, namespace: shop}
users:
- name: a-user
  user: {client-certificate: a.crt, client-key: /abs/a.key}
`;
const B = `
apiVersion: v1
kind: Config
current-context: b-ctx
clusters:
- name: shared
  cluster: {server: https://second.example:6443}
- name: b-cluster
  cluster: {server: https://b.example:6443}
contexts:
- name: b-ctx
  context: {cluster: b-cluster, user: b-user}
users:
- name: b-user
  user: {token: abc}
`;

describe("kubeconfig with kubectl's semantics", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "aiops-kc-"));
  const a = file(dir, "a.yaml", A);
  const b = file(dir, "b.yaml", B);

  it("takes --kubeconfig alone, else every KUBECONFIG entry, else ~/.kube/config", () => {
    expect(kubeconfigPaths("x", { KUBECONFIG: "y" })).toEqual(["x"]);
    expect(kubeconfigPaths(undefined, { KUBECONFIG: `${a}:${b}` })).toEqual([a, b]);
    expect(kubeconfigPaths(undefined, { HOME: "/home/u" })).toEqual(["/home/u/.kube/config"]);
  });

  it("lets the first file win for current-context and duplicate names", () => {
    const merged = loadKubeconfigFiles([a, b], false);
    expect(merged?.["current-context"]).toBe("a-ctx");
    expect(merged?.clusters.map((c) => c.name)).toEqual(["shared", "b-cluster"]);
    const ctx = resolveContext(merged!, undefined);
    expect(ctx).toMatchObject({ context: "a-ctx", server: "https://first.example:6443", namespace: "shop" });
  });

  it("resolves relative paths against the file that names them", () => {
    const merged = loadKubeconfigFiles([a], false)!;
    const cluster = merged.clusters[0]!["cluster"] as Record<string, string>;
    const user = merged.users[0]!["user"] as Record<string, string>;
    expect(cluster["certificate-authority"]).toBe(path.join(dir, "certs/ca.crt"));
    expect(user["client-certificate"]).toBe(path.join(dir, "a.crt"));
    expect(user["client-key"]).toBe("/abs/a.key");
  });

  it("switches with --context and defaults the namespace to default", () => {
    const merged = loadKubeconfigFiles([a, b], false)!;
    expect(resolveContext(merged, "b-ctx")).toMatchObject({ server: "https://b.example:6443", namespace: "default", user: "b-user" });
  });

  it("names the available contexts when --context is unknown", () => {
    const merged = loadKubeconfigFiles([a, b], false)!;
    expect(() => resolveContext(merged, "nope")).toThrow(/context "nope" not found/);
    try {
      resolveContext(merged, "nope");
    } catch (error) {
      expect((error as { hint?: string }).hint).toContain("a-ctx, b-ctx");
    }
  });

  it("skips missing KUBECONFIG entries but refuses a missing --kubeconfig", () => {
    expect(loadKubeconfigFiles([path.join(dir, "missing"), b], false)?.["current-context"]).toBe("b-ctx");
    expect(loadKubeconfigFiles([path.join(dir, "missing")], false)).toBeUndefined();
    expect(() => loadKubeconfigFiles([path.join(dir, "missing")], true)).toThrow(/does not exist/);
  });
});

describe("parseRequestTimeout", () => {
  it.each([
    ["0", 0],
    ["30", 30_000],
    ["30s", 30_000],
    ["1m", 60_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1.5s", 1500],
  ])("%s -> %d ms", (value, want) => expect(parseRequestTimeout(value)).toBe(want));

  it.each(["", "abc", "-1s", "1x"])("rejects %j", (value) => expect(parseRequestTimeout(value)).toBeUndefined());
});
