import type { Io } from "../app/session.ts";

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
    stderrIsTTY: process.stderr.isTTY === true,
    now: () => new Date(),
  };
}
