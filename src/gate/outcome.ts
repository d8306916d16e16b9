/**
 * What a decision on a record returns (`approve`, `reject`, `policy propose|apply`): plain data,
 * shown as JSON/YAML as it is, or as one sentence by render/decision.ts. The use cases that
 * produce it are app/approve.ts and app/policy-change.ts.
 */
import type { GateDecision, Recorded } from "./gate.ts";

export interface DecisionOutcome {
  apiVersion: "aiops.dev/v1";
  kind: "Decision";
  record: string;
  stage: string;
  path: string;
  decision: GateDecision;
  /** Status after the decision. */
  status: string;
  /** The approval or rejection recorded; absent for a trivial no-op. */
  recorded?: Recorded["approval"];
  role?: Recorded["role"];
  missing?: string;
  note?: string;
  commit?: string;
  applied: boolean;
}

/** A policy change proposed (a stage "policy" record) or applied (.aiops.yaml written and committed). */
export interface PolicyOutcome {
  apiVersion: "aiops.dev/v1";
  kind: "PolicyChange";
  record: string;
  path: string;
  status: string;
  commit: string;
  fields: string[];
}
