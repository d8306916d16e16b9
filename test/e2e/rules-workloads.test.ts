import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeTestbed } from "./suite.ts";
import { crashloopStage, createNamespace, kubectl } from "./testbed.ts";

interface Finding {
  category: string;
  object: { kind: string; namespace?: string; name: string };
  summary: string;
  evidence: string[];
}
interface Diagnosis {
  status: string;
  target: { kind: string; name: string };
  findings: Finding[];
}
interface DiagnosisJson extends Partial<Diagnosis> {
  kind: string;
  items?: Diagnosis[];
}

/**
 * The StatefulSet rules against the real API server, controllers and scheduler, through the real
 * `kubectl aiops diagnose`. A namespace of our own on the kwok nodes holds three StatefulSets:
 * `db` (0/3: its first pod crash-loops through a kwok Stage of our own, so the later ordinals are
 * never created; its governing Service does not exist), `queue` (1/3: pinned to one node with a
 * pod anti-affinity, so its second pod cannot be scheduled) and `cache` (healthy).
 */
describeTestbed("StatefulSet diagnosis on the test bed (real kubectl, real API server)", () => {
  const suffix = randomBytes(3).toString("hex");
  const ns = `rules-wl-${suffix}`;
  const stage = `aiops-rules-wl-${suffix}-crashloop`;

  const statefulSet = (name: string, serviceName: string, replicas: number, podSpec: string, labels = ""): string => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: ${replicas}
  serviceName: ${serviceName}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}${labels}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: app, image: "127.0.0.1:5000/demo:1"}]
${podSpec}`;
  const service = (name: string, headless: boolean): string => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec:
  ${headless ? "clusterIP: None\n  " : ""}selector: {app: ${name.replace(/-client$/, "")}}
  ports: [{port: 80}]
`;
  const manifests = [
    // The client Service of db exists; its governing Service db-headless does not.
    service("db-client", false),
    statefulSet("db", "db-headless", 3, "", `, sim/scenario: ${ns}, sim/fault: crashloop`),
    service("queue", true),
    statefulSet(
      "queue",
      "queue",
      3,
      `      nodeSelector: {kubernetes.io/hostname: kwok-node-0}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: queue}}}
`,
    ),
    service("cache", true),
    statefulSet("cache", "cache", 2, ""),
  ].join("---\n");

  beforeAll(async () => {
    await createNamespace(ns);
    const applied = kubectl(["apply", "-f", "-"], { input: `${crashloopStage(stage, ns, "rules-workloads")}---\n${manifests}` });
    expect(applied.status, applied.stderr).toBe(0);
    await until(() => jsonpath("statefulset", "cache", "{.status.availableReplicas}") === "2", "cache 2/2 available");
    await until(() => jsonpath("pod", "db-0", "{.status.containerStatuses[0].state.waiting.reason}") === "CrashLoopBackOff", "db-0 crash-looping");
    await until(() => jsonpath("pod", "queue-1", '{.status.conditions[?(@.type=="PodScheduled")].reason}') === "Unschedulable", "queue-1 unschedulable");
    // The controller reports the first replica of queue ready before the verdict is asked.
    await until(() => jsonpath("statefulset", "queue", "{.status.availableReplicas}") === "1", "queue 1/3 available");
  }, 180_000);

  afterAll(() => {
    kubectl(["delete", "namespace", ns, "--wait=false"]);
    kubectl(["delete", "stage", stage, "--ignore-not-found"]);
  });

  function jsonpath(kind: string, name: string, path: string): string {
    return kubectl(["get", kind, name, "-n", ns, "-o", `jsonpath=${path}`]).stdout.trim();
  }

  function diagnose(...args: string[]): DiagnosisJson {
    const result = kubectl(["aiops", "diagnose", ...args, "-n", ns, "-o", "json"]);
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as DiagnosisJson;
  }

  it("diagnose statefulset: 0/3 available is unavailable at once, with the crash-looping pod as its cause, and the missing governing Service", () => {
    const doc = diagnose("statefulset", "db");
    expect(doc.kind).toBe("Diagnosis");
    expect(doc.status).toBe("ProblemDetected");
    const findings = doc.findings ?? [];
    const unavailable = findings.find((f) => f.category === "StatefulSetUnavailable");
    expect(unavailable?.object).toEqual({ kind: "StatefulSet", namespace: ns, name: "db" });
    expect(unavailable?.summary).toContain("0/3 replica(s) available, its pods fail now: CrashLoopBackOff (db-0)");
    expect(unavailable?.evidence).toEqual(expect.arrayContaining([expect.stringContaining("1 of 3 pod(s) exist: db-0"), expect.stringContaining("pod db-0: CrashLoopBackOff")]));
    const misconfigured = findings.find((f) => f.category === "StatefulSetMisconfigured");
    expect(misconfigured?.summary).toBe("StatefulSet db names governing Service db-headless, which does not exist.");
    // The pod's own finding is listed beside them.
    expect(findings.some((f) => f.category === "CrashLoopBackOff" && f.object.name === "db-0")).toBe(true);
  });

  it("diagnose statefulset: 1/3 available with an unschedulable second ordinal", () => {
    const findings = diagnose("statefulset", "queue").findings ?? [];
    const unavailable = findings.find((f) => f.category === "StatefulSetUnavailable");
    expect(unavailable?.summary).toContain("1/3 replica(s) available, its pods fail now: Unschedulable (queue-1)");
    expect(findings.some((f) => f.category === "Unschedulable" && f.object.name === "queue-1")).toBe(true);
    expect(findings.some((f) => f.category === "StatefulSetMisconfigured")).toBe(false);
  });

  it("diagnose namespace: the healthy StatefulSet is OK, each failing one is listed once with its pods' findings", () => {
    const doc = diagnose("namespace", ns);
    expect(doc.kind).toBe("DiagnosisList");
    const byName = new Map((doc.items ?? []).filter((i) => i.target.kind === "StatefulSet").map((i) => [i.target.name, i]));
    expect(byName.get("cache")?.status).toBe("OK");
    expect(byName.get("db")?.findings.map((f) => f.category).sort()).toEqual(["CrashLoopBackOff", "StatefulSetMisconfigured", "StatefulSetUnavailable"]);
    expect(byName.get("queue")?.findings.map((f) => f.category).sort()).toEqual(["StatefulSetUnavailable", "Unschedulable"]);
    // Pods of a StatefulSet are reported under it, not as items of their own.
    expect((doc.items ?? []).some((i) => i.target.kind === "Pod")).toBe(false);
  });

  it("--fail-on-problems exits 3 for the failing StatefulSet and 0 for the healthy one", () => {
    expect(kubectl(["aiops", "diagnose", "statefulset", "db", "-n", ns, "--fail-on-problems"]).status).toBe(3);
    expect(kubectl(["aiops", "diagnose", "statefulset", "cache", "-n", ns, "--fail-on-problems"]).status).toBe(0);
  });
});

async function until(check: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
