import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeTestbed } from "./suite.ts";
import { createNamespace, kubectl } from "./testbed.ts";

interface Finding {
  category: string;
  severity: string;
  confidence: number;
  summary: string;
  object: { kind: string; namespace?: string; name: string };
  evidence: string[];
}
interface DiagnosisJson {
  kind: string;
  target?: { kind: string; name: string; namespace?: string };
  findings?: Finding[];
  items?: { status: string; target: { kind: string; name: string; namespace?: string }; findings: Finding[] }[];
}

function diagnoseJson(args: string[]): DiagnosisJson {
  const result = kubectl(["aiops", "diagnose", ...args, "-o", "json"]);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as DiagnosisJson;
}

function findings(doc: DiagnosisJson): Finding[] {
  return doc.kind === "DiagnosisList" ? (doc.items ?? []).flatMap((i) => i.findings) : (doc.findings ?? []);
}

function apply(manifest: string): void {
  const result = kubectl(["apply", "-f", "-"], { input: manifest });
  if (result.status !== 0) throw new Error(`kubectl apply: ${result.stderr}`);
}

const suffix = Math.random().toString(36).slice(2, 8);
const ns = `aiops-net-${suffix}`;
// Cluster-scoped objects of this suite carry the suffix, so parallel runs never share them.
const ingressClass = `aiops-e2e-${suffix}`;
const webhookConfig = `aiops-e2e-${suffix}`;

describeTestbed("network rules on the test bed: a real Ingress and a real admission webhook", () => {
  beforeAll(async () => {
    await createNamespace(ns);
    apply(`apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ${ingressClass}}
spec: {controller: aiops.dev/e2e-no-controller}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ns}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: ${ns}}
spec:
  ingressClassName: ${ingressClass}
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web-v2, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: web, port: {number: 8080}}}}
---
apiVersion: v1
kind: Service
metadata: {name: policy-webhook, namespace: ${ns}}
spec:
  selector: {app: policy-webhook}
  ports: [{port: 443, targetPort: 9443}]
`);
    // The webhook matches ConfigMap writes in this namespace only: nothing else on the test bed
    // goes through it, even while it refuses every call.
    apply(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: ${webhookConfig}}
webhooks:
- name: deny.aiops-e2e.test
  clientConfig:
    service: {namespace: ${ns}, name: policy-webhook, port: 443, path: /validate}
  rules:
  - {operations: [CREATE, UPDATE], apiGroups: [""], apiVersions: [v1], resources: [configmaps], scope: Namespaced}
  namespaceSelector:
    matchLabels: {kubernetes.io/metadata.name: ${ns}}
  failurePolicy: Fail
  sideEffects: None
  admissionReviewVersions: [v1]
  timeoutSeconds: 2
`);
    // The webhook's readiness is read from its EndpointSlice: wait for the controller to write it.
    const deadline = Date.now() + 30_000;
    while (kubectl(["get", "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=policy-webhook", "-o", "name"]).stdout.trim() === "") {
      if (Date.now() > deadline) throw new Error("no EndpointSlice for Service policy-webhook after 30 s");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  afterAll(() => {
    kubectl(["delete", "validatingwebhookconfiguration", webhookConfig, "--ignore-not-found"]);
    kubectl(["delete", "ingressclass", ingressClass, "--ignore-not-found"]);
    kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=false"]);
  });

  it("the webhook really blocks the writes it matches (the condition diagnosed is real)", () => {
    const write = kubectl(["create", "configmap", "probe", "-n", ns, "--from-literal=a=b"]);
    expect(write.status).not.toBe(0);
    expect(write.stderr).toContain("failed calling webhook");
    expect(kubectl(["create", "configmap", "probe", "-n", "healthy", "--dry-run=server", "--from-literal=a=b"]).status).toBe(0);
  });

  it("diagnose namespace finds the Ingress's missing Service and unexposed port, and the blocking webhook", () => {
    const doc = diagnoseJson(["namespace", ns]);
    const ingress = (doc.items ?? []).find((i) => i.target.kind === "Ingress" && i.target.name === "shop");
    expect(ingress?.status).toBe("ProblemDetected");
    const found = ingress?.findings.find((f) => f.category === "IngressMisconfigured");
    expect(found?.severity).toBe("high");
    expect(found?.summary).toContain("to Service web-v2, which does not exist (did you mean web?)");
    expect(found?.evidence).toEqual(expect.arrayContaining([`Service ${ns}/web-v2: not found (Services in ${ns}: policy-webhook, web)`, expect.stringContaining("Service web spec.ports: 80/TCP")]));

    const webhook = (doc.items ?? []).find((i) => i.target.kind === "ValidatingWebhookConfiguration" && i.target.name === webhookConfig);
    const blocking = webhook?.findings.find((f) => f.category === "WebhookUnavailable");
    expect(blocking?.severity).toBe("critical");
    expect(blocking?.object).toEqual({ kind: "ValidatingWebhookConfiguration", name: webhookConfig });
    expect(blocking?.summary).toContain(`calls Service ${ns}/policy-webhook, which has no ready endpoint: every CREATE,UPDATE of configmaps in namespaces kubernetes.io/metadata.name=${ns} is refused`);
    expect(blocking?.evidence).toEqual(expect.arrayContaining([expect.stringMatching(/^EndpointSlice\(s\) policy-webhook-\S+: 0 ready of 0 endpoint\(s\)$/)]));
  });

  it("diagnose ingress NAME judges the one Ingress", () => {
    const doc = diagnoseJson(["ingress", "shop", "-n", ns]);
    expect(doc.kind).toBe("Diagnosis");
    expect(findings(doc).map((f) => f.category)).toEqual(["IngressMisconfigured"]);
  });

  it("another namespace's diagnosis does not judge the webhook (its Service is not in the input)", () => {
    const doc = diagnoseJson(["namespace", "healthy"]);
    expect(findings(doc).filter((f) => f.category === "WebhookUnavailable" && f.object.name === webhookConfig)).toEqual([]);
  });

  it("a dump without pods (kubectl get svc,endpoints -o json) is judged from the endpoints", () => {
    const dump = kubectl(["get", "svc,endpoints", "-n", ns, "-o", "json"]);
    expect(dump.status, dump.stderr).toBe(0);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "aiops-e2e-net-")), "svc-endpoints.json");
    writeFileSync(file, dump.stdout);
    const doc = diagnoseJson(["-f", file]);
    const web = findings(doc).find((f) => f.object.kind === "Service" && f.object.name === "web");
    expect(web?.category).toBe("ServiceNoEndpoints");
    expect(web?.confidence).toBe(0.7);
    expect(web?.summary).toBe("Service web has no endpoints: Endpoints web lists no address for its selector app=web (the input holds no pods to compare it with).");
  });
});
