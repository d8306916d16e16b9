import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runbookPath } from "../../src/diagnose/finding.ts";
import { CATEGORIES } from "../../src/diagnose/types.ts";
import { ACTION_TYPES } from "../../src/policy/tiers.ts";
import { runCli } from "../helpers/io.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SECTIONS = ["## What you see", "## Why it happens", "## Check by hand", "## Fix", "## Verify", "## Roll back"];

describe("runbooks/", () => {
  it.each(CATEGORIES)("%s has a runbook with front matter and every section in order", (category) => {
    const text = readFileSync(path.join(ROOT, runbookPath(category)), "utf8");
    const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
    expect(match).not.toBeNull();
    const front = parse(match?.[1] ?? "") as { id: string; categories: string[]; actions: string[] };
    expect(front.id).toBe(category.toLowerCase());
    expect(front.categories).toContain(category);
    for (const action of front.actions) expect(ACTION_TYPES).toContain(action);
    const positions = SECTIONS.map((s) => text.indexOf(`\n${s}\n`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toMatch(/kubectl (get|describe|logs)/);
  });

  it("prints a runbook by category in any case, and suggests one for a typo", async () => {
    const ok = await runCli(["runbook", "oomkilled"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("## Check by hand");
    const typo = await runCli(["runbook", "OOMKiled"]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("did you mean OOMKilled?");
  });

  it("lists every category without an argument", async () => {
    const list = await runCli(["runbook"]);
    for (const category of CATEGORIES) expect(list.stdout).toContain(category);
    expect(list.stdout).not.toContain("(missing)");
  });
});
