import type { Io } from "../app/session.ts";
import { DIAGNOSE_INPUT_LIMITS } from "../util/bounded-parse.ts";
import { redactText } from "../util/redact.ts";
import { neutralizeText } from "../util/terminal-safe.ts";

export type { Io };

/** The real process's streams and environment: the one place that reads them. */
export function processIo(): Io {
  return {
    argv: process.argv.slice(2),
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: async () => {
      // Bounded: past the largest input anything accepts, reading stops and the caller's size
      // check refuses the (longer than allowed) text, so an endless pipe never fills memory.
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of process.stdin) {
        chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
        if (size > DIAGNOSE_INPUT_LIMITS.maxBytes) {
          process.stdin.destroy();
          break;
        }
      }
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
 * stderr, in every output format, goes through redactText, which keeps JSON and YAML valid; stderr
 * is also neutralised (util/terminal-safe.ts).
 * Writers write whole documents or whole lines, so no secret is split across two chunks.
 */
export function redactedIo(io: Io): Io {
  const redacted = (stream: Io["stdout"]): Io["stdout"] => ({ write: (chunk: string) => stream.write(redactText(chunk)) });
  // stderr is only for people (errors, hints, warnings, progress: none of it ours uses escapes),
  // and it carries cluster text (server messages, names): no control sequence survives there.
  const neutralized = (stream: Io["stderr"]): Io["stderr"] => ({ write: (chunk: string) => stream.write(neutralizeText(redactText(chunk))) });
  return { ...io, stdout: redacted(io.stdout), stderr: neutralized(io.stderr) };
}
