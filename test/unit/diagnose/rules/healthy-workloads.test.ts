import { describe, expect, it } from "vitest";
import type { ContainerLogs } from "../../../../src/diagnose/context.ts";
import { RULES } from "../../../../src/diagnose/rules/index.ts";
import type { Job, KubeObject, Pod } from "../../../../src/model/k8s.ts";
import { ago, cond, DAY, findingsOf, HOUR, job, logsFor, MIN, node, pod, service, terminated, term } from "../../../helpers/objects.ts";
import { ds, headless, memberPod, serviceAccount, storageClass, sts, typedSecret } from "../../../helpers/workload-objects.ts";

// The kinds and conditions of the k8sgpt-coverage rules, healthy: no rule may find anything.

function statefulSet(): KubeObject[] {
  const db = sts("db", { storageClasses: ["standard", undefined] });
  return [db, ...[0, 1, 2].map((i) => memberPod(db, i)), headless("db"), service("db-client", { selector: { app: "db" } }), storageClass("standard")];
}

function daemonSet(): KubeObject[] {
  const agent = ds("agent");
  return [agent, ...["a", "b", "c"].map((s, i) => memberPod(agent, s, { node: `node-${i + 1}` }))];
}

function jobs(): KubeObject[] {
  const done = job("migrate", { succeeded: 1, failed: 1, completed: ago(30 * MIN), conditions: [cond("Complete", "True", undefined, undefined, ago(30 * MIN))] });
  const donePods = [
    pod("migrate-a", { owner: done, labels: { "job-name": "migrate" }, phase: "Failed", spec: { restartPolicy: "Never" }, statuses: [terminated("app", term(1, "Error", ago(40 * MIN)))] }),
    pod("migrate-b", { owner: done, labels: { "job-name": "migrate" }, phase: "Succeeded", spec: { restartPolicy: "Never" }, statuses: [terminated("app", term(0, "Completed", ago(30 * MIN)))] }),
  ];
  const held: Job = { ...job("nightly", { failed: 1, conditions: [cond("Suspended", "True", "JobSuspended", "Job suspended", ago(HOUR))] }), spec: { ...job("nightly").spec, suspend: true } };
  return [done, ...donePods, held];
}

function nodes(): KubeObject[] {
  return [
    node("node-1", {
      conditions: [
        cond("KernelDeadlock", "False", "KernelHasNoDeadlock", "kernel has no deadlock"),
        cond("ReadonlyFilesystem", "False", "FilesystemIsNotReadOnly", "Filesystem is not read-only"),
        cond("FrequentKubeletRestart", "False", "NoFrequentKubeletRestart", "kubelet is functioning properly"),
        cond("EtcdIsVoter", "True", "MemberNotLearner", "Node is a voting member of the etcd cluster"),
        cond("NetworkUnavailable", "False", "RouteCreated", "RouteController created a route"),
        cond("MemoryPressure", "False", "KubeletHasSufficientMemory"),
        cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        cond("PIDPressure", "False", "KubeletHasSufficientPID"),
        cond("Ready", "True", "KubeletReady", "kubelet is posting ready status", ago(10 * DAY)),
      ],
    }),
  ];
}

function gatedForAMinute(): KubeObject[] {
  const gated = pod("train-0", { created: ago(MIN), phase: "Pending", statuses: [], conditions: [cond("PodScheduled", "False", "SchedulingGated", "Scheduling is blocked due to non-empty scheduling gates", ago(MIN))], spec: { schedulingGates: [{ name: "kueue.x-k8s.io/admission" }] } });
  delete gated.spec.nodeName;
  return [gated];
}

function pullSecretsAndLogs(): { objects: KubeObject[]; logs: Record<string, ContainerLogs> } {
  const web: Pod = pod("web-1", { spec: { imagePullSecrets: [{ name: "regcred" }], serviceAccountName: "web" } });
  return {
    objects: [web, serviceAccount("web", ["mirror"]), typedSecret("regcred"), typedSecret("mirror"), typedSecret("tls", "kubernetes.io/tls")],
    logs: logsFor(web, "app", { current: ["INFO listening on :8080", "INFO sync done: 0 errors", "level=info msg=\"retrying after error budget check\""] }),
  };
}

const scenarios: { name: string; objects: KubeObject[]; logs?: Record<string, ContainerLogs> }[] = [
  { name: "a StatefulSet with every replica ready, its headless Service and StorageClass", objects: statefulSet() },
  { name: "a DaemonSet ready on every node", objects: daemonSet() },
  { name: "a completed Job (one failed attempt) and a suspended Job", objects: jobs() },
  { name: "a node with only normal conditions (node-problem-detector False, EtcdIsVoter True)", objects: nodes() },
  { name: "a pod held by scheduling gates for 1 minute", objects: gatedForAMinute() },
  { name: "existing registry pull Secrets and logs without error lines", ...pullSecretsAndLogs() },
];

describe("healthy workloads of the k8sgpt-coverage rules", () => {
  describe.each(scenarios)("$name", ({ objects, logs }) => {
    it.each(RULES.map((rule) => ({ id: rule.id, rule })))("$id finds nothing", ({ rule }) => {
      expect(findingsOf(rule, objects, logs === undefined ? {} : { logs })).toEqual([]);
    });
  });
});
