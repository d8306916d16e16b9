import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { InputError, NotFoundError, PolicyError, UsageError } from "../errors.ts";
import { closestNames } from "../util/closest.ts";
import { isInside, refuseSymlinks, type History } from "./history.ts";
import { parseRecordPath } from "./paths.ts";
import { scanRecords, type RecordLocation } from "./scan.ts";

/**
 * Resolves a RECORD argument (docs/cli.md, commands): a record id, a unique id prefix, or a path
 * inside the history folder. Whatever resolves outside the folder (../, absolute paths,
 * symlinks pointing out) is refused: `show` must never become a way to read any file.
 */
export async function resolveRecord(history: History, argument: string, cwd: string): Promise<RecordLocation> {
  const text = argument.trim();
  if (text === "") throw new UsageError("RECORD is empty", "give a record id, an id prefix, or a path under the history folder");
  if (looksLikePath(text)) return resolvePath(history, text, cwd);
  const wanted = text.toUpperCase();
  if (!/^[0-9A-Z]+$/.test(wanted)) throw new UsageError(`"${text}" is neither a record id nor a path`, "record ids are 26 letters and digits; kubectl aiops list shows them");
  const all = await scanRecords(history);
  const matches = all.filter((l) => l.id.startsWith(wanted));
  if (matches.length === 1 && matches[0] !== undefined) return matches[0];
  if (matches.length > 1) {
    const shown = matches.slice(0, 10).map((l) => `${l.id} ${l.relative}`);
    throw new UsageError(`record prefix "${text}" is ambiguous: ${matches.length} records match:\n  ${shown.join("\n  ")}${matches.length > 10 ? "\n  ..." : ""}`, "type more characters of the id");
  }
  const close = closestNames(wanted, all.map((l) => l.id), 3);
  throw new NotFoundError(`no record "${text}" in ${history.dir}`, { hint: close.length > 0 ? `closest ids: ${close.join(", ")}` : "kubectl aiops list shows the records" });
}

function looksLikePath(text: string): boolean {
  return text.includes("/") || text.includes(path.sep) || text.endsWith(".md") || text.startsWith(".");
}

function resolvePath(history: History, text: string, cwd: string): RecordLocation {
  const absolute = path.resolve(cwd, text);
  const given = path.relative(history.dir, absolute);
  if (given !== "" && !given.startsWith("..") && !path.isAbsolute(given)) refuseSymlinks(history, given.split(path.sep).join("/"));
  const real = existsSync(absolute) ? realpathSync(absolute) : absolute;
  if (!isInside(real, history.dir)) {
    throw new PolicyError(`refused: "${text}" resolves to ${real}, outside the history directory ${history.dir}`, {
      hint: `give a record id, an id prefix, or a path under ${history.dir}`,
    });
  }
  if (!existsSync(real)) throw new NotFoundError(`no record file ${real}`, { hint: "kubectl aiops list shows the records" });
  const relative = path.relative(history.dir, real).split(path.sep).join("/");
  const name = parseRecordPath(relative);
  if (name === undefined) {
    throw new InputError(`${relative} is not a record file`, { hint: "records are named <history>/prompts/YYYY/MM/<id>-<slug>.<stage>.md or <history>/reports/<weekly|daily>/<id>-<slug>.report.md" });
  }
  return { id: name.id, stage: name.stage, relative, absolute: real };
}
