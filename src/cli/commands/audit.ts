import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { z } from "zod";
import { PolicyError } from "../../errors.ts";
import { parseCommandArgs } from "../args.ts";
import type { CommandResult } from "../command-result.ts";
import type { Io } from "../io.ts";
import { openSession } from "../options.ts";

const verifySchema = z.object({
  requireSigned: z.boolean(),
  allowedSigners: z.string().min(1, "--allowed-signers needs a file").optional(),
  witness: z.string().min(1, "--witness needs a file path or configmap/NAMESPACE/NAME").optional(),
});

const checkpointSchema = z.object({
  witness: z.string().min(1, "--witness needs a file path or configmap/NAMESPACE/NAME").optional(),
});

export function auditCommand(io: Io, result: CommandResult): CommandModule {
  return {
    command: "audit <command>",
    describe: "Audit the history: verify its integrity, or print the decision log",
    builder: (y: Argv) => y.command(auditVerifyCommand(io, result)).command(auditCheckpointCommand(io)).command(auditLogCommand(io)).command(auditStatsCommand(io)).demandCommand(1, "name an audit command: verify, checkpoint, log or stats"),
    handler: () => undefined,
  };
}

function auditVerifyCommand(io: Io, _result: CommandResult): CommandModule {
  return {
    command: "verify",
    describe: "Walk the git history of the records and fail on any edit, deletion, rename, illegal transition, approval breaking its tier, broken chain or (with --require-signed) unsigned commit",
    builder: (y: Argv) =>
      y
        .option("require-signed", { type: "boolean", default: false, describe: "Every record commit must carry a good signature from a known key" })
        .option("allowed-signers", { type: "string", describe: "Your own trusted SSH allowed-signers file: judges every commit instead of the versions in the repository (implies --require-signed)" })
        .option("witness", { type: "string", describe: "Also compare against the checkpoint in REF: a file path or configmap/NAMESPACE/NAME (finds rewrites and truncation)" })
        .example("$0 audit verify", "exit 0 and one summary line when the history is intact")
        .example("$0 audit verify --witness configmap/aiops/audit-checkpoint", "also fail when the history was rewritten or truncated since the checkpoint")
        .example("$0 audit verify --allowed-signers .aiops-signers", "also require commits signed by a listed SSH key"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const args = parseCommandArgs(verifySchema, argv, "audit verify");
      const [{ verifyAudit }, { renderMachine }, { renderVerify }] = await Promise.all([import("../../app/audit.ts"), import("../../render/text.ts"), import("../../render/records.ts")]);
      const result = await verifyAudit(session, { requireSigned: args.requireSigned || args.allowedSigners !== undefined, allowedSignersFile: args.allowedSigners, witness: args.witness });
      const output = session.globals.output;
      switch (output) {
        case "json":
        case "yaml":
          io.stdout.write(renderMachine(result, output));
          break;
        case "table":
        case "wide":
        case "markdown":
          io.stdout.write(renderVerify(result));
          break;
      }
      if (!result.ok) {
        throw new PolicyError(result.summary, { hint: "each line above names the record and the commit; inspect one with: git show <commit> -- <file>" });
      }
    },
  };
}

function auditCheckpointCommand(io: Io): CommandModule {
  return {
    command: "checkpoint",
    describe: "Anchor the history: write its head commit, record count and chain head (signed when a key is set) to a witness outside the repository",
    builder: (y: Argv) =>
      y
        .option("witness", { type: "string", describe: "Where to keep it: a file path or configmap/NAMESPACE/NAME (key checkpoint.json); printed when absent" })
        .example("$0 audit checkpoint --witness configmap/aiops/audit-checkpoint", "keep the checkpoint in the cluster")
        .example("$0 audit checkpoint > /secure/aiops-checkpoint.json", "print it for the auditor to keep"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const args = parseCommandArgs(checkpointSchema, argv, "audit checkpoint");
      const [{ takeCheckpoint }, { renderMachine }] = await Promise.all([import("../../app/checkpoint.ts"), import("../../render/text.ts")]);
      const outcome = await takeCheckpoint(session, { witness: args.witness });
      const output = session.globals.output;
      if (output === "yaml") io.stdout.write(renderMachine(outcome.checkpoint, "yaml"));
      else if (outcome.witness === undefined || output === "json") io.stdout.write(`${JSON.stringify(outcome.checkpoint, null, 2)}\n`);
      else io.stdout.write(`checkpoint: ${outcome.checkpoint.records} records, head ${outcome.checkpoint.head.slice(0, 12)}${outcome.checkpoint.signer === undefined ? (outcome.checkpoint.signature === undefined ? ", unsigned" : ", signed") : `, signed by ${outcome.checkpoint.signer}`}, written to ${outcome.witness}\n`);
    },
  };
}

function auditLogCommand(io: Io): CommandModule {
  return {
    command: "log",
    describe: "The decision history from git: date, git author, record, stage, status change, title",
    builder: (y: Argv) => y.example("$0 audit log", "one line per record commit, oldest first"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const [{ auditLog }, { renderMachine }, { auditLogDocument, renderAuditLog }] = await Promise.all([import("../../app/records.ts"), import("../../render/text.ts"), import("../../render/records.ts")]);
      const entries = await auditLog(session);
      const output = session.globals.output;
      switch (output) {
        case "json":
        case "yaml":
          io.stdout.write(renderMachine(auditLogDocument(entries), output));
          break;
        case "table":
        case "wide":
        case "markdown":
          io.stdout.write(renderAuditLog(entries));
          break;
      }
    },
  };
}

function auditStatsCommand(io: Io): CommandModule {
  return {
    command: "stats",
    describe: "Approval latency per tier (p50/p95), MTTR, MTTD, rollbacks, and the share of executed medium/critical changes with complete records",
    builder: (y: Argv) => y.example("$0 audit stats -o json", "the figures as JSON"),
    handler: async (argv: ArgumentsCamelCase) => {
      const session = openSession(argv, io);
      const [{ auditStats }, { renderMachine }, { renderStats }] = await Promise.all([import("../../app/stats.ts"), import("../../render/text.ts"), import("../../render/stats.ts")]);
      const stats = await auditStats(session);
      const output = session.globals.output;
      switch (output) {
        case "json":
        case "yaml":
          io.stdout.write(renderMachine(stats, output));
          break;
        case "table":
        case "wide":
        case "markdown":
          io.stdout.write(renderStats(stats));
          break;
      }
      // Every executed medium/critical change must have a complete record: anything less is an audit failure.
      if (stats.completeness.incomplete.length > 0) {
        throw new PolicyError(`${stats.completeness.incomplete.length} executed medium/critical change(s) have incomplete records`, { hint: "each INCOMPLETE line names the record and the missing part" });
      }
    },
  };
}
