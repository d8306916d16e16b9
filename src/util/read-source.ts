import { readFile } from "node:fs/promises";
import { InputError, NotFoundError } from "../errors.ts";

/** Reads a file argument, or stdin for "-", with errors that say what to do. */
export async function readSource(source: string, readStdin: () => Promise<string>): Promise<string> {
  if (source === "-") return readStdin();
  try {
    return await readFile(source, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new NotFoundError(`${source}: no such file`, { hint: "check the path, or pass - to read from stdin" });
    if (code === "EISDIR") throw new InputError(`${source} is a directory`, { hint: "pass a file written by kubectl get ... -o json" });
    throw new InputError(`${source}: cannot read (${code ?? String(error)})`, { hint: "check the file's permissions" });
  }
}
