import { expect } from "vitest";
import { containerConfigError } from "../../../../src/diagnose/rules/container-config-error.ts";
import { ago, configMap, event, evidenceWith, MIN, pod, podRef, secret, testRule, waiting } from "../../../helpers/objects.ts";

const env = [
  { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db-creds", key: "password" } } },
  { name: "LOG_LEVEL", valueFrom: { configMapKeyRef: { name: "app-config", key: "LOG_LEVEL" } } },
];
const configError = (name: string, message: string) =>
  pod(name, { phase: "Pending", containers: [{ name: "app", image: "shop/app:1.0", env }], statuses: [waiting("app", "CreateContainerConfigError", { message })] });

const noSecret = configError("api-1", 'secret "db-creds" not found');
const noKey = configError("api-2", "couldn't find key LOG_LEVEL in ConfigMap shop/app-config");
const mountedSecret = pod("api-3", {
  phase: "Pending",
  containers: [{ name: "app", image: "shop/app:1.0", envFrom: [{ secretRef: { name: "api-env" } }] }],
  statuses: [waiting("app", "CreateContainerConfigError", { message: 'secret "api-env" not found' })],
});
const root = configError("api-4", "container has runAsNonRoot and image will run as root (pod: \"api-4_shop(uid)\", container: app)");

testRule(containerConfigError, [
  {
    name: "a missing Secret, with the env var that references it",
    objects: [noSecret, event(noSecret, "Failed", 'Error: secret "db-creds" not found', { container: "app", first: ago(8 * MIN), last: ago(MIN), count: 9 }), secret("unrelated")],
    want: [
      {
        id: "pod.container-config-error",
        category: "ContainerConfigError",
        object: podRef("api-1"),
        container: "app",
        severity: "critical",
        confidence: 0.95,
        summary: "Container app cannot start: Secret db-creds does not exist.",
        evidence: evidenceWith('message="secret "db-creds" not found"', "spec.containers[app].env[DB_PASSWORD]: from Secret db-creds key password", "Secret shop/db-creds: absent from the snapshot", "event Warning Failed x9"),
        since: ago(8 * MIN),
        remediation: { action: "secret", tier: "critical" },
      },
    ],
  },
  {
    name: "a key missing from a ConfigMap",
    objects: [noKey, configMap("app-config", { OTHER: "x" })],
    want: [
      {
        summary: "Container app cannot start: key LOG_LEVEL is missing from ConfigMap app-config.",
        evidence: evidenceWith("env[LOG_LEVEL]: from ConfigMap app-config key LOG_LEVEL", "ConfigMap shop/app-config: present"),
        remediation: { action: "config", tier: "medium", summary: expect.stringContaining("with key LOG_LEVEL") },
      },
    ],
  },
  { name: "a Secret used through envFrom", objects: [mountedSecret], want: [{ evidence: evidenceWith("spec.containers[app].envFrom: Secret api-env"), remediation: { action: "secret" } }] },
  { name: "another config error: lower confidence, config fix", objects: [root], want: [{ confidence: 0.8, summary: expect.stringContaining("runAsNonRoot"), remediation: { action: "config", tier: "medium" } }] },
  { name: "a running pod: none", objects: [pod("api-5")], want: [] },
]);
