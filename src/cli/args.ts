import type { z } from "zod";
import { UsageError } from "../errors.ts";

/**
 * A command's own flags and arguments, validated by its zod schema: the first problem becomes a
 * usage error (exit 2) that points at the command's help.
 */
export function parseCommandArgs<T>(schema: z.ZodType<T>, input: unknown, command: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? "invalid arguments", `see kubectl aiops ${command} --help`);
  return parsed.data;
}
