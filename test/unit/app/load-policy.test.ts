import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../../src/app/load-policy.ts";
import { defaultPolicy } from "../../../src/policy/policy-file.ts";
import { gitdir } from "../../helpers/gitdir.ts";

describe("loadPolicy", () => {
  it("reads .aiops.yaml at the root of the history's repository, wherever the history folder is", () => {
    const repo = gitdir({ ".aiops.yaml": "protectedNamespaces: [prod]\n", "ops/history/.keep": "" });
    mkdirSync(path.join(repo, "sub"), { recursive: true });
    const loaded = loadPolicy({ historyDir: "ops/history", cwd: repo, env: {} });
    expect(loaded.file).toBe(path.join(repo, ".aiops.yaml"));
    expect(loaded.policy.protectedNamespaces).toEqual(["prod"]);
    expect(loadPolicy({ cwd: path.join(repo, "sub"), env: {} }).policy.protectedNamespaces).toEqual(["prod"]);
  });

  it("uses the defaults without a file, and names the file when it is invalid", () => {
    const repo = gitdir();
    expect(loadPolicy({ cwd: repo, env: {} })).toEqual({ policy: defaultPolicy(), file: undefined });
    writeFileSync(path.join(repo, ".aiops.yaml"), "windows: {low: soon}\n");
    expect(() => loadPolicy({ cwd: repo, env: {} })).toThrow(`${path.join(repo, ".aiops.yaml")}: invalid policy field windows.low`);
  });
});
