import { expect } from "vitest";
import { crashLoopBackOff } from "../../../../src/diagnose/rules/crash-loop-back-off.ts";
import type { Container, KubeObject } from "../../../../src/model/k8s.ts";
import { ago, event, evidenceWith, logsFor, MIN, pod, podRef, replicaSet, running, term, terminated, testRule, waiting } from "../../../helpers/objects.ts";

function looping(name: string, exitCode: number, reason = "Error", containers?: Container[], owner?: KubeObject) {
  return pod(name, {
    ...(containers === undefined ? {} : { containers }),
    ...(owner === undefined ? {} : { owner }),
    statuses: [waiting("app", "CrashLoopBackOff", { restarts: 5, message: "back-off 2m40s restarting failed container=app", last: term(exitCode, reason, ago(2 * MIN)) })],
  });
}
const backOff = (p: KubeObject) => event(p, "BackOff", `Back-off restarting failed container app in pod ${p.metadata.name}`, { container: "app", first: ago(10 * MIN), last: ago(MIN), count: 20 });

const notFound = looping("api-1", 127, "Error", [{ name: "app", image: "shop/app:1.0", command: ["/app/server"], args: ["--port=8080"] }]);
const envFromSecret = looping("api-2", 1, "Error", [{ name: "app", image: "shop/app:1.0", env: [{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "db-creds", key: "url" } } }] }]);
const envMissing = looping("api-3", 1);
const rs = replicaSet("web-7d9f", { labels: { app: "web" } });
const lonely = looping("web-7d9f-a", 1, "Error", undefined, rs);
const fine = [pod("web-7d9f-b", { owner: rs, labels: { app: "web" } }), pod("web-7d9f-c", { owner: rs, labels: { app: "web" } })];
const rs2 = replicaSet("shop-5c4b", { labels: { app: "shop" } });
const all = [looping("shop-5c4b-a", 1, "Error", undefined, rs2), looping("shop-5c4b-b", 1, "Error", undefined, rs2)];
const oom = looping("api-4", 137, "OOMKilled");
const segv = looping("api-5", 139);

testRule(crashLoopBackOff, [
  {
    name: "exit 127 names the missing command",
    objects: [notFound, backOff(notFound)],
    want: [
      {
        id: "pod.crashloopbackoff",
        category: "CrashLoopBackOff",
        object: podRef("api-1"),
        container: "app",
        severity: "critical",
        confidence: 0.95,
        summary: expect.stringContaining("exit 127: command not found (`/app/server --port=8080` does not exist"),
        evidence: evidenceWith("state.waiting.reason: CrashLoopBackOff", "restartCount: 5", "exitCode=127", 'command: ["/app/server"]', "event Warning BackOff x20"),
        since: ago(10 * MIN),
        remediation: { action: "config", tier: "medium" },
      },
    ],
  },
  {
    name: "logs name a missing env var that comes from a Secret",
    objects: [envFromSecret],
    logs: logsFor(envFromSecret, "app", { previous: ["starting api v1.2", "FATAL: environment variable DATABASE_URL is not set", ""], current: ["starting api v1.2"] }),
    want: [
      {
        category: "CrashLoopBackOff",
        summary: expect.stringContaining("DATABASE_URL is missing or empty; it comes from key url of Secret db-creds"),
        evidence: evidenceWith('logs app (previous, last 2): "starting api v1.2" | "FATAL: environment variable DATABASE_URL is not set"', "log hint:"),
        since: ago(2 * MIN),
        remediation: { action: "secret", tier: "critical", summary: expect.stringContaining("Secret db-creds key url") },
      },
    ],
  },
  {
    name: "logs name an env var the spec does not define",
    objects: [envMissing],
    logs: logsFor(envMissing, "app", { current: ["Error: missing required env var REDIS_HOST"] }),
    want: [{ summary: expect.stringContaining("REDIS_HOST is missing: the container spec does not define it"), evidence: evidenceWith("(current, last 1)"), remediation: { action: "config", tier: "medium", summary: expect.stringContaining("Provide REDIS_HOST") } }],
  },
  {
    name: "only one pod of a healthy controller fails: restart (trivial)",
    objects: [rs, lonely, ...fine],
    want: [{ object: podRef("web-7d9f-a"), evidence: evidenceWith("1/3 pods of ReplicaSet/web-7d9f crash-loop"), remediation: { action: "restart", tier: "trivial" } }],
  },
  {
    name: "every pod of the controller fails the same way: config fix",
    objects: [rs2, ...all],
    want: [
      { object: podRef("shop-5c4b-a"), evidence: evidenceWith("2/2 pods of ReplicaSet/shop-5c4b crash-loop"), summary: expect.stringContaining("exit 1: application error"), remediation: { action: "config", tier: "medium", summary: expect.stringContaining("Every pod fails the same way") } },
      { object: podRef("shop-5c4b-b"), remediation: { action: "config" } },
    ],
  },
  {
    name: "an OOM-killed crash loop is still reported (the engine keeps OOMKilled)",
    objects: [oom],
    want: [{ summary: expect.stringContaining("OOMKilled"), remediation: { action: "resources", tier: "medium" } }],
  },
  { name: "a segfault points at the image", objects: [segv], want: [{ summary: expect.stringContaining("segmentation fault"), remediation: { action: "image", tier: "medium" } }] },
  {
    name: "no last state: lower confidence",
    objects: [pod("api-6", { statuses: [waiting("app", "CrashLoopBackOff", { restarts: 3 })] })],
    want: [{ confidence: 0.85, summary: expect.stringContaining("keeps exiting") }],
  },
  { name: "running again: none", objects: [pod("api-7", { statuses: [running("app", { restarts: 4, last: term(1, "Error", ago(MIN)), startedAt: ago(MIN) })] })], want: [] },
  {
    // a real kubelet shows the second failure as the current state until its next sync
    name: "failed again after a restart, before the back-off is reported: a crash loop",
    objects: [pod("api-8", { statuses: [terminated("app", term(1, "Error", ago(2)), { restarts: 1 })] })],
    want: [{ category: "CrashLoopBackOff", evidence: evidenceWith("failed again after a restart", "state.terminated: reason=Error exitCode=1") }],
  },
  { name: "the first failure, not yet restarted: none", objects: [pod("api-9", { statuses: [terminated("app", term(1, "Error", ago(2)))] })], want: [] },
  {
    name: "failed again under restartPolicy Never: none (nothing restarts it)",
    objects: [pod("api-10", { spec: { restartPolicy: "Never" }, statuses: [terminated("app", term(1, "Error", ago(2)), { restarts: 1 })] })],
    want: [],
  },
]);
