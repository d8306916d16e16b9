import { describe, expect, it } from "vitest";
import { evaluateRollout } from "../../../src/kube/rollout.ts";
import type { KubeObject } from "../../../src/model/k8s.ts";

const deploy = (spec: number, status: Record<string, unknown>, generation = 3): KubeObject => ({ kind: "Deployment", metadata: { name: "web", namespace: "shop", generation }, spec: { replicas: spec }, status });

describe("evaluateRollout", () => {
  const cases: { name: string; object: KubeObject; state: string; message: RegExp }[] = [
    { name: "controller has not seen the new generation", object: deploy(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), state: "progressing", message: /observe generation 3/ },
    { name: "new replicas not all updated", object: deploy(3, { observedGeneration: 3, replicas: 3, updatedReplicas: 1, availableReplicas: 3 }), state: "progressing", message: /1 of 3 new replicas updated/ },
    { name: "old replicas still terminating", object: deploy(2, { observedGeneration: 3, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }), state: "progressing", message: /1 old replica/ },
    { name: "updated but not available", object: deploy(2, { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }), state: "progressing", message: /1 of 2 updated replicas available/ },
    { name: "complete", object: deploy(2, { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), state: "complete", message: /2 of 2 replicas updated and available/ },
    { name: "progress deadline exceeded", object: deploy(2, { observedGeneration: 3, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "ReplicaSet web-1 has timed out progressing." }] }), state: "failed", message: /timed out progressing/ },
    { name: "statefulset waits for the update revision", object: { kind: "StatefulSet", metadata: { name: "db", generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, updatedReplicas: 1, readyReplicas: 1, currentRevision: "a", updateRevision: "b" } }, state: "progressing", message: /revision b/ },
    { name: "daemonset available everywhere", object: { kind: "DaemonSet", metadata: { name: "agent", generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 } }, state: "complete", message: /3 pods/ },
    { name: "an HPA has no rollout", object: { kind: "HorizontalPodAutoscaler", metadata: { name: "web" } }, state: "complete", message: /no rollout/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const progress = evaluateRollout(c.object);
      expect(progress.state).toBe(c.state);
      expect(progress.message).toMatch(c.message);
    });
  }
});
