/**
 * The watch use-case (docs/cli.md, report and watch): keep an in-memory copy of pods, their workloads,
 * events and nodes through the Watch API; on every change, judge the changed namespaces with the
 * diagnosis engine (no API call per event); record ONE diagnosis per incident with its MTTD;
 * evaluate the policy's PromQL rules; hold one lock per history repository; stop cleanly on
 * SIGINT/SIGTERM (the CLI aborts `deps.signal`), after `--duration`, or after one pass (`--once`).
 */
import type { GlobalOptions, Io, Session } from "./session.ts";
import type { Diagnosis } from "../diagnose/types.ts";
import { ObjectCache } from "../kube/cache.ts";
import type { KubeClient } from "../kube/client.ts";
import { runInformer, type Collection } from "../kube/informer.ts";
import { collectionPath, rbacResourceOf, requireKind } from "../kube/kinds.ts";
import type { History } from "../records/history.ts";
import { proposeAndApply, type TrivialApplier } from "./watch/auto-apply.ts";
import { detectFailures } from "./watch/detect.ts";
import { IncidentBook, type IncidentAction } from "./watch/incidents.ts";
import { openWatchIncidents, recordResolution, recordRuleIncident, recordWorkloadIncident, type RecorderContext } from "./watch/recorder.ts";
import { RuleClock, type RuleFiring } from "./watch/alert-rules.ts";
import type { Settings } from "./watch/settings.ts";

export interface WatchArgs {
  /** undefined = all namespaces. */
  namespace?: string | undefined;
  once: boolean;
  durationMs?: number | undefined;
  /** Record failures that exist when watch starts (default: remember them without a record). */
  recordExisting: boolean;
  resolveAfterMs: number;
  prometheus?: string | undefined;
  command: string;
}

export interface WatchDeps {
  signal: AbortSignal;
  applyTrivial?: TrivialApplier;
  /** How often changed namespaces are judged (default 500 ms). */
  tickMs?: number;
  /** Every namespace is judged again this often, events or not (default 5 min). */
  resyncMs?: number;
  watchTimeoutSeconds?: number;
}

export interface WatchSummary {
  opened: number;
  resolved: number;
  baseline: number;
}

/** The kinds watch follows (group, version, plural: src/kube/kinds.ts); nodes are cluster-scoped. */
const WATCHED = ["Pod", "Event", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "Node"].map((kind) => requireKind(kind));

export function collectionsFor(namespace: string | undefined): Collection[] {
  return WATCHED.map((spec) => ({
    kind: spec.kind,
    resource: rbacResourceOf(spec),
    path: collectionPath(spec, namespace),
    ...(spec.namespaced && namespace !== undefined ? { namespace } : {}),
  }));
}

export async function runWatch(session: Session, args: WatchArgs, deps: WatchDeps): Promise<WatchSummary> {
  const { resolveHistory } = await import("../records/history.ts");
  const { loadSettings } = await import("./watch/settings.ts");
  const { withWatchLock } = await import("./watch/instance-lock.ts");
  const location = session.historyLocation;
  const history = resolveHistory(location);
  const settings = loadSettings(location);
  return withWatchLock(history, () => watchLoop(session, args, deps, history, settings));
}

async function watchLoop(session: Session, args: WatchArgs, deps: WatchDeps, history: History, settings: Settings): Promise<WatchSummary> {
  const { globals, io }: { globals: GlobalOptions; io: Io } = session;
  const log = (message: string): void => session.warn(`${io.now().toISOString()} ${message}`);
  const { listRecords } = await import("../records/store.ts");
  const { tierPolicyOf } = await import("../policy/policy-file.ts");
  const client = await session.kube();
  const namespace = globals.allNamespaces ? undefined : (args.namespace ?? globals.namespace ?? client.context.namespace);
  const store = { now: () => io.now(), warn: log };
  const recorder: RecorderContext = {
    history,
    command: args.command,
    cluster: { context: client.context.context, server: client.context.server },
    user: await identity(client, log),
    store,
    autoApplyTrivial: settings.watch.autoApplyTrivial,
    applyTrivial: deps.applyTrivial ?? proposeAndApply(session, args.command, log),
  };
  const book = new IncidentBook({ resolveAfterMs: args.once ? 0 : args.resolveAfterMs });
  for (const open of openWatchIncidents((await listRecords(history, store)).records)) {
    if (namespace === undefined || open.scope === namespace || open.scope === "rules") book.adopt(open);
  }
  const summary: WatchSummary = { opened: 0, resolved: 0, baseline: 0 };
  const cache = new ObjectCache();
  const dirty = new Set<string>();
  const synced = new Set<string>();
  const collections = collectionsFor(namespace);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  deps.signal.addEventListener("abort", onAbort, { once: true });
  const timer = args.durationMs === undefined ? undefined : setTimeout(() => stop.abort(), args.durationMs);
  let failure: unknown;
  const informers = collections.map((c) =>
    runInformer(c, {
      client,
      cache,
      signal: stop.signal,
      onChange: (namespaces) => {
        for (const ns of namespaces) if (ns !== "") dirty.add(ns);
      },
      onSynced: (kind) => synced.add(kind),
      log,
      sleep,
      failFast: args.once,
      ...(deps.watchTimeoutSeconds === undefined ? {} : { timeoutSeconds: deps.watchTimeoutSeconds }),
    }).catch((error: unknown) => {
      failure ??= error;
      stop.abort();
    }),
  );
  log(`watching ${namespace === undefined ? "all namespaces" : `namespace ${namespace}`} on ${client.context.server}; records in ${history.dir}`);

  const tierPolicy = tierPolicyOf(settings.policy);
  const prometheusUrl = args.prometheus ?? settings.policy.prometheus;
  const handle = async (actions: IncidentAction<Diagnosis | RuleFiring>[]): Promise<void> => {
    for (const action of actions) {
      try {
        await handleOne(action);
      } catch (error) {
        // A record that cannot be written (git refused, lock timeout) must not end the watch:
        // an unrecorded incident is forgotten so the next evaluation tries again.
        const what = action.type === "open" ? "record" : "resolve";
        log(`error: could not ${what} incident ${action.incident.key}: ${error instanceof Error ? error.message : String(error)}`);
        if (action.type === "open") book.forget(action.incident.key);
      }
    }
  };
  const handleOne = async (action: IncidentAction<Diagnosis | RuleFiring>): Promise<void> => {
    if (action.type === "open") {
      const detectedMs = io.now().getTime();
      const payload = action.signal.payload;
      const opened =
        "rule" in payload
          ? await recordRuleIncident(recorder, action.incident, payload, detectedMs, prometheusUrl ?? "")
          : await recordWorkloadIncident(recorder, action.incident, payload, detectedMs);
      book.setRecord(action.incident.key, opened.id);
      action.incident.recordId = opened.id;
      summary.opened += 1;
      const categories = "rule" in payload ? `rule:${payload.rule.name}` : [...new Set(payload.findings.map((f) => f.category))].join(",");
      session.events.emit({ type: "incident-opened", incident: action.incident.key, categories, mttdSeconds: opened.mttdSeconds, record: opened.id, path: opened.path });
    } else {
      await recordResolution(recorder, action.incident, action.atMs);
      summary.resolved += 1;
      session.events.emit({ type: "incident-resolved", incident: action.incident.key, record: action.incident.recordId });
    }
  };

  const rules = settings.watch.rules;
  const clock = new RuleClock();
  let rulesDueMs = 0;
  if (rules.length > 0 && prometheusUrl === undefined) log(`warning: ${rules.length} watch rule(s) in the policy but no Prometheus URL (--prometheus or prometheus: in .aiops.yaml); rules are not evaluated`);
  const evaluateRules = async (nowMs: number): Promise<void> => {
    if (rules.length === 0 || prometheusUrl === undefined || nowMs < rulesDueMs) return;
    rulesDueMs = nowMs + settings.watch.ruleInterval * 1000;
    const { PrometheusSource } = await import("../metrics/prometheus.ts");
    const source = new PrometheusSource({ url: prometheusUrl, now: () => io.now() });
    const answers = new Map<string, number[] | undefined>();
    await Promise.all(
      rules.map(async (rule) => {
        try {
          answers.set(rule.name, [...(await source.query(rule.expr, new Date(nowMs))).values()]);
        } catch (error) {
          log(`rule ${rule.name}: ${error instanceof Error ? error.message : String(error)}`);
          answers.set(rule.name, undefined);
        }
      }),
    );
    await handle(book.observe("rules", nowMs, clock.evaluate(rules, answers, nowMs)));
  };

  const tickMs = deps.tickMs ?? 500;
  const resyncMs = deps.resyncMs ?? 5 * 60_000;
  let baselineDone = false;
  let resyncDueMs = 0;
  try {
    while (!stop.signal.aborted) {
      if (synced.size === collections.length) {
        const nowMs = io.now().getTime();
        const scopes = new Set<string>([...dirty, ...book.scopesAwaitingResolution()]);
        dirty.clear();
        const baseline = !baselineDone;
        if (baseline || nowMs >= resyncDueMs) {
          for (const ns of cache.namespacesWithObjects()) scopes.add(ns);
          for (const incident of book.list()) if (incident.scope !== "rules") scopes.add(incident.scope);
          resyncDueMs = nowMs + resyncMs;
        }
        for (const scope of scopes) {
          const signals = detectFailures(cache.snapshotObjects(scope), nowMs, tierPolicy);
          const actions = book.observe(scope, nowMs, signals, baseline && !args.recordExisting && !args.once);
          await handle(actions);
        }
        await evaluateRules(nowMs);
        if (baseline) {
          baselineDone = true;
          summary.baseline = book.list().filter((i) => i.baseline && i.recordId === undefined).length;
          const unrecorded = summary.baseline > 0 ? " (not recorded: they predate this watch; --record-existing records them)" : "";
          log(`synced ${cache.count()} objects; ${args.once ? "judged once" : `${summary.baseline} workload(s) already failing${unrecorded}`}`);
          if (args.once) break;
        }
      }
      await sleep(tickMs, stop.signal);
    }
  } finally {
    stop.abort();
    clearTimeout(timer);
    deps.signal.removeEventListener("abort", onAbort);
    await Promise.all(informers);
  }
  if (failure !== undefined) throw failure;
  log(`stopped: ${summary.opened} incident(s) recorded, ${summary.resolved} resolved`);
  return summary;
}

async function identity(client: KubeClient, log: (m: string) => void): Promise<string> {
  try {
    const { whoAmI } = await import("../kube/identity.ts");
    return (await whoAmI(client)).username;
  } catch (error) {
    log(`warning: could not ask the API server who we are (${error instanceof Error ? error.message : String(error)}); records say "unknown"`);
    return "unknown";
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
