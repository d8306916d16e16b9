import type { Session } from "./session.ts";
import type { VerifyResult } from "../records/verify.ts";
import { witnessProblems } from "./checkpoint.ts";
import { auditHistory, type VerifyRequest } from "./records.ts";

/**
 * `audit verify` over the session's history (records.ts judges the walk), and against the
 * checkpoint of a witness when one is named (checkpoint.ts); `ok: false` is for the caller to turn
 * into a failure.
 */
export async function verifyAudit(session: Session, request: VerifyRequest & { witness?: string | undefined }): Promise<VerifyResult> {
  const audited = await auditHistory(session.historyLocation, request);
  if (request.witness === undefined) return audited.result;
  const problems = [...audited.result.problems, ...(await witnessProblems(session, request.witness, request, { hashes: audited.hashes, records: audited.order.length }))];
  const ok = problems.length === 0;
  const { records, commits } = audited.result;
  return { ...audited.result, ok, problems, summary: ok ? `${audited.result.summary}; checkpoint in ${request.witness} holds` : `audit verify: ${problems.length} problem(s) in ${records} records, ${commits} commits` };
}
