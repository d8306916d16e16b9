import { expect } from "vitest";
import { evicted } from "../../../../src/diagnose/rules/evicted.ts";
import { ago, cond, event, evidenceWith, HOUR, pod, podRef, replicaSet, running, terminated, term, testRule } from "../../../helpers/objects.ts";

const memoryMessage = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 68Mi. Container app was using 1.2Gi, request is 512Mi, has larger consumption of memory. ";
const evictedPod = (name: string, message: string, owner?: ReturnType<typeof replicaSet>) =>
  pod(name, {
    phase: "Failed",
    reason: "Evicted",
    message,
    labels: { app: "web" },
    ...(owner === undefined ? {} : { owner }),
    statuses: [terminated("app", term(137, "ContainerStatusUnknown", ago(HOUR)))],
    conditions: [cond("DisruptionTarget", "True", "TerminationByKubelet", "The node was low on resource: memory.", ago(HOUR)), cond("Ready", "False", "PodFailed", undefined, ago(HOUR))],
  });

const rs = replicaSet("web-7d9f", { labels: { app: "web" } });
const memory = evictedPod("web-7d9f-x", memoryMessage, rs);
const replacements = [pod("web-7d9f-a", { owner: rs, labels: { app: "web" } }), pod("web-7d9f-b", { owner: rs, labels: { app: "web" } })];
const rsDown = replicaSet("api-5c4b", { labels: { app: "web" } });
const noReplacement = evictedPod("api-5c4b-x", memoryMessage, rsDown);
const unready = pod("api-5c4b-a", { owner: rsDown, labels: { app: "web" }, statuses: [running("app", { ready: false })] });
const bare = evictedPod("debug", "The node had condition: [DiskPressure]. ");

testRule(evicted, [
  {
    name: "evicted for using more memory than requested, replacements ready: low",
    objects: [rs, memory, ...replacements, event(memory, "Evicted", memoryMessage, { first: ago(HOUR) })],
    want: [
      {
        id: "pod.evicted",
        category: "Evicted",
        object: podRef("web-7d9f-x"),
        severity: "low",
        confidence: 0.95,
        summary: "Pod web-7d9f-x was evicted from node node-1 under memory pressure while container app used 1.2Gi over its 512Mi request.",
        evidence: evidenceWith("status: phase=Failed reason=Evicted", "status.conditions[DisruptionTarget]: True", "event Warning Evicted", "ReplicaSet/web-7d9f: 2 other ready replica(s)"),
        since: ago(HOUR),
        remediation: { action: "resources", tier: "medium" },
      },
    ],
  },
  { name: "no ready replacement: medium", objects: [rsDown, noReplacement, unready], want: [{ severity: "medium", since: ago(HOUR) }] },
  {
    name: "a bare pod evicted under disk pressure: high, node capacity",
    objects: [bare],
    want: [{ severity: "high", summary: expect.stringContaining("under DiskPressure pressure and has no controller"), remediation: { action: "node", tier: "critical" } }],
  },
  { name: "a Failed pod that was not evicted: none", objects: [pod("job-x", { phase: "Failed", statuses: [terminated("app", term(1, "Error", ago(HOUR)))] })], want: [] },
]);
