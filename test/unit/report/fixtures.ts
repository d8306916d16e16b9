import { RuleContext } from "../../../src/diagnose/context.ts";
import type { Container, KubeObject } from "../../../src/model/k8s.ts";
import type { PeriodWindow } from "../../../src/report/types.ts";
import { collectWorkloads, type WorkloadInfo } from "../../../src/report/workloads.ts";
import { NOW, deployment, pod, replicaSet } from "../../helpers/objects.ts";

export const WINDOW: PeriodWindow = { kind: "weekly", key: "2026-W11", start: "2026-03-03T12:00:00Z", end: "2026-03-10T12:00:00Z" };

export function ctxOf(objects: KubeObject[]): RuleContext {
  return new RuleContext({ now: NOW, objects });
}

/** A Deployment with its ReplicaSet and `replicas` running pods. */
export function app(name: string, containers: Container[], replicas = 2): KubeObject[] {
  const d = deployment(name, { replicas, containers, labels: { app: name } });
  const rs = replicaSet(`${name}-7d9f`, { owner: d, replicas, labels: { app: name }, containers });
  const pods = Array.from({ length: replicas }, (_, i) => pod(`${name}-7d9f-${"abcde".charAt(i)}x${i}yz`, { owner: rs, labels: { app: name }, containers }));
  return [d, rs, ...pods];
}

export function workloadsOf(objects: KubeObject[]): WorkloadInfo[] {
  return collectWorkloads(ctxOf(objects));
}
