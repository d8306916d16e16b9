import http from "node:http";
import https from "node:https";
import { existsSync, readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { AiopsError, ForbiddenError, NotFoundError, UnauthorizedError, UnreachableError } from "../errors.ts";
import { kubeconfigPaths, loadKubeconfigFiles, resolveContext, toKubeconfigDocument, type ResolvedContext } from "./kubeconfig.ts";

const IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";
const IN_CLUSTER_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  /** 0 = no timeout, as in kubectl. */
  requestTimeoutMs: number;
  env: NodeJS.ProcessEnv;
  /** Root under which /var/run/secrets/kubernetes.io/serviceaccount is found (tests); default "/". */
  serviceAccountPrefix?: string;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** For error messages: the RBAC verb and resource this request needs. */
  verb: string;
  resource: string;
  namespace?: string;
  /** Return the body as text (logs). */
  text?: boolean;
}

/** Counts the requests made, for benchmarks and tests (the request count must not grow with pods). */
export interface RequestStats {
  requests: number;
}

/**
 * The one place that talks HTTP to the API server. Authentication (client certs, tokens, exec
 * plugins, in-cluster) comes from client-node's KubeConfig; requests are plain HTTPS so lists
 * arrive as JSON without a deserialize/serialize round trip, and every failure is mapped here to
 * a typed error that names the URL, or the verb, resource and namespace that are missing.
 */
export class KubeClient {
  readonly context: ResolvedContext;
  readonly stats: RequestStats = { requests: 0 };
  private readonly kc: KubeConfig;
  private readonly timeoutMs: number;
  private readonly keepAliveAgents = new WeakMap<https.Agent, https.Agent>();

  private constructor(kc: KubeConfig, context: ResolvedContext, timeoutMs: number) {
    this.kc = kc;
    this.context = context;
    this.timeoutMs = timeoutMs;
  }

  static connect(options: ConnectOptions): KubeClient {
    const paths = kubeconfigPaths(options.kubeconfig, options.env);
    const merged = loadKubeconfigFiles(paths, options.kubeconfig !== undefined);
    const kc = new KubeConfig();
    if (merged === undefined) {
      const prefix = options.serviceAccountPrefix ?? "";
      if (options.env["KUBERNETES_SERVICE_HOST"] !== undefined && existsSync(prefix + IN_CLUSTER_TOKEN)) {
        // client-node reads the host and port from process.env; the caller's env is the truth.
        const saved = { host: process.env["KUBERNETES_SERVICE_HOST"], port: process.env["KUBERNETES_SERVICE_PORT"] };
        process.env["KUBERNETES_SERVICE_HOST"] = options.env["KUBERNETES_SERVICE_HOST"];
        process.env["KUBERNETES_SERVICE_PORT"] = options.env["KUBERNETES_SERVICE_PORT"] ?? "443";
        try {
          kc.loadFromCluster(prefix);
        } finally {
          restoreEnv("KUBERNETES_SERVICE_HOST", saved.host);
          restoreEnv("KUBERNETES_SERVICE_PORT", saved.port);
        }
        const cluster = kc.getCurrentCluster();
        const namespace = existsSync(prefix + IN_CLUSTER_NAMESPACE) ? readFileSync(prefix + IN_CLUSTER_NAMESPACE, "utf8").trim() : "default";
        const context: ResolvedContext = { context: "in-cluster", cluster: cluster?.name ?? "in-cluster", user: "serviceaccount", server: cluster?.server ?? "", namespace };
        return new KubeClient(kc, context, options.requestTimeoutMs);
      }
      throw new AiopsError(`no kubeconfig found (looked at ${paths.join(", ")})`, {
        hint: "pass --kubeconfig FILE, set KUBECONFIG, or run inside a cluster; for offline diagnosis use diagnose -f FILE",
      });
    }
    const context = resolveContext(merged, options.context);
    try {
      // JSON is YAML to client-node's parser, and much cheaper to write and read than YAML.
      kc.loadFromString(JSON.stringify(toKubeconfigDocument(merged, context.context)));
    } catch (error) {
      throw new AiopsError(`kubeconfig ${merged.sources.join(", ")} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, {
        hint: "check the clusters, users and contexts of the file with kubectl config view",
      });
    }
    return new KubeClient(kc, context, options.requestTimeoutMs);
  }

  /** Adds TLS material and credentials (tokens, client certs, exec plugins) to request options. */
  async applyAuth(options: https.RequestOptions): Promise<void> {
    try {
      await this.kc.applyToHTTPSOptions(options);
    } catch (error) {
      throw new UnauthorizedError(`could not get credentials for context "${this.context.context}": ${error instanceof Error ? error.message : String(error)}`, {
        hint: "check the user's exec plugin or token in the kubeconfig (kubectl config view --minify)",
        cause: error,
      });
    }
  }

  /** Sends one request; returns parsed JSON (or text). */
  async request<T = unknown>(path: string, options: RequestOptions): Promise<T> {
    const url = new URL(this.context.server.replace(/\/$/, "") + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const requestOptions: https.RequestOptions = { method: options.method ?? "GET", headers: { Accept: options.text === true ? "*/*" : "application/json" } };
    await this.applyAuth(requestOptions);
    requestOptions.agent = this.keepAliveTwin(requestOptions.agent);
    const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (body !== undefined) {
      requestOptions.headers = { ...requestOptions.headers, "Content-Type": options.contentType ?? "application/json", "Content-Length": Buffer.byteLength(body) };
    }
    this.stats.requests += 1;
    const response = await this.send(url, requestOptions, body);
    if (response.status >= 200 && response.status < 300) {
      return (options.text === true ? response.body : JSON.parse(response.body)) as T;
    }
    throw this.mapStatus(response.status, response.body, url, options);
  }

  /**
   * client-node hands every request the same https.Agent per cluster and user, made without
   * keep-alive: each request paid a TCP and TLS handshake (and a SecureContext built from the
   * PEMs), more than a small list costs. Its twin with the same TLS options keeps connections
   * open and bounds them, so a diagnosis' lists and log reads share a few connections. Proxy
   * agents (subclasses: SOCKS, HTTP CONNECT) are used as they are.
   */
  private keepAliveTwin(agent: RequestOptionsAgent): RequestOptionsAgent {
    if (!(agent instanceof https.Agent) || agent.constructor !== https.Agent) return agent;
    let twin = this.keepAliveAgents.get(agent);
    if (twin === undefined) {
      twin = new https.Agent({ ...agent.options, keepAlive: true, maxSockets: MAX_SOCKETS });
      this.keepAliveAgents.set(agent, twin);
    }
    return twin;
  }

  private send(url: URL, options: https.RequestOptions, body: string | undefined): Promise<{ status: number; body: string }> {
    const transport = url.protocol === "http:" ? http : https;
    if (url.protocol === "http:") delete options.agent;
    return new Promise((resolve, reject) => {
      // The whole request, connection and body included, as kubectl's --request-timeout (a
      // socket idle timeout would not cover a TLS handshake that never completes).
      const timer = this.timeoutMs > 0 ? setTimeout(() => request.destroy(new TimeoutError(this.timeoutMs)), this.timeoutMs) : undefined;
      const fail = (error: Error): void => {
        clearTimeout(timer);
        reject(this.unreachable(url, error));
      };
      const request = transport.request(url, options, (response) => {
        // Decoded as it arrives: a 10,000-pod page never exists as chunks, a joined buffer and a
        // string at the same time.
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: text });
        });
        response.on("error", fail);
      });
      request.on("error", fail);
      request.end(body);
    });
  }

  private unreachable(url: URL, error: Error): UnreachableError {
    const code = (error as NodeJS.ErrnoException).code;
    const server = `${url.protocol}//${url.host}`;
    const why =
      error instanceof TimeoutError
        ? `no answer within the request timeout of ${error.ms / 1000}s`
        : code === "ECONNREFUSED"
          ? "connection refused"
          : code === "ENOTFOUND" || code === "EAI_AGAIN"
            ? "host not found"
            : (code ?? error.message);
    return new UnreachableError(`cannot reach the API server at ${server} (context "${this.context.context}"): ${why}`, {
      hint: `check that the cluster is up and reachable (kubectl --context ${this.context.context} cluster-info); raise --request-timeout if it is slow`,
      cause: error,
    });
  }

  private mapStatus(status: number, body: string, url: URL, options: RequestOptions): AiopsError {
    const message = statusMessage(body);
    const where = options.namespace === undefined ? "" : ` in namespace "${options.namespace}"`;
    switch (status) {
      case 401:
        return new UnauthorizedError(`the API server at ${url.host} rejected the credentials of context "${this.context.context}" (401 Unauthorized)`, {
          hint: "your token or certificate expired or is invalid: log in again or refresh the kubeconfig",
          httpStatus: status,
        });
      case 403:
        return new ForbiddenError(options.verb, options.resource, options.namespace, this.userFrom(message), message);
      case 404:
        return new NotFoundError(`${options.resource}${where}: not found${message === undefined ? "" : ` (${message})`}`, {
          hint: `check the name and namespace (kubectl get ${options.resource.split("/")[0]}${options.namespace === undefined ? "" : ` -n ${options.namespace}`})`,
          httpStatus: status,
        });
      default:
        return new AiopsError(`the API server answered ${status} to ${options.verb} ${options.resource}${where}${message === undefined ? "" : `: ${message}`}`, {
          hint: status >= 500 ? "the API server is unhealthy; retry, or check kubectl get --raw /readyz" : "check the request with --debug",
          httpStatus: status,
        });
    }
  }

  private userFrom(message: string | undefined): string | undefined {
    return message === undefined ? undefined : /User "([^"]+)"/.exec(message)?.[1];
  }

  /**
   * Lists a collection with pagination (limit/continue), returning every item and the list's
   * resourceVersion (where a watch resumes). Pages are large so that the request count stays one
   * per resource type up to LIST_PAGE_SIZE objects, while a huge cluster is still read in bounded
   * pieces.
   */
  async listWithVersion<T = Record<string, unknown>>(path: string, options: Omit<RequestOptions, "method"> & { pageSize?: number }): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let token: string | undefined;
    let resourceVersion = "";
    do {
      const page = await this.request<{ items?: T[]; metadata?: { continue?: string; resourceVersion?: string } }>(path, {
        ...options,
        query: { ...options.query, limit: options.pageSize ?? LIST_PAGE_SIZE, continue: token },
      });
      for (const item of page.items ?? []) items.push(item);
      if (resourceVersion === "") resourceVersion = page.metadata?.resourceVersion ?? "";
      token = page.metadata?.continue || undefined;
    } while (token !== undefined);
    return { items, resourceVersion };
  }

  async list<T = Record<string, unknown>>(path: string, options: Omit<RequestOptions, "method"> & { pageSize?: number }): Promise<T[]> {
    return (await this.listWithVersion<T>(path, options)).items;
  }

}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

type RequestOptionsAgent = https.RequestOptions["agent"];

/**
 * Connections per API server. Beyond a handful the server only interleaves the same work (and
 * each new connection costs a handshake); kubectl multiplexes everything on one HTTP/2 connection.
 */
const MAX_SOCKETS = 8;

/** Objects per list page: one request per resource type for clusters up to this size. */
export const LIST_PAGE_SIZE = 10_000;

class TimeoutError extends Error {
  readonly ms: number;
  constructor(ms: number) {
    super(`timeout after ${ms}ms`);
    this.ms = ms;
  }
}

function statusMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === "string" ? parsed.message : undefined;
  } catch {
    return body.trim() === "" ? undefined : body.trim().slice(0, 300);
  }
}

