import { z } from "zod";
import { UsageError } from "../errors.ts";
import { OUTPUT_FORMATS } from "../render/formats.ts";
import { parseRequestTimeout } from "../kube/timeout.ts";
import { createSession, type GlobalOptions, type Io, type Session } from "../app/session.ts";
import { stderrEvents } from "./progress.ts";

export type { GlobalOptions };

/** Flags every command accepts, with kubectl's names and meanings (docs/cli.md, global flags). */
export const GLOBAL_OPTIONS = {
  kubeconfig: { type: "string", describe: "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)" },
  context: { type: "string", describe: "The kubeconfig context to use" },
  namespace: { alias: "n", type: "string", describe: "Namespace (default: the context's namespace, else default)" },
  "all-namespaces": { alias: "A", type: "boolean", default: false, describe: "Across all namespaces" },
  "request-timeout": { type: "string", default: "30s", describe: "Time to wait for one API request (0 = no timeout), e.g. 10s, 1m" },
  output: { alias: "o", type: "string", choices: OUTPUT_FORMATS, default: "table", describe: "Output format" },
  "history-dir": { type: "string", describe: "The history folder, inside a git repository (default: $AIOPS_HISTORY_DIR, then history/ at the repository root)" },
  color: { type: "boolean", default: true, describe: "Color in table output (--no-color to disable)" },
  debug: { type: "boolean", default: false, describe: "Print stack traces and request details" },
} as const;

const globalSchema = z.object({
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a valid namespace name (lowercase letters, digits and '-')").optional(),
  allNamespaces: z.boolean(),
  requestTimeout: z.string(),
  output: z.enum(OUTPUT_FORMATS),
  historyDir: z.string().min(1).optional(),
  color: z.boolean(),
  debug: z.boolean(),
});

/** Validates the global flags yargs parsed; a bad value is a usage error that names the flag. */
export function parseGlobalOptions(argv: Record<string, unknown>): GlobalOptions {
  const result = globalSchema.safeParse(argv);
  if (!result.success) {
    const issue = result.error.issues[0];
    const flag = String(issue?.path[0] ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new UsageError(`invalid --${flag}: ${issue?.message ?? "invalid value"}`, "see kubectl aiops --help");
  }
  const requestTimeoutMs = parseRequestTimeout(result.data.requestTimeout);
  if (requestTimeoutMs === undefined) throw new UsageError(`invalid --request-timeout "${result.data.requestTimeout}"`, "use a duration such as 0, 30s, 1m or 1h30m (0 = no timeout)");
  const { requestTimeout: _ignored, ...rest } = result.data;
  return { ...rest, requestTimeoutMs };
}

/**
 * What every command handler does first: validate the global flags and build the session of this
 * invocation from them. Its events go to stderr as progress lines (progress.ts).
 */
export function openSession(argv: Record<string, unknown>, io: Io): Session {
  const globals = parseGlobalOptions(argv);
  return createSession(io, globals, { events: stderrEvents(io, globals.output) });
}
