/**
 * List-then-watch for one collection over the API server's watch protocol (newline-delimited
 * JSON events on a long GET). Kept beside client.ts, which owns authentication and error
 * mapping: a list returns its resourceVersion, a watch resumes from it, and how a watch ended is
 * classified by one pure function (classifyWatchEnd) so the informer's reconnect logic is tested
 * without a server.
 */
import http from "node:http";
import https from "node:https";
import { AiopsError, ForbiddenError, UnauthorizedError, UnreachableError } from "../errors.ts";
import type { KubeObject } from "../model/k8s.ts";
import type { KubeClient } from "./client.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

/** How a watch stream ended. */
export type WatchEnd =
  | { kind: "closed" } // the server ended it (timeoutSeconds): resume from the last resourceVersion
  | { kind: "status"; code: number; message?: string } // non-200 answer, or an in-stream ERROR Status
  | { kind: "network"; error: Error }; // connection refused / reset: the API server is away

export type WatchDecision = "resume" | "relist" | "fatal";

/**
 * What to do after a watch ends: 410 Gone (the resourceVersion was compacted away, as an HTTP
 * status or an in-stream ERROR event) needs a fresh list; 401/403 will not heal by retrying;
 * everything else (server timeouts, restarts, 5xx, 429) resumes from the last version seen.
 */
export function classifyWatchEnd(end: WatchEnd): WatchDecision {
  if (end.kind === "status") {
    if (end.code === 410) return "relist";
    if (end.code === 401 || end.code === 403) return "fatal";
  }
  return "resume";
}

export interface WatchOptions {
  resourceVersion: string;
  /** The server closes the stream after this long; the caller resumes. */
  timeoutSeconds: number;
  signal: AbortSignal;
  onEvent: (event: WatchEvent) => void;
}

/** Runs one watch request until the server closes it, it fails, or `signal` aborts it. */
export async function watchOnce(client: KubeClient, path: string, options: WatchOptions): Promise<WatchEnd> {
  const url = new URL(client.context.server.replace(/\/$/, "") + path);
  url.searchParams.set("watch", "1");
  url.searchParams.set("allowWatchBookmarks", "true");
  url.searchParams.set("timeoutSeconds", String(options.timeoutSeconds));
  if (options.resourceVersion !== "") url.searchParams.set("resourceVersion", options.resourceVersion);
  const requestOptions: https.RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
  await client.applyAuth(requestOptions);
  client.stats.requests += 1;
  const transport = url.protocol === "http:" ? http : https;
  if (url.protocol === "http:") delete requestOptions.agent;
  return new Promise<WatchEnd>((resolve) => {
    let settled = false;
    // A server that vanished without closing the connection never ends the stream: give up a
    // little after the server-side timeout would have closed it.
    const stall = setTimeout(() => finish({ kind: "network", error: new Error("watch stream stalled") }), (options.timeoutSeconds + 30) * 1000);
    const finish = (end: WatchEnd): void => {
      if (settled) return;
      settled = true;
      clearTimeout(stall);
      options.signal.removeEventListener("abort", onAbort);
      request.destroy();
      resolve(end);
    };
    const onAbort = (): void => finish({ kind: "closed" });
    const request = transport.request(url, { ...requestOptions, signal: options.signal }, (response) => {
      if (response.statusCode !== 200) {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => finish({ kind: "status", code: response.statusCode ?? 0, ...messageOf(Buffer.concat(chunks).toString("utf8")) }));
        response.on("error", (error) => finish({ kind: "network", error }));
        return;
      }
      let buffer = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf("\n");
        while (newline !== -1) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf("\n");
          if (line === "") continue;
          let event: WatchEvent;
          try {
            event = JSON.parse(line) as WatchEvent;
          } catch {
            continue;
          }
          if (event.type === "ERROR") {
            const status = event.object as unknown as { code?: number; message?: string };
            finish({ kind: "status", code: status.code ?? 500, ...(status.message === undefined ? {} : { message: status.message }) });
            return;
          }
          options.onEvent(event);
        }
      });
      response.on("end", () => finish({ kind: "closed" }));
      response.on("error", (error) => finish({ kind: "network", error }));
    });
    request.on("error", (error) => finish(options.signal.aborted ? { kind: "closed" } : { kind: "network", error }));
    options.signal.addEventListener("abort", onAbort, { once: true });
    request.end();
  });
}

function messageOf(body: string): { message?: string } {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === "string" ? { message: parsed.message } : {};
  } catch {
    return body.trim() === "" ? {} : { message: body.trim().slice(0, 200) };
  }
}

/** The typed error for a watch that will not heal by retrying. */
export function fatalWatchError(end: WatchEnd, resource: string, namespace: string | undefined): AiopsError {
  if (end.kind === "status" && end.code === 403) return new ForbiddenError("watch", resource, namespace, undefined, end.message);
  if (end.kind === "status" && end.code === 401) return new UnauthorizedError(`the API server rejected the credentials (401) watching ${resource}`, { hint: "log in again or refresh the kubeconfig" });
  return new UnreachableError(`watching ${resource} failed: ${end.kind === "network" ? end.error.message : end.kind === "status" ? `${end.code} ${end.message ?? ""}` : "closed"}`);
}
