/**
 * The session of one invocation: what every use case needs from its surroundings, built once by
 * the shell (the command line today, a web server later) from the global flags. Use cases take a
 * session and a typed request; they never read process globals, and nothing here imports the
 * shell. The Kubernetes client library loads only when a use case first asks for the client.
 */
import type { KubeClient } from "../kube/client.ts";
import type { Identity } from "../kube/identity.ts";
import type { LoadedPolicy } from "./load-policy.ts";
import { NO_EVENTS, type EventSink } from "./events.ts";
import type { HistoryLocation } from "../records/history.ts";
import type { OutputFormat } from "../render/formats.ts";

/** The process's streams and environment, filled by the shell, so use cases run in tests without globals. */
export interface Io {
  /** The arguments after the program name, as typed (recorded in records' `command`). */
  argv: readonly string[];
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdoutIsTTY: boolean;
  /** The terminal's width when stdout is one; tables fit it (or $COLUMNS). */
  stdoutColumns?: number | undefined;
  stderrIsTTY: boolean;
  now(): Date;
}

/** The flags every command accepts, validated (kubectl's names and meanings; see docs/cli.md). */
export interface GlobalOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
  allNamespaces: boolean;
  requestTimeoutMs: number;
  output: OutputFormat;
  historyDir?: string | undefined;
  color: boolean;
  debug: boolean;
}

export interface Session {
  readonly io: Io;
  readonly globals: GlobalOptions;
  /** The invoking command line, as records keep it (`kubectl aiops ...`). */
  readonly command: string;
  /** Where the history is: --history-dir, else $AIOPS_HISTORY_DIR, else the working directory's repository. */
  readonly historyLocation: HistoryLocation;
  /** The Kubernetes client of --kubeconfig/--context, connected on first use and shared after. */
  kube(): Promise<KubeClient>;
  /** Who the API server says we are (SelfSubjectReview), asked once, when first needed. */
  identity(): Promise<Identity>;
  /**
   * The policy (`.aiops.yaml` at the history repository's root, or the defaults), read once.
   * A decision re-reads it under the history's lock instead (another writer may have changed it).
   */
  policy(): Promise<LoadedPolicy>;
  /** The same session with another namespace (a use case acting on a workload's namespace). */
  inNamespace(namespace: string): Session;
  /** Progress and warnings for a human (stderr on the command line). */
  warn(message: string): void;
  /** Where long-running use cases send their typed events (app/events.ts); by default nobody listens. */
  readonly events: EventSink;
}

/** What the sessions of one invocation share (inNamespace keeps both). */
export interface SessionShared {
  /** The Kubernetes client, once connected (or given, in tests). */
  client?: Promise<KubeClient>;
  /** The authenticated identity, once asked (or given, in tests). */
  identity?: Promise<Identity>;
  /** The policy, once read. */
  policy?: Promise<LoadedPolicy>;
  /** The sink of the use cases' events; the command line prints apply progress from them. */
  events?: EventSink;
}

export function createSession(io: Io, globals: GlobalOptions, shared: SessionShared = {}): Session {
  const session: Session = {
    io,
    globals,
    command: ["kubectl aiops", ...io.argv].join(" "),
    historyLocation: { historyDir: globals.historyDir, cwd: io.cwd, env: io.env },
    kube: () =>
      (shared.client ??= import("../kube/client.ts").then(({ KubeClient }) =>
        KubeClient.connect({ kubeconfig: globals.kubeconfig, context: globals.context, requestTimeoutMs: globals.requestTimeoutMs, env: io.env }),
      )),
    policy: () => (shared.policy ??= import("./load-policy.ts").then(({ loadPolicy }) => loadPolicy(session.historyLocation))),
    identity: () => (shared.identity ??= Promise.all([session.kube(), import("../kube/identity.ts")]).then(([client, { whoAmI }]) => whoAmI(client))),
    inNamespace: (namespace) => createSession(io, { ...globals, namespace, allNamespaces: false }, shared),
    warn: (message) => void io.stderr.write(`${message}\n`),
    events: shared.events ?? NO_EVENTS,
  };
  return session;
}
