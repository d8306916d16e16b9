import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/io.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const example = (file: string): string => path.join(ROOT, "examples", "incidents", file);

interface Listed {
  items: { status: string; findings: { category: string; object: { kind: string; name: string }; rollout?: { revision: number } }[] }[];
}

/** The bundled incidents: each names its cause, and the healthy namespace names nothing. */
describe("examples/incidents", () => {
  it.each([
    { file: "crashloop-missing-env.json", want: ["CrashLoopBackOff", "DeploymentUnavailable", "ServiceEndpointsNotReady"] },
    // A Deployment whose pods fail with a definite cause is unavailable at once, with that cause.
    { file: "oomkill-memory-leak.json", want: ["DeploymentUnavailable", "OOMKilled"] },
    { file: "imagepull-bad-tag.json", want: ["DeploymentUnavailable", "ImagePullError"] },
    { file: "liveness-failure.json", want: ["LivenessProbeFailure"] },
    { file: "readiness-failure.json", want: ["DeploymentUnavailable", "ReadinessProbeFailure", "ServiceEndpointsNotReady"] },
    { file: "pending-no-resources.json", want: ["DeploymentUnavailable", "Unschedulable"] },
    { file: "service-wrong-selector.json", want: ["ServiceNoEndpoints"] },
    { file: "healthy-namespace.json", want: [] },
    { file: "multi-doc.yaml", want: ["CrashLoopBackOff"] },
  ])("$file -> $want", async ({ file, want }) => {
    const result = await runCli(["diagnose", "-f", example(file), "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const list = JSON.parse(result.stdout) as Listed;
    expect([...new Set(list.items.flatMap((i) => i.findings.map((f) => f.category)))].sort()).toEqual(want);
  });

  it("names the missing variable of the crash loop and ties it to the rollout of revision 3", async () => {
    const list = JSON.parse((await runCli(["diagnose", "-f", example("crashloop-missing-env.json"), "-o", "json"])).stdout) as Listed;
    const crash = list.items.flatMap((i) => i.findings).filter((f) => f.category === "CrashLoopBackOff");
    expect(crash).toHaveLength(2);
    expect(JSON.stringify(crash)).toContain("DATABASE_URL");
    expect(crash.every((f) => f.rollout?.revision === 3)).toBe(true);
  });

  it("reports the OOM kill of a container that runs again, and no crash loop beside it", async () => {
    const list = JSON.parse((await runCli(["diagnose", "-f", example("oomkill-memory-leak.json"), "-o", "json"])).stdout) as Listed;
    const findings = list.items.flatMap((i) => i.findings);
    expect(findings.filter((f) => f.category === "OOMKilled")).toHaveLength(2);
    expect(findings.some((f) => f.category === "CrashLoopBackOff")).toBe(false);
  });

  it("lists every example in the README", () => {
    const readme = readFileSync(example("README.md"), "utf8");
    for (const file of ["crashloop-missing-env.json", "oomkill-memory-leak.json", "healthy-namespace.json"]) expect(readme).toContain(file);
  });
});
