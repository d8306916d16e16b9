import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../helpers/io.ts";

/**
 * `COLUMNS=80` (as a terminal, or a pipe that sets it) bounds every line of `-o table`: the contract
 * kubectl users rely on when they pipe into a narrow pane. Every bundled incident, through the CLI.
 */

const EXAMPLES = path.resolve(import.meta.dirname, "../../../examples/incidents");
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".json") || f.endsWith(".yaml"));

describe("diagnose -o table with COLUMNS=80", () => {
  it.each(files)("%s: no line is longer than 80 characters", async (file) => {
    const out = await runCli(["diagnose", "-f", path.join(EXAMPLES, file), "-o", "table"], { env: { COLUMNS: "80" }, cwd: EXAMPLES });
    expect(out.code === 0 || out.code === 3).toBe(true);
    const long = out.stdout.split("\n").filter((line) => [...line].length > 80);
    expect(long).toEqual([]);
  });

  it("without COLUMNS and not on a terminal, a finding stays on one line (grep-friendly)", async () => {
    const out = await runCli(["diagnose", "-f", path.join(EXAMPLES, "oomkill-memory-leak.json"), "-o", "table"], { env: {}, cwd: EXAMPLES });
    expect(out.stdout.split("\n").some((line) => [...line].length > 80)).toBe(true);
  });
});
