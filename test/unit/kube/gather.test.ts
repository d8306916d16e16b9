import { describe, expect, it } from "vitest";
import { logReads, unservedNote } from "../../../src/kube/gather.ts";
import { requireKind } from "../../../src/kube/kinds.ts";
import type { Pod } from "../../../src/model/k8s.ts";

type Status = NonNullable<NonNullable<Pod["status"]>["containerStatuses"]>[number];

function pod(status: Partial<Status>): Pod {
  const full = { name: "app", ready: false, restartCount: 0, image: "app:1", imageID: "", ...status } as Status;
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns" }, spec: { containers: [{ name: "app" }] }, status: { phase: "Running", containerStatuses: [full] } } as Pod;
}

const crashed = { terminated: { exitCode: 1, reason: "Error", startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:00:05Z" } };

describe("which container logs a live diagnosis reads", () => {
  it.each([
    ["a crash loop: the previous instance only (a read of the waiting one returns the same lines)", { restartCount: 5, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: crashed }, [{ name: "app", current: false, previous: true }]],
    ["running again after a crash, not ready: both instances", { restartCount: 1, state: { running: { startedAt: "2026-01-01T00:00:10Z" } }, lastState: crashed }, [{ name: "app", current: true, previous: true }]],
    ["ended with a failure on its first run: the current instance", { state: crashed }, [{ name: "app", current: true, previous: false }]],
    ["RunContainerError before any instance ran: nothing to read", { state: { waiting: { reason: "RunContainerError" } } }, []],
    ["running and ready: not failing", { ready: true, state: { running: { startedAt: "2026-01-01T00:00:10Z" } } }, []],
    ["image pull back-off: not failing in its logs", { state: { waiting: { reason: "ImagePullBackOff" } } }, []],
  ])("%s", (_, status, expected) => {
    expect(logReads(pod(status as Partial<Status>))).toEqual(expected);
  });
});

describe("kinds the cluster does not serve", () => {
  it("are named in one line, grouped by API group", () => {
    const note = unservedNote(["HTTPRoute", "Gateway", "GatewayClass", "Ingress"].map((k) => requireKind(k)));
    expect(note).toBe("note: this cluster does not serve gatewayclasses, gateways, httproutes (gateway.networking.k8s.io); ingresses (networking.k8s.io); not checked");
    expect(note.split("\n")).toHaveLength(1);
  });
});
