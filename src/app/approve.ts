/**
 * `approve RECORD` and `reject RECORD --reason`: who the API server says we are, the policy, the
 * record as it is now, the gate, one appended commit. Deciders serialize on a decision lock and
 * re-read the record under it, so two approvers deciding at the same moment both count and the
 * second one sees the first's approval when it judges the status.
 */
import path from "node:path";
import type { Session } from "./session.ts";
import { PolicyError, UsageError } from "../errors.ts";
import type { Identity } from "../kube/identity.ts";
import { decide as judge, type GateDecision } from "../gate/gate.ts";
import type { DecisionOutcome } from "../gate/outcome.ts";
import { openGit } from "../records/git.ts";
import { resolveHistory, type History, type HistoryLocation } from "../records/history.ts";
import { withLock } from "../records/lock.ts";
import { resolveRecord } from "../records/resolve-record.ts";
import { appendToRecord, readLocation, type StoreDeps } from "../records/store.ts";
import { loadPolicy } from "./load-policy.ts";

/** Runs the colleague's apply use-case on a record whose rule is met (`approve --apply`). */
export type ApplyHook = (recordId: string) => Promise<void>;

/** What a decision needs from the outside world; tests pass a fixed identity and clock. */
export interface DecisionDeps {
  now(): Date;
  /** The authenticated identity (SelfSubjectReview). */
  identify(): Promise<Identity>;
  warn(message: string): void;
  /** Store knobs for tests: lock timeout, id generator. */
  store?: Pick<StoreDeps, "lockTimeoutMs" | "newId" | "git">;
}

export interface DecisionRequest {
  /** RECORD: id, unique id prefix, or path inside the history directory. */
  record: string;
  decision: GateDecision;
  comment?: string | undefined;
  apply?: boolean | undefined;
}

export type { DecisionOutcome } from "../gate/outcome.ts";

export function decisionLockOf(history: History): string {
  return path.join(history.gitDir, "aiops-decisions.lock");
}

export function storeDepsOf(deps: DecisionDeps): StoreDeps {
  return { now: () => deps.now(), warn: (m) => deps.warn(m), ...deps.store };
}

/** The git identity recorded beside the cluster identity; the commit author carries it anyway. */
export async function gitIdentityOf(history: History, deps: DecisionDeps): Promise<string | undefined> {
  const ident = await (deps.store?.git ?? openGit)(history.repoRoot).raw(["var", "GIT_AUTHOR_IDENT"]).catch(() => "");
  return /^(.*?<[^>]*>)\s+\d+\s+[+-]\d{4}\s*$/.exec(ident.trim())?.[1];
}

export async function decideRecord(location: HistoryLocation, request: DecisionRequest, deps: DecisionDeps, applyHook?: ApplyHook): Promise<DecisionOutcome> {
  if (request.decision === "reject" && (request.comment ?? "").trim() === "") throw new UsageError("reject needs --reason TEXT", "say why, e.g. kubectl aiops reject RECORD --reason 'wrong namespace'");
  if (request.apply === true && (request.decision !== "approve" || applyHook === undefined)) {
    throw new UsageError("--apply is not available here", "approve first, then run kubectl aiops apply RECORD");
  }
  const history = resolveHistory(location);
  const { policy } = loadPolicy(location);
  const target = await resolveRecord(history, request.record, location.cwd);
  // Network and git before the lock: the lock is held only for read, decide, append.
  const [identity, gitIdentity] = await Promise.all([deps.identify(), gitIdentityOf(history, deps)]);
  const store = storeDepsOf(deps);
  const outcome = await withLock(
    decisionLockOf(history),
    async (): Promise<DecisionOutcome> => {
      const current = (await readLocation(target)).frontMatter;
      const base = { apiVersion: "aiops.dev/v1" as const, kind: "Decision" as const, record: current.id, stage: current.stage, path: target.absolute, decision: request.decision, applied: false };
      const result = judge({ record: current, decision: request.decision, identity, gitIdentity, comment: request.comment, now: deps.now(), policy });
      if (result.kind === "note") return { ...base, status: current.status, note: result.message };
      if (result.kind === "refused") {
        if (result.expire !== undefined) {
          const written = await appendToRecord(history, current.id, result.expire, store);
          deps.warn(`recorded ${current.id} as expired (commit ${written.commit.slice(0, 12)})`);
        }
        throw new PolicyError(result.reason, { hint: result.hint });
      }
      const written = await appendToRecord(history, current.id, { status: result.status, approvals: [result.approval], events: [result.event], bodyAppend: result.bodyAppend }, store);
      const out: DecisionOutcome = { ...base, status: written.frontMatter.status, recorded: result.approval, role: result.role, commit: written.commit };
      if (result.missing !== undefined) out.missing = result.missing;
      return out;
    },
    deps.store?.lockTimeoutMs === undefined ? {} : { timeoutMs: deps.store.lockTimeoutMs },
  );
  if (request.apply === true && applyHook !== undefined) {
    // Trivial records need no approval: apply takes them as they are.
    if (outcome.status === "approved" || outcome.note !== undefined) {
      await applyHook(outcome.record);
      outcome.applied = true;
    } else deps.warn(`not applied: ${outcome.record} is ${outcome.status}${outcome.missing === undefined ? "" : `; ${outcome.missing}`}`);
  }
  return outcome;
}

/** Connects with the global flags; identity is asked once, lazily. */
export async function createDecisionDeps(session: Session): Promise<DecisionDeps> {
  const { io } = session;
  // connect now: a bad kubeconfig is refused before anything is read or written
  await session.kube();
  return {
    now: () => io.now(),
    warn: (message) => session.warn(message),
    identify: () => session.identity(),
  };
}

/**
 * `approve`/`reject`; with `apply`, an approval that meets the tier's rule is applied at once
 * through the apply use case, with the same session.
 */
export async function decide(session: Session, request: DecisionRequest): Promise<DecisionOutcome> {
  const applyHook = request.decision === "approve" && request.apply === true ? await (await import("./apply.ts")).loadApplyHook(session) : undefined;
  const deps = await createDecisionDeps(session);
  return decideRecord(session.historyLocation, request, deps, applyHook);
}
