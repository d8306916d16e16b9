/**
 * What `watch` and `report` read from `.aiops.yaml`: the policy, with its `watch:` section.
 */
import { parsePolicy, type Policy, type WatchPolicy } from "../../policy/policy-file.ts";
import type { HistoryLocation } from "../../records/history.ts";
import { loadPolicy } from "../load-policy.ts";

export type { WatchPolicy, WatchRule } from "../../policy/policy-file.ts";

export interface Settings {
  policy: Policy;
  watch: WatchPolicy;
  /** The file read, or undefined when there is none (defaults). */
  file: string | undefined;
}

/** `.aiops.yaml` at the root of the history's repository; absent = defaults. */
export function loadSettings(location: HistoryLocation): Settings {
  const { policy, file } = loadPolicy(location);
  return { policy, watch: policy.watch, file };
}

export function parseSettings(text: string, file: string): Omit<Settings, "file"> {
  const policy = parsePolicy(text, file);
  return { policy, watch: policy.watch };
}
