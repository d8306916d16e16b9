import path from "node:path";
import { CATEGORIES } from "../diagnose/types.ts";
import { runbookPath } from "../diagnose/finding.ts";
import { NotFoundError } from "../errors.ts";
import { closestNames } from "../util/closest.ts";
import { listOwnFiles, readOwnFile } from "../util/paths.ts";

export async function readRunbook(name: string): Promise<string> {
  const wanted = name.replace(/[-_\s]/g, "").toLowerCase().replace(/\.md$/, "");
  const category = CATEGORIES.find((c) => c.toLowerCase() === wanted);
  if (category === undefined) {
    const suggestions = closestNames(wanted, CATEGORIES.map((c) => c.toLowerCase()));
    throw new NotFoundError(`no runbook for "${name}"`, {
      hint: `${suggestions.length > 0 ? `did you mean ${suggestions.map((s) => CATEGORIES.find((c) => c.toLowerCase() === s)).join(", ")}? ` : ""}kubectl aiops runbook lists them all`,
    });
  }
  return readOwnFile(runbookPath(category));
}

export async function listRunbooks(): Promise<string> {
  const files = new Set(await listOwnFiles("runbooks"));
  const lines = CATEGORIES.map((c) => `${c.padEnd(26)} ${files.has(path.basename(runbookPath(c))) ? runbookPath(c) : "(missing)"}`);
  return `${"CATEGORY".padEnd(26)} RUNBOOK\n${lines.join("\n")}\n`;
}
