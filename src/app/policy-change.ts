/**
 * Changing `.aiops.yaml` is a critical-tier decision (docs/policy.md, changing the policy). `policy propose FILE`
 * writes a stage "policy" record holding the diff and the new content; approvals go through the
 * same gate as any proposal, judged by the policy in force (a new file cannot grant itself
 * approvers); `policy apply RECORD` writes and commits the file only once the record is approved,
 * and only over the exact content the proposal was diffed against.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import type { Session } from "./session.ts";
import { InputError, PolicyError, UsageError } from "../errors.ts";
import { canonicalJson, sha256Hex } from "../records/hash.ts";
import { diffLines } from "../policy/diff-lines.ts";
import { expireIfDue, roleOf } from "../gate/gate.ts";
import type { PolicyOutcome } from "../gate/outcome.ts";
import { parsePolicy, POLICY_FILE, windowSecondsOf, type Policy } from "../policy/policy-file.ts";
import { renderSections } from "../records/record-file.ts";
import { openGit } from "../records/git.ts";
import { commitSigning } from "../records/ssh-sign.ts";
import { resolveHistory, type HistoryLocation } from "../records/history.ts";
import { withLock } from "../records/lock.ts";
import { resolveRecord } from "../records/resolve-record.ts";
import { appendToRecord, readLocation, utcSeconds, writeRecord, type NewRecord } from "../records/store.ts";
import { createDecisionDeps, decisionLockOf, gitIdentityOf, storeDepsOf, type DecisionDeps } from "./approve.ts";
import { loadPolicy } from "./load-policy.ts";

export interface PolicyChangeFacts {
  before: string;
  after: string;
  /** Where the new content was read from, for the record. */
  source: string;
  user: string;
  now: Date;
  /** The policy in force: it sets the critical window. */
  policy: Policy;
  command: string;
}

/** The names of the top-level fields whose value differs. */
export function changedFields(before: string, after: string): string[] {
  const a = (parse(before) ?? {}) as Record<string, unknown>;
  const b = (parse(after) ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k])).sort();
}

/** The policy-change record (pure). `action.rollback` holds the old content: apply refuses any other. */
export function policyChangeRecord(f: PolicyChangeFacts): NewRecord {
  const fields = changedFields(f.before, f.after);
  const seconds = windowSecondsOf(f.policy, "critical") ?? 0;
  const diff = diffLines(f.before, f.after);
  return {
    title: `Policy change: ${POLICY_FILE} (${fields.length === 0 ? "formatting" : fields.join(", ")})`,
    stage: "policy",
    command: f.command,
    user: { cluster: f.user },
    target: { kind: "PolicyFile", name: POLICY_FILE },
    tier: "critical",
    action: { type: "policy", patch: f.after, rollback: f.before },
    window: { opened: utcSeconds(f.now), expires: utcSeconds(new Date(f.now.getTime() + seconds * 1000)) },
    body: renderSections({
      Prompt: `\`\`\`\n${f.command}\n\`\`\``,
      "Response snapshot": `Replace ${POLICY_FILE} with ${f.source}; fields changed: ${fields.length === 0 ? "none (formatting only)" : fields.join(", ")}.\n\nCritical tier: 2 distinct approvers, neither the proposer, at least one a security reviewer, as the policy in force names them.\n\n\`\`\`diff\n${diff}\n\`\`\``,
      Evidence: `- ${POLICY_FILE} in force: sha256 ${sha256Hex(f.before)}${f.before === "" ? " (absent: defaults)" : ""}\n- proposed: sha256 ${sha256Hex(f.after)}`,
      "Rollback procedure": `Propose the previous content back (its text is \`action.rollback\`):\n\n\`\`\`sh\ngit show <commit before the change>:${POLICY_FILE} > /tmp/aiops-policy.yaml\nkubectl aiops policy propose /tmp/aiops-policy.yaml\n\`\`\``,
    }),
  };
}

export type { PolicyOutcome } from "../gate/outcome.ts";

function policyPathOf(location: HistoryLocation): string {
  return path.join(resolveHistory(location).repoRoot, POLICY_FILE);
}

function readOrEmpty(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

export async function proposePolicyChange(location: HistoryLocation, request: { file: string; command: string }, deps: DecisionDeps): Promise<PolicyOutcome> {
  const history = resolveHistory(location);
  const { policy } = loadPolicy(location);
  const source = path.resolve(location.cwd, request.file);
  if (!existsSync(source)) throw new InputError(`no file ${source}`, { hint: "give the path of the new policy file" });
  const after = readFileSync(source, "utf8");
  parsePolicy(after, source); // an invalid file is refused here, not after two approvals
  const before = readOrEmpty(policyPathOf(location));
  if (before === after) throw new UsageError(`${source} is the same as the ${POLICY_FILE} in force: nothing to propose`);
  const identity = await deps.identify();
  if (identity.username === "unknown") throw new PolicyError("the API server did not say who you are", { hint: "check your credentials with: kubectl auth whoami" });
  const written = await writeRecord(history, policyChangeRecord({ before, after, source, user: identity.username, now: deps.now(), policy, command: request.command }), storeDepsOf(deps));
  return { apiVersion: "aiops.dev/v1", kind: "PolicyChange", record: written.frontMatter.id, path: written.location.absolute, status: written.frontMatter.status, commit: written.commit, fields: changedFields(before, after) };
}

export async function applyPolicyChange(location: HistoryLocation, request: { record: string }, deps: DecisionDeps): Promise<PolicyOutcome> {
  const history = resolveHistory(location);
  const { policy } = loadPolicy(location);
  const target = await resolveRecord(history, request.record, location.cwd);
  if (target.stage !== "policy") throw new UsageError(`${target.id} is a ${target.stage} record, not a policy change`, `apply proposals with kubectl aiops apply ${target.id}`);
  const [identity, gitIdentity] = await Promise.all([deps.identify(), gitIdentityOf(history, deps)]);
  const store = storeDepsOf(deps);
  const file = policyPathOf(location);
  return withLock(decisionLockOf(history), async () => {
    const fm = (await readLocation(target)).frontMatter;
    const expire = expireIfDue(fm, deps.now());
    if (expire !== undefined) {
      await appendToRecord(history, fm.id, expire, store);
      throw new PolicyError(`policy change ${fm.id} expired at ${fm.window?.expires ?? "?"} and was not applied`, { hint: "propose it again: kubectl aiops policy propose FILE" });
    }
    if (fm.status !== "approved") throw new PolicyError(`policy change ${fm.id} is ${fm.status}, not approved`, { hint: `kubectl aiops show ${fm.id} lists its approvals; the critical rule needs 2 approvers, one a security reviewer` });
    if (roleOf(identity, policy) === "none" && identity.username !== fm.user.cluster) {
      throw new PolicyError(`user ${identity.username} is neither an approver nor the proposer of ${fm.id}`, { hint: "ask the proposer or an approver to apply it" });
    }
    const after = fm.action?.patch;
    const before = fm.action?.rollback;
    if (typeof after !== "string" || typeof before !== "string") throw new PolicyError(`policy change ${fm.id} holds no file content in action.patch/action.rollback`, { hint: "propose it again with kubectl aiops policy propose FILE" });
    if (readOrEmpty(file) !== before) {
      throw new PolicyError(`${file} changed since ${fm.id} was proposed: the approvals were for a diff against other content`, { hint: "propose the change again against the current file" });
    }
    parsePolicy(after, `${fm.id} action.patch`);
    // Refused before the file is written when signing is required and no key is configured.
    const signing = await commitSigning(history.repoRoot);
    await writeFile(file, after);
    const policyCommit = await (deps.store?.git?.(history.repoRoot) ?? openGit(history.repoRoot, { config: signing })).commitFile(POLICY_FILE, `aiops(policy): apply ${fm.id} ${fm.title}`);
    const at = utcSeconds(deps.now());
    const who = `${identity.username}${gitIdentity === undefined ? "" : ` (git ${gitIdentity})`}`;
    const written = await appendToRecord(history, fm.id, { status: "applied", events: [{ at, type: "applied", detail: `${POLICY_FILE} written by ${who}, commit ${policyCommit}` }], bodyAppend: `## Execution\n\n- ${at} ${POLICY_FILE} written and committed by ${who}: ${policyCommit}\n` }, store);
    return { apiVersion: "aiops.dev/v1", kind: "PolicyChange", record: fm.id, path: target.absolute, status: written.frontMatter.status, commit: policyCommit, fields: changedFields(before, after) };
  });
}

/** `policy propose FILE` or `policy apply RECORD`, as the identity the API server authenticates. */
export type PolicyChangeRequest = { action: "propose"; file: string } | { action: "apply"; record: string };

export async function changePolicy(session: Session, request: PolicyChangeRequest): Promise<PolicyOutcome> {
  const deps = await createDecisionDeps(session);
  const location = session.historyLocation;
  return request.action === "propose" ? proposePolicyChange(location, { file: request.file, command: session.command }, deps) : applyPolicyChange(location, { record: request.record }, deps);
}
