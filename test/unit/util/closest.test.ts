import { describe, expect, it } from "vitest";
import { closestNames, editDistance } from "../../../src/util/closest.ts";

describe("closestNames", () => {
  it("computes edit distance", () => {
    expect(editDistance("wbe", "web")).toBe(2);
    expect(editDistance("api", "api")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("suggests pods sharing the prefix first, then near misses", () => {
    const names = ["api-7d9f-x2k", "api-7d9f-q8z", "worker-1", "apl"];
    expect(closestNames("api", names)).toEqual(["api-7d9f-q8z", "api-7d9f-x2k", "apl"]);
  });

  it("suggests nothing for an unrelated name", () => {
    expect(closestNames("database", ["api", "web"])).toEqual([]);
  });
});
