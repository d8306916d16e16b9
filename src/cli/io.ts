import type { Io } from "../app/session.ts";
import { redactText } from "../util/redact.ts";

export type { Io };

/** The real process's streams and environment: the one place that reads them. */
export function processIo(): Io {
  return {
    argv: process.argv.slice(2),
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
    stdoutColumns: process.stdout.isTTY === true ? process.stdout.columns : undefined,
    stderrIsTTY: process.stderr.isTTY === true,
    now: () => new Date(),
  };
}

/**
 * The one redaction step of everything the command line prints: each chunk written to stdout or
 * stderr, in every output format, goes through redactText, which keeps JSON and YAML valid.
 * Writers write whole documents or whole lines, so no secret is split across two chunks.
 */
export function redactedIo(io: Io): Io {
  const redacted = (stream: Io["stdout"]): Io["stdout"] => ({ write: (chunk: string) => stream.write(redactText(chunk)) });
  return { ...io, stdout: redacted(io.stdout), stderr: redacted(io.stderr) };
}
