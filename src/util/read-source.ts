import { open } from "node:fs/promises";
import { AiopsError, InputError, NotFoundError } from "../errors.ts";
import { DIAGNOSE_INPUT_LIMITS, checkSize, sizeError, type InputLimits } from "./bounded-parse.ts";

/** Read in steps of this size, so a pipe or a device (`-f /dev/zero`) stops at the limit. */
const CHUNK = 1024 * 1024;

/**
 * Reads a file argument, or stdin for "-", with errors that say what to do. Never holds more
 * than `limits.maxBytes` of a file: a larger one (or an endless pipe) is a LimitError, exit 2.
 */
export async function readSource(source: string, readStdin: () => Promise<string>, limits: InputLimits = DIAGNOSE_INPUT_LIMITS): Promise<string> {
  if (source === "-") return readStdinWithin(readStdin, limits);
  try {
    return await readFileWithin(source, limits);
  } catch (error) {
    if (error instanceof AiopsError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new NotFoundError(`${source}: no such file`, { hint: "check the path, or pass - to read from stdin" });
    if (code === "EISDIR") throw new InputError(`${source} is a directory`, { hint: "pass a file written by kubectl get ... -o json" });
    throw new InputError(`${source}: cannot read (${code ?? String(error)})`, { hint: "check the file's permissions" });
  }
}

async function readFileWithin(path: string, limits: InputLimits): Promise<string> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size > limits.maxBytes) throw sizeError(path, size, limits);
    const chunks: Buffer[] = [];
    const buffer = Buffer.allocUnsafe(CHUNK);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      // A pipe or a growing file has no size to check up front.
      if (total > limits.maxBytes) throw sizeError(path, undefined, limits);
      chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } finally {
    await handle.close();
  }
}

/**
 * The shell stops reading stdin just past the largest input (cli/io.ts), so here only the size is checked; a stream
 * too long for one string is reported as over the limit too.
 */
async function readStdinWithin(readStdin: () => Promise<string>, limits: InputLimits): Promise<string> {
  let text: string;
  try {
    text = await readStdin();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_STRING_TOO_LONG") throw sizeError("<stdin>", undefined, limits);
    throw error;
  }
  checkSize(text, "<stdin>", limits);
  return text;
}
