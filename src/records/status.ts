/**
 * Record stages and the status machine of each (docs/records.md, stages and statuses). `audit verify` and
 * `appendToRecord` both judge transitions here, so the two can never disagree.
 */

export const STAGES = ["diagnosis", "proposal", "report", "policy"] as const;
export type Stage = (typeof STAGES)[number];

/** Legal moves from each status; a status absent as a key is final. */
const TRANSITIONS: Record<Stage, Record<string, readonly string[]>> = {
  proposal: {
    proposed: ["approved", "rejected", "expired"],
    approved: ["applying", "expired"],
    applying: ["verified", "rolled-back", "failed"],
    // A later rollback record supersedes a verified change.
    verified: ["reverted"],
    rejected: [],
    expired: [],
    "rolled-back": [],
    failed: [],
    reverted: [],
  },
  diagnosis: { recorded: ["resolved"], resolved: [] },
  report: { recorded: [] },
  policy: {
    proposed: ["approved", "rejected", "expired"],
    approved: ["applied", "expired"],
    rejected: [],
    expired: [],
    applied: [],
  },
};

export const INITIAL_STATUS: Record<Stage, string> = { proposal: "proposed", diagnosis: "recorded", report: "recorded", policy: "proposed" };

/** Statuses a record can only reach once its tier's approval rule was met. */
const APPROVED_STATUSES: Record<Stage, ReadonlySet<string>> = {
  proposal: new Set(["approved", "applying", "verified", "rolled-back", "failed", "reverted"]),
  policy: new Set(["approved", "applied"]),
  diagnosis: new Set(),
  report: new Set(),
};

export function statusesOf(stage: Stage): string[] {
  return Object.keys(TRANSITIONS[stage]);
}

export function isKnownStatus(stage: Stage, status: string): boolean {
  return Object.hasOwn(TRANSITIONS[stage], status);
}

/** Staying in the same status is legal: approvals and events are appended without a move. */
export function isLegalTransition(stage: Stage, from: string, to: string): boolean {
  if (from === to) return isKnownStatus(stage, from);
  return TRANSITIONS[stage][from]?.includes(to) ?? false;
}

export function nextStatuses(stage: Stage, from: string): readonly string[] {
  return TRANSITIONS[stage][from] ?? [];
}

export function requiresApproval(stage: Stage, status: string): boolean {
  return APPROVED_STATUSES[stage].has(status);
}

/** Statuses in which a proposal's decision window still runs. */
export function isWindowOpen(stage: Stage, status: string): boolean {
  return (stage === "proposal" || stage === "policy") && (status === "proposed" || status === "approved");
}
