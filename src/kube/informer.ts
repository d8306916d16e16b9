/**
 * List-then-watch of one collection into the cache, for as long as `signal` runs: resumes from
 * the last resourceVersion after the server closes a stream or goes away (backoff with jitter),
 * relists on 410 Gone, and gives up only on 401/403, which retrying cannot heal.
 */
import type { KubeClient } from "./client.ts";
import type { KubeObject } from "../model/k8s.ts";
import { classifyWatchEnd, fatalWatchError, watchOnce, type WatchEnd } from "./watch.ts";
import { AiopsError, ForbiddenError, UnauthorizedError } from "../errors.ts";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
import type { ObjectCache } from "./cache.ts";

export interface Collection {
  kind: string;
  /** The collection's path (namespaced or cluster-wide). */
  path: string;
  /** "pods", "deployments.apps": for RBAC errors. */
  resource: string;
  namespace?: string;
}

export interface InformerDeps {
  client: KubeClient;
  cache: ObjectCache;
  signal: AbortSignal;
  onChange(namespaces: Iterable<string>): void;
  onSynced(kind: string): void;
  log(message: string): void;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Server-side timeout of one watch request. */
  timeoutSeconds?: number;
  backoff?: BackoffOptions;
  /** Give up on the first failed list (`--once`: one pass, no waiting for a server to return). */
  failFast?: boolean;
}

/** A connection that lasted this long counts as healthy: the next failure starts the backoff afresh. */
const HEALTHY_MS = 30_000;

export async function runInformer(c: Collection, deps: InformerDeps): Promise<void> {
  let resourceVersion = "";
  let needList = true;
  let attempt = 0;
  let down = false;
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  while (!deps.signal.aborted) {
    if (needList) {
      try {
        const listed = await deps.client.listWithVersion<KubeObject>(c.path, { verb: "list", resource: c.resource, ...(c.namespace === undefined ? {} : { namespace: c.namespace }) });
        deps.onChange(deps.cache.replace(c.kind, listed.items));
        resourceVersion = listed.resourceVersion;
        needList = false;
        attempt = 0;
        deps.onSynced(c.kind);
        if (down) deps.log(`${c.resource}: relisted (${listed.items.length} objects), watching again`);
        down = false;
      } catch (error) {
        if (error instanceof ForbiddenError || error instanceof UnauthorizedError || !(error instanceof AiopsError) || deps.failFast === true) throw error;
        if (!down) deps.log(`${c.resource}: list failed (${error.message}); retrying with backoff`);
        down = true;
        await deps.sleep(backoffDelay(attempt++, backoff), deps.signal);
        continue;
      }
    }
    const started = Date.now();
    const end: WatchEnd = await watchOnce(deps.client, c.path, {
      resourceVersion,
      timeoutSeconds: deps.timeoutSeconds ?? 300,
      signal: deps.signal,
      onEvent: (event) => {
        const version = event.object.metadata?.resourceVersion;
        if (version !== undefined && version !== "") resourceVersion = version;
        if (down) {
          deps.log(`${c.resource}: watching again from resourceVersion ${resourceVersion}`);
          down = false;
        }
        const namespace = deps.cache.apply(c.kind, event);
        if (namespace !== undefined) deps.onChange([namespace]);
      },
    });
    if (deps.signal.aborted) return;
    const decision = classifyWatchEnd(end);
    if (decision === "fatal") throw fatalWatchError(end, c.resource, c.namespace);
    if (decision === "relist") {
      deps.log(`${c.resource}: resourceVersion ${resourceVersion} is gone (410); relisting`);
      needList = true;
      continue;
    }
    if (end.kind === "closed") {
      attempt = 0;
      continue;
    }
    if (Date.now() - started > HEALTHY_MS) attempt = 0;
    if (!down) deps.log(`${c.resource}: watch interrupted (${end.kind === "network" ? end.error.message : `HTTP ${end.code}`}); reconnecting with backoff`);
    down = true;
    await deps.sleep(backoffDelay(attempt++, backoff), deps.signal);
  }
}
