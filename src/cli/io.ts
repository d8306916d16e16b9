/** The process's streams and environment, passed in so commands run in tests without globals. */
export interface Io {
  /** The arguments after the program name, as typed (recorded in records' `command`). */
  argv: readonly string[];
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  now(): Date;
}

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
