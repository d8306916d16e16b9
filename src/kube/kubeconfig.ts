import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { AiopsError, UsageError } from "../errors.ts";

/**
 * kubectl's kubeconfig semantics, which @kubernetes/client-node does not follow for several
 * files: with KUBECONFIG=a:b the first file that sets a value wins (current-context, and any
 * cluster, user or context name), and relative paths resolve against the file that names them.
 * Pure apart from reading the files.
 */

interface NamedEntry {
  name: string;
  [key: string]: unknown;
}

export interface MergedKubeconfig {
  clusters: NamedEntry[];
  users: NamedEntry[];
  contexts: NamedEntry[];
  "current-context"?: string;
  /** The files read, in order. */
  sources: string[];
}

const PATH_FIELDS: Record<"cluster" | "user", readonly string[]> = {
  cluster: ["certificate-authority"],
  user: ["client-certificate", "client-key", "tokenFile"],
};

export function kubeconfigPaths(flag: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (flag !== undefined && flag !== "") return [flag];
  const fromEnv = env["KUBECONFIG"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv.split(path.delimiter).filter((p) => p !== "");
  return [path.join(env["HOME"] ?? homedir(), ".kube", "config")];
}

/** Reads and merges kubeconfig files. A `--kubeconfig` file must exist; KUBECONFIG entries may not. */
export function loadKubeconfigFiles(paths: readonly string[], explicit: boolean): MergedKubeconfig | undefined {
  const merged: MergedKubeconfig = { clusters: [], users: [], contexts: [], sources: [] };
  for (const file of paths) {
    if (!existsSync(file)) {
      if (explicit) throw new UsageError(`kubeconfig ${file} does not exist`, "pass an existing file to --kubeconfig");
      continue;
    }
    let doc: Record<string, unknown>;
    try {
      doc = (parse(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new AiopsError(`kubeconfig ${file} is not valid YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`, {
        hint: "fix the file, or point --kubeconfig/KUBECONFIG at another one",
      });
    }
    merged.sources.push(file);
    const dir = path.dirname(path.resolve(file));
    mergeNamed(merged.clusters, doc["clusters"], "cluster", dir);
    mergeNamed(merged.users, doc["users"], "user", dir);
    mergeNamed(merged.contexts, doc["contexts"], "context", dir);
    const current = doc["current-context"];
    if (merged["current-context"] === undefined && typeof current === "string" && current !== "") merged["current-context"] = current;
  }
  return merged.sources.length === 0 ? undefined : merged;
}

function mergeNamed(into: NamedEntry[], entries: unknown, field: "cluster" | "user" | "context", dir: string): void {
  if (!Array.isArray(entries)) return;
  for (const entry of entries as NamedEntry[]) {
    if (typeof entry?.name !== "string" || into.some((e) => e.name === entry.name)) continue;
    const body = { ...((entry[field] ?? {}) as Record<string, unknown>) };
    if (field !== "context") {
      for (const key of PATH_FIELDS[field]) {
        const value = body[key];
        if (typeof value === "string" && value !== "" && !path.isAbsolute(value)) body[key] = path.join(dir, value);
      }
      const exec = body["exec"] as Record<string, unknown> | undefined;
      if (field === "user" && exec !== undefined && typeof exec["command"] === "string" && (exec["command"] as string).includes("/") && !path.isAbsolute(exec["command"] as string)) {
        body["exec"] = { ...exec, command: path.join(dir, exec["command"] as string) };
      }
    }
    into.push({ name: entry.name, [field]: body });
  }
}

/** The merged config as one kubeconfig document, for client-node's `loadFromString`. */
export function toKubeconfigDocument(merged: MergedKubeconfig, context: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: merged.clusters,
    users: merged.users,
    contexts: merged.contexts,
    "current-context": context,
  };
}

export interface ResolvedContext {
  context: string;
  cluster: string;
  user: string;
  server: string;
  namespace: string;
}

/** Picks the context (`--context` or current-context) and checks it is complete. */
export function resolveContext(merged: MergedKubeconfig, contextFlag: string | undefined): ResolvedContext {
  const name = contextFlag ?? merged["current-context"];
  const names = merged.contexts.map((c) => c.name);
  if (name === undefined) {
    throw new AiopsError(`no context is currently set in ${merged.sources.join(", ")}`, {
      hint: names.length === 0 ? "add a context to the kubeconfig" : `use "kubectl config use-context <context>" or pass --context (one of: ${names.join(", ")})`,
    });
  }
  const entry = merged.contexts.find((c) => c.name === name);
  if (entry === undefined) {
    throw new AiopsError(`context "${name}" not found in ${merged.sources.join(", ")}`, {
      exitCode: contextFlag === undefined ? 1 : 2,
      hint: names.length === 0 ? "the kubeconfig has no contexts" : `pick one of: ${names.join(", ")}`,
    });
  }
  const body = entry["context"] as Record<string, unknown>;
  const clusterName = String(body["cluster"] ?? "");
  const cluster = merged.clusters.find((c) => c.name === clusterName);
  if (cluster === undefined) throw new AiopsError(`context "${name}" names cluster "${clusterName}", which is not in the kubeconfig`, { hint: "fix the context with kubectl config set-context" });
  const server = String((cluster["cluster"] as Record<string, unknown>)["server"] ?? "");
  if (server === "") throw new AiopsError(`cluster "${clusterName}" has no server URL`, { hint: "set it with kubectl config set-cluster --server" });
  const namespace = typeof body["namespace"] === "string" && body["namespace"] !== "" ? (body["namespace"] as string) : "default";
  return { context: name, cluster: clusterName, user: String(body["user"] ?? ""), server, namespace };
}
