import { describe, expect, it } from "vitest";
import { complete, formatCompletion } from "../../../src/cli/complete.ts";

describe("completion through kubectl", () => {
  it.each([
    { words: [""], want: ["diagnose", "runbook", "propose", "list", "show", "audit", "approve", "reject", "apply", "rollback", "policy", "report", "watch", "version"] },
    { words: ["propose", "re"], want: ["resources", "restart"] },
    { words: ["di"], want: ["diagnose"] },
    { words: ["diagnose", "st"], want: ["statefulset"] },
    { words: ["diagnose", "-o", "ya"], want: ["yaml"] },
    { words: ["runbook", "Crash"], want: ["CrashLoopBackOff"] },
    { words: ["diagnose", "--fail"], want: ["--fail-on-problems"] },
    { words: ["diagnose", "-n", "shop", "po"], want: ["pod"] },
  ])("$words -> $want", async ({ words, want }) => {
    expect((await complete(words)).candidates).toEqual(want);
  });

  it("completes object names from the cluster lister", async () => {
    const result = await complete(["diagnose", "pod", "a"], async (kind) => (kind === "pod" ? ["api-1", "api-2", "web-1"] : []));
    expect(result.candidates).toEqual(["api-1", "api-2"]);
  });

  it("leaves file names to the shell after -f", async () => {
    expect(await complete(["diagnose", "-f", ""])).toEqual({ candidates: [], directive: 0 });
  });

  it("prints one candidate per line and a final directive", () => {
    expect(formatCompletion({ candidates: ["a", "b"], directive: 4 })).toBe("a\nb\n:4\n");
  });
});
