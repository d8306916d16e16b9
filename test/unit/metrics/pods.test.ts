import { describe, expect, it } from "vitest";
import { podNameMatcher, podNamePattern } from "../../../src/metrics/pods.ts";
import type { WorkloadRef } from "../../../src/metrics/source.ts";

describe("pods of a workload, by name", () => {
  it.each<{ kind: WorkloadRef["kind"]; name: string; matches: string[]; misses: string[] }>([
    { kind: "Deployment", name: "web", matches: ["web-5d8f7c9b4-abcde", "web-7b9-x2k4q"], misses: ["web-api-6c7d8e9f0-klmno", "web-0", "web", "xweb-5d8f7c9b4-abcde", "web-5d8f7c9b4-abcde-x"] },
    { kind: "StatefulSet", name: "db", matches: ["db-0", "db-12"], misses: ["db-a", "db-0-x", "db-replica-0"] },
    { kind: "DaemonSet", name: "agent", matches: ["agent-x2k4q"], misses: ["agent-x2k4q-abc", "agent"] },
    { kind: "CronJob", name: "nightly", matches: ["nightly-29123456-abcde"], misses: ["nightly-abcde"] },
    { kind: "Pod", name: "one", matches: ["one"], misses: ["one-1", "onee"] },
    { kind: "Deployment", name: "web.v2", matches: ["web.v2-5d8f7c9b4-abcde"], misses: ["webxv2-5d8f7c9b4-abcde"] },
  ])("$kind $name", ({ kind, name, matches, misses }) => {
    const matcher = podNameMatcher({ kind, name });
    for (const pod of matches) expect(matcher.test(pod), pod).toBe(true);
    for (const pod of misses) expect(matcher.test(pod), pod).toBe(false);
  });

  it("quotes regex metacharacters", () => {
    expect(podNamePattern({ kind: "StatefulSet", name: "a.b" })).toBe("a\\.b-[0-9]+");
  });
});
