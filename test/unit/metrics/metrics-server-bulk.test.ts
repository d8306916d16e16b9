import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../../src/errors.ts";
import type { MetricsApi } from "../../../src/metrics/metrics-server.ts";
import { readMetricsServerUsage } from "../../../src/metrics/metrics-server-bulk.ts";
import { MetricsUnavailableError } from "../../../src/metrics/source.ts";

const MI = 2 ** 20;

/** Answers the group path (availability) and the pod metrics list; records the calls. */
function fakeApi(list: unknown, groupServed = true): MetricsApi & { calls: { path: string; verb: string; namespace?: string }[] } {
  const calls: { path: string; verb: string; namespace?: string }[] = [];
  return {
    calls,
    async request<T>(path: string, options: { verb: string; resource: string; namespace?: string }): Promise<T> {
      calls.push({ path, verb: options.verb, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) });
      if (path === "/apis/metrics.k8s.io/v1beta1") {
        if (!groupServed) throw new NotFoundError("the server could not find the requested resource");
        return {} as T;
      }
      return list as T;
    },
  };
}

describe("readMetricsServerUsage: the cluster's pod metrics in one list", () => {
  it("one series per pod container, p95 = max = the sample, point in time", async () => {
    const api = fakeApi({
      items: [
        { metadata: { name: "web-5d8f7c9b4-abcde", namespace: "shop" }, timestamp: "2026-03-01T11:59:30Z", containers: [{ name: "web", usage: { cpu: "250m", memory: "120Mi" } }] },
        { metadata: { name: "db-0", namespace: "data" }, timestamp: "2026-03-01T11:59:40Z", containers: [{ name: "db", usage: { cpu: "1", memory: "not-a-quantity" } }] },
      ],
    });
    const usage = await readMetricsServerUsage(api, undefined);
    expect(api.calls).toEqual([
      { path: "/apis/metrics.k8s.io/v1beta1", verb: "get" },
      { path: "/apis/metrics.k8s.io/v1beta1/pods", verb: "list" },
    ]);
    expect(usage).toEqual({
      source: "metrics-server",
      origin: "/apis/metrics.k8s.io/v1beta1/pods",
      pointInTime: true,
      series: [
        { namespace: "shop", pod: "web-5d8f7c9b4-abcde", container: "web", samples: 1, cpuP95: 0.25, cpuMax: 0.25, memoryP95: 120 * MI, memoryMax: 120 * MI, firstSampleMs: Date.parse("2026-03-01T11:59:30Z") },
        { namespace: "data", pod: "db-0", container: "db", samples: 1, cpuP95: 1, cpuMax: 1, firstSampleMs: Date.parse("2026-03-01T11:59:40Z") },
      ],
      notes: ["metrics-server gives one point-in-time sample: p95 and peak are the usage now, proposals are low-confidence; give --prometheus for a window"],
    });
  });

  it("one namespace when given", async () => {
    const api = fakeApi({ items: [] });
    expect((await readMetricsServerUsage(api, "shop"))?.origin).toBe("/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods");
    expect(api.calls.at(-1)).toEqual({ path: "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods", verb: "list", namespace: "shop" });
  });

  it("undefined when metrics.k8s.io is not served", async () => {
    expect(await readMetricsServerUsage(fakeApi({ items: [] }, false), undefined)).toBeUndefined();
  });

  it("an answer that is not a PodMetricsList is the same typed error as for one workload", async () => {
    await expect(readMetricsServerUsage(fakeApi({ kind: "Status" }), undefined)).rejects.toThrow(MetricsUnavailableError);
    await expect(readMetricsServerUsage(fakeApi({ kind: "Status" }), undefined)).rejects.toThrow(/GET \/apis\/metrics\.k8s\.io\/v1beta1\/pods the answer is not a PodMetricsList/);
  });
});
