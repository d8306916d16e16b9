import type { Io } from "../../src/app/session.ts";
import { run } from "../../src/cli/main.ts";

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured streams; `stdin` feeds `-f -`. */
export async function runCli(argv: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string; now?: string } = {}): Promise<CapturedRun> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    argv,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    readStdin: async () => options.stdin ?? "",
    env: options.env ?? { HOME: "/nonexistent" },
    cwd: options.cwd ?? process.cwd(),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    now: () => new Date(options.now ?? "2026-11-21T12:00:00Z"),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** A full Io for a use case run without the CLI: silent streams and the real clock unless given. */
export function sessionIo(partial: Partial<Io> & Pick<Io, "cwd">): Io {
  return {
    argv: [],
    stdout: { write: () => true },
    stderr: { write: () => true },
    readStdin: async () => "",
    env: process.env,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    now: () => new Date(),
    ...partial,
  };
}
