import { CATEGORIES } from "../diagnose/types.ts";
import { DIAGNOSE_WORDS } from "../kube/kinds.ts";
import { OUTPUT_FORMATS } from "../render/formats.ts";
import { GLOBAL_OPTIONS } from "./options.ts";

/**
 * Shell completion through kubectl (kubectl >= 1.26 runs `kubectl_complete-aiops` with the words
 * typed after `kubectl aiops`, the last one partial, and reads one candidate per line and a
 * final `:<directive>` line). Pure: object names come from `listNames` when given.
 */

/** Cobra's ShellCompDirective values. */
export const DIRECTIVE = { default: 0, noSpace: 2, noFileComp: 4 } as const;

export const COMMANDS: Record<string, { flags: readonly string[]; args?: readonly string[] }> = {
  diagnose: { flags: ["--filename", "-f", "--now", "--fail-on-problems", "--log-lines"], args: DIAGNOSE_WORDS },
  runbook: { flags: [], args: [...CATEGORIES] },
  propose: { flags: ["--prometheus", "--window", "--allow-short-history", "--replicas", "--container"], args: ["resources", "scale", "hpa", "restart", "rollback"] },
  list: { flags: ["--stage", "--status"] },
  show: { flags: [] },
  audit: { flags: ["--require-signed", "--allowed-signers"], args: ["verify", "log", "stats"] },
  approve: { flags: ["--comment", "--apply"] },
  reject: { flags: ["--reason"] },
  apply: { flags: ["--verify-window", "--progress-timeout", "--resume", "--shadow"] },
  rollback: { flags: ["--verify-window", "--progress-timeout"] },
  policy: { flags: [], args: ["propose", "apply"] },
  report: { flags: ["--force", "--dry-run", "--prometheus"], args: ["weekly", "daily"] },
  watch: { flags: ["--once", "--duration", "--record-existing", "--resolve-after", "--prometheus", "--leader-elect", "--lease-name", "--lease-namespace", "--push"] },
  version: { flags: [] },
};

const GLOBAL_FLAGS = Object.entries(GLOBAL_OPTIONS).flatMap(([name, spec]) => [`--${name}`, ...("alias" in spec ? [`-${spec.alias}`] : [])]);
const FLAGS_WITH_FILE_VALUE = new Set(["-f", "--filename", "--kubeconfig", "--history-dir"]);

export interface Completion {
  candidates: string[];
  directive: number;
}

export async function complete(words: readonly string[], listNames?: (kind: string) => Promise<string[]>): Promise<Completion> {
  const current = words[words.length - 1] ?? "";
  const before = words.slice(0, -1);
  const previous = before[before.length - 1];
  const filter = (list: readonly string[]): string[] => list.filter((c) => c.startsWith(current));

  if (previous === "-o" || previous === "--output") return { candidates: filter(OUTPUT_FORMATS), directive: DIRECTIVE.noFileComp };
  if (previous !== undefined && FLAGS_WITH_FILE_VALUE.has(previous)) return { candidates: [], directive: DIRECTIVE.default };

  const positionals = before.filter((w, i) => !w.startsWith("-") && !isFlagValue(before, i));
  const command = positionals[0];
  const spec = command === undefined ? undefined : COMMANDS[command];
  if (current.startsWith("-")) return { candidates: filter([...(spec?.flags ?? []), ...GLOBAL_FLAGS]), directive: DIRECTIVE.noFileComp };
  if (command === undefined) return { candidates: filter(Object.keys(COMMANDS)), directive: DIRECTIVE.noFileComp };
  if (spec === undefined) return { candidates: [], directive: DIRECTIVE.noFileComp };
  if (positionals.length === 1) return { candidates: filter(spec.args ?? []), directive: DIRECTIVE.noFileComp };
  if (command === "diagnose" && positionals.length === 2 && listNames !== undefined) {
    const names = await listNames(positionals[1] ?? "").catch(() => []);
    return { candidates: filter(names), directive: DIRECTIVE.noFileComp };
  }
  return { candidates: [], directive: DIRECTIVE.noFileComp };
}

function isFlagValue(words: readonly string[], index: number): boolean {
  const previous = words[index - 1];
  if (previous === undefined || !previous.startsWith("-") || previous.includes("=")) return false;
  const name = previous.replace(/^-+/, "");
  const spec = (GLOBAL_OPTIONS as Record<string, { type: string; alias?: string }>)[name] ?? Object.values(GLOBAL_OPTIONS).find((s) => "alias" in s && s.alias === name);
  if (spec !== undefined) return spec.type === "string";
  return ["f", "filename", "now", "log-lines", "reason"].includes(name);
}

export function formatCompletion(completion: Completion): string {
  return `${[...completion.candidates, `:${completion.directive}`].join("\n")}\n`;
}
