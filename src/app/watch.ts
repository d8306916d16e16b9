/**
 * The watch use-case (docs/cli.md, report and watch): keep an in-memory copy of pods, their workloads,
 * events and nodes through the Watch API; on every change, judge the changed namespaces with the
 * diagnosis engine (no API call per event); record ONE diagnosis per incident with its MTTD;
 * evaluate the policy's PromQL rules; hold one lock per history repository; stop cleanly on
 * SIGINT/SIGTERM (the CLI aborts `deps.signal`), after `--duration`, or after one pass (`--once`).
 *
 * Among replicas (`--leader-elect`, the Deployment of deploy/) only the holder of a Lease watches
 * (watch/leader.ts); on taking over it first pulls the history, so the incidents the previous
 * leader recorded and pushed are adopted, and failures that began while nobody watched are
 * recorded. With `--push` every record commit is pushed to the branch's upstream.
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
import type { Leadership } from "./watch/leader.ts";
import type { LeaseTiming } from "./watch/lease-decision.ts";
import type { Upstream } from "../records/remote.ts";
import { AiopsError, UsageError } from "../errors.ts";

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
  /** Watch only while holding this Lease (one active replica). */
  leaderElect?: { name: string; namespace?: string | undefined; identity: string } | undefined;
  /** Push every record commit to the history branch's upstream. */
  push?: boolean;
}

export interface WatchDeps {
  signal: AbortSignal;
  applyTrivial?: TrivialApplier;
  /** How often changed namespaces are judged (default 500 ms). */
  tickMs?: number;
  /** Every namespace is judged again this often, events or not (default 5 min). */
  resyncMs?: number;
  watchTimeoutSeconds?: number;
  /** Leader election's clock (default Date.now) and timing (tests). */
  clock?: () => number;
  leaseTiming?: LeaseTiming;
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

/** What a leader shares with the others: its lease, and the history's upstream it pushes to. */
interface Sharing {
  leadership?: Leadership | undefined;
  upstream?: Upstream | undefined;
  leaseDurationMs: number;
}

export async function runWatch(session: Session, args: WatchArgs, deps: WatchDeps): Promise<WatchSummary> {
  const { resolveHistory } = await import("../records/history.ts");
  const { loadSettings } = await import("./watch/settings.ts");
  const { withWatchLock } = await import("./watch/instance-lock.ts");
  const { DEFAULT_LEASE_TIMING } = await import("./watch/lease-decision.ts");
  const log = logOf(session);
  const location = session.historyLocation;
  const history = resolveHistory(location);
  const sharing: Sharing = { leaseDurationMs: (deps.leaseTiming ?? DEFAULT_LEASE_TIMING).durationMs };
  if (args.push === true || args.leaderElect !== undefined) {
    const { upstreamOf } = await import("../records/remote.ts");
    sharing.upstream = await upstreamOf(history);
    if (sharing.upstream === undefined && args.push === true) {
      throw new UsageError(`--push: the history's branch in ${history.repoRoot} has no upstream to push to`, "clone the history repository (git clone sets the upstream), or set one: git branch --set-upstream-to=origin/main");
    }
  }
  if (args.leaderElect !== undefined) {
    const election = args.leaderElect;
    const client = await session.kube();
    const { leaseApi } = await import("../kube/lease.ts");
    const { acquireLeadership } = await import("./watch/leader.ts");
    const api = leaseApi(client, election.namespace ?? client.context.namespace, election.name);
    sharing.leadership = await acquireLeadership({ api, identity: election.identity, now: deps.clock ?? Date.now, sleep, log, ...(deps.leaseTiming === undefined ? {} : { timing: deps.leaseTiming }) }, deps.signal);
    // stopped while standing by
    if (sharing.leadership === undefined) return { opened: 0, resolved: 0, baseline: 0 };
  }
  try {
    if (sharing.upstream !== undefined) await pullOnStart(history, sharing.upstream, log);
    const settings = loadSettings(location);
    return await withWatchLock(history, () => watchLoop(session, args, deps, history, settings, sharing));
  } finally {
    await sharing.leadership?.release();
  }
}

/** The records other writers (the previous leader) pushed: adopted below, not recorded again. */
async function pullOnStart(history: History, upstream: Upstream, log: (message: string) => void): Promise<void> {
  const { pullRebaseRetrying } = await import("../records/remote.ts");
  const where = `${upstream.remote}/${upstream.branch}`;
  // Watching without what the previous leader recorded could record its incidents twice: the
  // last failure ends the run.
  await pullRebaseRetrying(history, upstream, (error) => log(`warning: pulling the history from ${where}: ${error instanceof Error ? error.message : String(error)}; retrying`));
  log(`pulled the history from ${where}`);
}

function logOf(session: Session): (message: string) => void {
  return (message) => session.warn(`${session.io.now().toISOString()} ${message}`);
}

async function watchLoop(session: Session, args: WatchArgs, deps: WatchDeps, history: History, settings: Settings, sharing: Sharing): Promise<WatchSummary> {
  const { globals, io }: { globals: GlobalOptions; io: Io } = session;
  const log = logOf(session);
  const { leadership, upstream } = sharing;
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
  leadership?.lost.addEventListener("abort", onAbort, { once: true });
  if (leadership?.lost.aborted === true) stop.abort();
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
  // Records to push: retried at the next commit, or after PUSH_RETRY_MS, until the remote takes them.
  let unpushed = 0;
  let pushDueMs = Number.POSITIVE_INFINITY;
  const publish = async (): Promise<void> => {
    if (upstream === undefined || args.push !== true || unpushed === 0 || leadership?.lost.aborted === true) return;
    const { pushRecords } = await import("../records/remote.ts");
    const result = await pushRecords(history, upstream);
    if (result.pushed) {
      unpushed = 0;
      pushDueMs = Number.POSITIVE_INFINITY;
    } else {
      pushDueMs = io.now().getTime() + PUSH_RETRY_MS;
      log(`warning: could not push ${unpushed} record change(s) to ${upstream.remote}/${upstream.branch} (${result.error.message}); kept here, retried in ${PUSH_RETRY_MS / 1000}s or at the next record`);
    }
  };
  const handle = async (actions: IncidentAction<Diagnosis | RuleFiring>[]): Promise<void> => {
    for (const action of actions) {
      // A leader that lost its lease records nothing more: the next one will.
      if (leadership?.lost.aborted === true) return;
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
    await publish();
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
      unpushed += 1;
      const categories = "rule" in payload ? `rule:${payload.rule.name}` : [...new Set(payload.findings.map((f) => f.category))].join(",");
      session.events.emit({ type: "incident-opened", incident: action.incident.key, categories, mttdSeconds: opened.mttdSeconds, record: opened.id, path: opened.path });
    } else {
      await recordResolution(recorder, action.incident, action.atMs);
      summary.resolved += 1;
      unpushed += 1;
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
  const baselineOf = startBaseline(args, leadership, sharing.leaseDurationMs, log);
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
          const actions = book.observe(scope, nowMs, signals, baseline && baselineOf);
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
        if (nowMs >= pushDueMs) await publish();
      }
      await sleep(tickMs, stop.signal);
    }
  } finally {
    stop.abort();
    clearTimeout(timer);
    deps.signal.removeEventListener("abort", onAbort);
    leadership?.lost.removeEventListener("abort", onAbort);
    await Promise.all(informers);
  }
  if (leadership?.lost.aborted === true) {
    throw new AiopsError(`stopped watching: ${String(leadership.lost.reason)}`, { hint: "another replica holds the lease now; this one exits so Kubernetes restarts it as a standby" });
  }
  // What the last attempts could not push: one more try before the lease goes to a standby.
  if (unpushed > 0) await publish();
  if (failure !== undefined) throw failure;
  log(`stopped: ${summary.opened} incident(s) recorded, ${summary.resolved} resolved`);
  return summary;
}

/** How long a push that failed waits for its next try when no new record comes first. */
const PUSH_RETRY_MS = 30_000;

/**
 * Which failures found at start predate this watch (remembered, not recorded): all of them,
 * unless `--record-existing` or `--once`; after taking a lease over from another replica, only
 * those that began before the previous leader's last renewal (less a lease duration, for one
 * it was still settling): what began while nobody watched is recorded.
 */
function startBaseline(args: WatchArgs, leadership: Leadership | undefined, leaseDurationMs: number, log: (message: string) => void): boolean | ((signal: { firstEvidenceMs: number }) => boolean) {
  if (args.recordExisting || args.once) return false;
  const previous = leadership?.previous;
  if (previous?.renewMs === undefined) return true;
  const sinceMs = previous.renewMs - leaseDurationMs;
  log(`took over from ${previous.holder}: failures first seen after ${new Date(sinceMs).toISOString()} are recorded unless the history has them`);
  return (signal) => signal.firstEvidenceMs < sinceMs;
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
