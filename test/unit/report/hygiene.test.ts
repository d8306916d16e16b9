import { describe, expect, it } from "vitest";
import type { Container } from "../../../src/model/k8s.ts";
import { assessHygiene } from "../../../src/report/hygiene.ts";
import { renderReportMarkdown } from "../../../src/report/markdown.ts";
import { looksSecretName, secretEnvNames } from "../../../src/report/secret-env.ts";
import { app, ctxOf, workloadsOf } from "./fixtures.ts";
import { sampleReport } from "./sample-report.ts";

const good: Container = {
  name: "web",
  image: "nginx:1.27.3",
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  readinessProbe: { httpGet: { path: "/ready", port: 80 } },
  securityContext: { runAsNonRoot: true },
};

function checksOf(containers: Container[], replicas = 2, extra: Parameters<typeof ctxOf>[0] = []) {
  const objects = [...app("web", containers, replicas), ...extra];
  return assessHygiene(workloadsOf(objects), ctxOf(objects));
}

describe("hygiene checks", () => {
  it.each<{ name: string; container: Partial<Container>; replicas?: number; check: string; detail?: RegExp }>([
    { name: "no requests", container: { resources: { limits: { memory: "1Gi" } } }, check: "no-requests", detail: /no cpu request/ },
    { name: "no memory limit", container: { resources: { requests: { cpu: "1", memory: "1Gi" } } }, check: "no-limits" },
    { name: "no probes", container: { readinessProbe: undefined }, check: "no-probes" },
    { name: ":latest", container: { image: "nginx:latest" }, check: "latest-image", detail: /:latest/ },
    { name: "untagged", container: { image: "registry:5000/team/nginx" }, check: "latest-image", detail: /untagged/ },
    { name: "privileged", container: { securityContext: { privileged: true, runAsNonRoot: true } }, check: "privileged" },
    { name: "explicit root", container: { securityContext: { runAsUser: 0 } }, check: "runs-as-root", detail: /runAsUser: 0/ },
    { name: "single replica", container: {}, replicas: 1, check: "single-replica" },
    { name: "no PDB for 2 replicas", container: {}, replicas: 2, check: "no-pdb" },
  ])("$name -> $check", ({ container, replicas, check, detail }) => {
    const h = checksOf([{ ...good, ...container }], replicas);
    const found = h.findings.filter((f) => f.check === check);
    expect(found).toHaveLength(1);
    expect(found[0]?.workload).toBe("Deployment/shop/web");
    if (detail !== undefined) expect(found[0]?.detail).toMatch(detail);
  });

  it("a well-kept workload with a PDB has no finding", () => {
    const pdb = { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "web", namespace: "shop" }, spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } } };
    const h = checksOf([good], 2, [pdb]);
    expect(h.findings).toEqual([]);
    expect(h.rootNotPrevented).toBe(0);
  });

  it("digest-pinned images are not :latest", () => {
    expect(checksOf([{ ...good, image: "nginx@sha256:abc" }]).findings.map((f) => f.check)).not.toContain("latest-image");
  });

  it("containers that do not forbid root are counted, not listed", () => {
    const h = checksOf([{ ...good, securityContext: {} }]);
    expect(h.rootNotPrevented).toBe(1);
    expect(h.findings.map((f) => f.check)).not.toContain("runs-as-root");
  });
});

describe("secrets in plain env values", () => {
  const SECRET_VALUE = "hunter2-s3cr3t-VALUE-never-printed";
  const container: Container = {
    ...good,
    env: [
      { name: "DB_PASSWORD", value: SECRET_VALUE },
      { name: "API_TOKEN", value: SECRET_VALUE },
      { name: "STRIPE_API_KEY", value: SECRET_VALUE },
      { name: "LOG_LEVEL", value: "info" },
      { name: "SESSION_SECRET", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
      { name: "EMPTY_PASSWORD", value: "" },
    ],
  };

  it("uses the redaction's name patterns", () => {
    expect(looksSecretName("DB_PASSWORD")).toBe(true);
    expect(looksSecretName("github_token")).toBe(true);
    expect(looksSecretName("LOG_LEVEL")).toBe(false);
    expect(looksSecretName("REPLICAS")).toBe(false);
  });

  it("names literal secret-looking variables, not references or empty ones", () => {
    expect(secretEnvNames(container)).toEqual(["DB_PASSWORD", "API_TOKEN", "STRIPE_API_KEY"]);
  });

  it("never keeps or prints the value: not in findings, not in JSON, not in the Markdown", () => {
    const h = checksOf([container]);
    const secrets = h.findings.filter((f) => f.check === "secret-in-env");
    expect(secrets.map((f) => f.variable)).toEqual(["DB_PASSWORD", "API_TOKEN", "STRIPE_API_KEY"]);
    expect(secrets.every((f) => f.security && f.container === "web")).toBe(true);
    expect(JSON.stringify(h)).not.toContain(SECRET_VALUE);
    const report = sampleReport({ hygiene: h });
    expect(JSON.stringify(report)).not.toContain(SECRET_VALUE);
    const md = renderReportMarkdown(report, "kubectl aiops report weekly");
    expect(md).toContain("DB_PASSWORD");
    expect(md).not.toContain(SECRET_VALUE);
  });
});
