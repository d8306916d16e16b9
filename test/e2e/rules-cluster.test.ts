// The cluster-level rules on the test bed: a real CronJob whose Jobs fail on the real node
// (the demo app exits 1 without DATABASE_URL), a real HorizontalPodAutoscaler whose scale
// target does not exist (the real HPA controller reports it too), and a real
// PodDisruptionBudget that the real disruption controller computes at 0 allowed disruptions.
// Everything lives in a namespace of our own; the scenario namespaces are not touched.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeTestbed } from "./suite.ts";
import { createNamespace, DEMO_IMAGE, kubectl, REAL_NODE_PLACEMENT, webDeployment } from "./testbed.ts";

interface Finding {
  id: string;
  category: string;
  severity: string;
  object: { kind: string; namespace?: string; name: string };
  summary: string;
  evidence: string[];
  runbook: string;
}

interface Diagnosis {
  kind: string;
  target?: { kind: string; name: string };
  findings?: Finding[];
  items?: { target: { kind: string; name: string }; status: string; findings: Finding[] }[];
}

function ok(args: string[], input?: string): string {
  const result = kubectl(args, input === undefined ? {} : { input });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function diagnose(args: string[]): Diagnosis {
  const result = kubectl(["aiops", "diagnose", ...args, "-o", "json"], { timeoutMs: 120_000 });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Diagnosis;
}

function findingsOf(doc: Diagnosis): Finding[] {
  return doc.kind === "DiagnosisList" ? (doc.items ?? []).flatMap((i) => i.findings) : (doc.findings ?? []);
}

/** Polls until `check` returns a value (the controllers act on their own clock), or fails with the last state. */
async function eventually<T>(what: string, check: () => T | undefined, timeoutMs = 150_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

describeTestbed("cluster-level rules on the test bed (real controllers, real kubectl aiops diagnose)", () => {
  const ns = `rules-cluster-e2e-${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    await createNamespace(ns);
    // Every minute, as a real nightly job would be, failing on the real node at once.
    ok(["apply", "-f", "-"], `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ${ns}}
spec:
  schedule: "* * * * *"
  concurrencyPolicy: Forbid
  failedJobsHistoryLimit: 3
  jobTemplate:
    spec:
      backoffLimit: 0
      template:
        spec:
${REAL_NODE_PLACEMENT.replace(/^ {6}/gm, "          ")}          restartPolicy: Never
          containers:
          - name: export
            image: ${DEMO_IMAGE}
            imagePullPolicy: IfNotPresent
            env: [{name: DEMO_REQUIRE_ENV, value: DATABASE_URL}]
            resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 32Mi}}
`);
    // Do not wait for the first minute: a Job from the CronJob (owned by it, like a scheduled one).
    ok(["create", "job", "nightly-manual-1", "-n", ns, "--from=cronjob/nightly"]);

    ok(["apply", "-f", "-"], webDeployment(ns, 1, "{requests: {cpu: 50m, memory: 64Mi}}"));
    ok(["apply", "-f", "-"], `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ghost, namespace: ${ns}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ghost}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: ${ns}}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
`);
  }, 120_000);

  afterAll(() => {
    kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  it("a CronJob whose last Job failed is CronJobFailed, with the Job's exit code as evidence", async () => {
    ok(["wait", "--for=condition=Failed", "job/nightly-manual-1", "-n", ns, "--timeout=120s"], undefined);
    // A scheduled run may be starting right now; the newest Job decides, so poll.
    const finding = await eventually("CronJobFailed on CronJob nightly", () =>
      findingsOf(diagnose(["namespace", ns])).find((f) => f.category === "CronJobFailed" && f.object.kind === "CronJob" && f.object.name === "nightly"),
    );
    expect(finding).toMatchObject({ id: "cronjob.failed", severity: "high", runbook: "runbooks/cronjobfailed.md", object: { namespace: ns } });
    expect(finding.summary).toMatch(/^CronJob nightly: its last run, Job nightly-[\w-]+, failed/);
    expect(finding.summary).toContain("it has never succeeded");
    expect(finding.evidence.join("\n")).toContain('spec: schedule="* * * * *" concurrencyPolicy=Forbid');
    expect(finding.evidence.join("\n")).toMatch(/job nightly-[\w-]+ status\.conditions\[Failed\]: True reason=BackoffLimitExceeded/);
    expect(finding.evidence.join("\n")).toMatch(/exitCode=1/);
  }, 300_000);

  it("an HPA whose target does not exist is HPAMisconfigured, and the real HPA controller agrees", async () => {
    // The HPA controller syncs every 15 s; its condition becomes evidence.
    await eventually("AbleToScale=False on HPA ghost", () => {
      const reason = kubectl(["get", "hpa", "ghost", "-n", ns, "-o", 'jsonpath={.status.conditions[?(@.type=="AbleToScale")].reason}']).stdout;
      return reason === "FailedGetScale" ? reason : undefined;
    }, 90_000);
    const doc = diagnose(["hpa", "ghost", "-n", ns]);
    expect(doc.kind).toBe("Diagnosis");
    const findings = findingsOf(doc);
    expect(findings.map((f) => f.category)).toEqual(["HPAMisconfigured"]);
    expect(findings[0]).toMatchObject({ id: "hpa.misconfigured", object: { kind: "HorizontalPodAutoscaler", name: "ghost", namespace: ns } });
    expect(findings[0]?.summary).toBe("HorizontalPodAutoscaler ghost scales Deployment/ghost, which does not exist: it does nothing.");
    expect(findings[0]?.evidence.join("\n")).toMatch(/status\.conditions\[AbleToScale\]: False reason=FailedGetScale message=".*"ghost" not found/);
  }, 120_000);

  it("a PDB at minAvailable 1 over a single healthy replica blocks every eviction", async () => {
    await eventually("the disruption controller's status of PDB web", () => {
      const status = kubectl(["get", "pdb", "web", "-n", ns, "-o", "jsonpath={.status.currentHealthy}/{.status.expectedPods}/{.status.disruptionsAllowed}"]).stdout;
      return status === "1/1/0" ? status : undefined;
    }, 90_000);
    const finding = findingsOf(diagnose(["namespace", ns])).find((f) => f.category === "PDBBlocking");
    expect(finding).toMatchObject({ id: "pdb.blocking", severity: "medium", object: { kind: "PodDisruptionBudget", name: "web", namespace: ns } });
    expect(finding?.summary).toContain("allows no disruption although all 1 expected pod(s) are healthy (minAvailable=1 needs 1 of 1)");
    // The eviction API agrees: a drain of the pod would hang.
    const pod = ok(["get", "pods", "-n", ns, "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}"]);
    const eviction = kubectl(["create", "--raw", `/api/v1/namespaces/${ns}/pods/${pod}/eviction`, "-f", "-"], { input: JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace: ns }, deleteOptions: { dryRun: ["All"] } }) });
    expect(eviction.status).not.toBe(0);
    expect(eviction.stderr).toMatch(/disruption budget|TooManyRequests|429/i);
  }, 120_000);

  it("the Deployment beside them stays OK", () => {
    const doc = diagnose(["namespace", ns]);
    const web = (doc.items ?? []).find((i) => i.target.kind === "Deployment" && i.target.name === "web");
    expect(web?.status).toBe("OK");
  }, 120_000);
});
