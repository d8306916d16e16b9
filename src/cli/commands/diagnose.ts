import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { z } from "zod";
import { ProblemsFoundExit, UsageError } from "../../errors.ts";
import { parseCommandArgs } from "../args.ts";
import type { ObjectRef } from "../../diagnose/types.ts";
import { DIAGNOSE_WORDS, kindSpec, resolveDiagnoseKind } from "../../kube/kinds.ts";
import type { DiagnoseRequest } from "../../app/diagnose.ts";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { openSession, type GlobalOptions } from "../options.ts";

/** The kinds `diagnose KIND NAME` accepts, by their kubectl names and short names: src/kube/kinds.ts. */
const KIND_WORDS = `${DIAGNOSE_WORDS.slice(0, -1).join(", ")}, or ${DIAGNOSE_WORDS.at(-1) ?? ""}`;

const diagnoseSchema = z.object({
  kind: z.string().optional(),
  name: z.string().optional(),
  filename: z.string().optional(),
  now: z.iso.datetime({ offset: true, message: "--now must be an RFC 3339 time such as 2026-11-21T10:00:00Z" }).optional(),
  failOnProblems: z.boolean(),
  logLines: z.number().int().min(0).max(1000),
  explain: z.boolean().optional(),
  record: z.boolean(),
  propose: z.boolean(),
  prometheus: z.string().optional(),
});

type DiagnoseArgs = z.infer<typeof diagnoseSchema>;


export function diagnoseCommand(io: Io, result: CommandResult): CommandModule {
  return {
    command: "diagnose [kind] [name]",
    describe: "Find why workloads fail: pod|deployment|statefulset|job|service NAME, namespace [NAME], -A, or -f FILE",
    builder: (y: Argv) =>
      y
        .positional("kind", { type: "string", describe: `${KIND_WORDS} (also KIND/NAME)` })
        .positional("name", { type: "string", describe: "Object name (namespace name for diagnose namespace)" })
        .option("filename", { alias: "f", type: "string", describe: "Diagnose the objects in a file (- = stdin): one object, a v1 List, or multi-document YAML" })
        .option("now", { type: "string", describe: "Judge a file at this RFC 3339 time (default: its newest timestamp)" })
        .option("fail-on-problems", { type: "boolean", default: false, describe: "Exit 3 when a problem is found" })
        .option("log-lines", { type: "number", default: 20, describe: "Log lines read per failing container (live mode; 0 = none)" })
        .option("record", { type: "boolean", default: false, describe: "Also write the diagnosis as a record committed to git (see --history-dir)" })
        .option("propose", { type: "boolean", default: false, describe: "Also write a proposal record for each finding whose fix is restart, scale, resources, hpa or rollback" })
        .option("prometheus", { type: "string", describe: "Prometheus URL for --propose (default: prometheus: in .aiops.yaml, else metrics-server)" })
        .option("explain", { type: "boolean", describe: "Ask a local Ollama model to explain the findings (default: on when OLLAMA_HOST is set)" })
        .example("$0 diagnose -f examples/incidents/oomkill-memory-leak.json", "diagnose a saved snapshot, no cluster needed")
        .example("$0 diagnose pod api-7d9f -n shop", "one pod and what it depends on")
        .example("$0 diagnose namespace shop -o json", "every workload of a namespace, as JSON")
        .example("$0 diagnose -A --fail-on-problems", "the whole cluster; exit 3 when something fails"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const { globals } = session;
      const args = parseCommandArgs(diagnoseSchema, argv, "diagnose");
      const request = toRequest(args, globals);
      const [{ runDiagnose }, { renderDiagnoseResult }, { tableWidth }] = await Promise.all([import("../../app/diagnose.ts"), import("../../render/diagnosis.ts"), import("../../render/text.ts")]);
      const diagnosed = await runDiagnose(session, request, { ...args, command: session.command });
      if (diagnosed.proposals !== undefined) {
        const { describeFindingProposals } = await import("../../render/proposal.ts");
        for (const line of describeFindingProposals(diagnosed.proposals)) io.stderr.write(`${line}\n`);
      }
      io.stdout.write(renderDiagnoseResult(diagnosed, globals.output, { color: globals.color && io.stdoutIsTTY && io.env["NO_COLOR"] === undefined, width: tableWidth(io.env, io.stdoutColumns) }));
      if (args.failOnProblems && diagnosed.problems) result.exitCode = new ProblemsFoundExit().exitCode;
    },
  };
}

/** Validates the combination of arguments without side effects. */
export function toRequest(args: DiagnoseArgs, globals: GlobalOptions): DiagnoseRequest {
  let kindWord = args.kind;
  let name = args.name;
  if (kindWord !== undefined && kindWord.includes("/")) {
    if (name !== undefined) throw new UsageError(`give either KIND/NAME or KIND NAME, not both ("${kindWord}" "${name}")`);
    [kindWord, name] = kindWord.split("/", 2) as [string, string];
  }
  const resolved = kindWord === undefined ? undefined : resolveDiagnoseKind(kindWord);
  const isNamespace = resolved?.kind === "Namespace";
  const kind = isNamespace ? undefined : resolved?.kind;
  if (kindWord !== undefined && !isNamespace && kind === undefined) {
    throw new UsageError(`unknown kind "${kindWord}"`, `use one of: ${DIAGNOSE_WORDS.join(", ")}`);
  }
  if (kind !== undefined && name === undefined) throw new UsageError(`name the ${kindWord}: kubectl aiops diagnose ${kindWord} NAME`, `list them with kubectl get ${kindWord}`);
  const target = kind === undefined || name === undefined ? undefined : targetRef(kind, name, globals);

  if (args.filename !== undefined) {
    if (isNamespace) throw new UsageError("diagnose namespace cannot be combined with -f", "pass -f FILE alone, or with KIND NAME to pick one object from the file");
    return target === undefined ? { mode: "file", source: args.filename } : { mode: "file", source: args.filename, target };
  }
  if (args.now !== undefined) throw new UsageError("--now only applies to -f FILE", "live diagnosis is judged at the current time");
  if (isNamespace) {
    if (globals.allNamespaces) throw new UsageError("diagnose namespace and -A exclude each other", "use diagnose -A for the whole cluster");
    return { mode: "namespace", namespace: name ?? globals.namespace ?? "" };
  }
  if (target !== undefined) return { mode: "object", target };
  if (globals.allNamespaces) return { mode: "all" };
  return { mode: "namespace", namespace: globals.namespace ?? "" };
}

function targetRef(kind: string, name: string, globals: GlobalOptions): ObjectRef {
  if (kindSpec(kind)?.namespaced === false) return { kind, name };
  return globals.namespace === undefined ? { kind, name } : { kind, namespace: globals.namespace, name };
}

