// Layering: reading `.aiops.yaml` is I/O and needs records/history.ts to find the repository, so
// it lives here in the I/O shell (moved from policy/policy-file.ts, which keeps the pure parsing
// and validation and so no longer imports records/).
import { existsSync, readFileSync, statSync } from "node:fs";
import { POLICY_LIMITS, sizeError } from "../util/bounded-parse.ts";
import path from "node:path";
import { defaultPolicy, parsePolicy, POLICY_FILE, type Policy } from "../policy/policy-file.ts";
import { resolveHistory, type HistoryLocation } from "../records/history.ts";

export interface LoadedPolicy {
  policy: Policy;
  /** Absolute path of the file read; undefined when there is none (defaults apply). */
  file: string | undefined;
}

/** Reads `.aiops.yaml` at the root of the git repository that holds the history. */
export function loadPolicy(location: HistoryLocation): LoadedPolicy {
  const history = resolveHistory(location);
  const file = path.join(history.repoRoot, POLICY_FILE);
  if (!existsSync(file)) return { policy: defaultPolicy(), file: undefined };
  const { size } = statSync(file);
  if (size > POLICY_LIMITS.maxBytes) throw sizeError(file, size, POLICY_LIMITS);
  return { policy: parsePolicy(readFileSync(file, "utf8"), file), file };
}
