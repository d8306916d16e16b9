import { createHash } from "node:crypto";
import type { FrontMatter } from "./schema.ts";

/**
 * Hashes that make the history tamper-evident (docs/records.md, hashes and the chain). `content_sha256` covers the
 * immutable part of a record as first written: its front matter without the fields later commits
 * may change, plus the body as first written. Canonical JSON (sorted keys, no undefined) makes the
 * hash independent of key order and YAML style.
 */

export const ZERO_SHA256 = "0".repeat(64);

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** Front matter minus what later commits may change: status, approvals, events, metrics.post. */
export function immutableFrontMatter(fm: FrontMatter): Record<string, unknown> {
  const { status: _status, approvals: _approvals, events: _events, content_sha256: _content, metrics, ...rest } = fm;
  const pre = metrics?.pre;
  // metrics: {post} appended later must hash like no metrics at all.
  return pre === undefined ? rest : { ...rest, metrics: { pre } };
}

export function contentSha256(fm: FrontMatter, firstBody: string): string {
  return sha256Hex(canonicalJson({ front_matter: immutableFrontMatter(fm), body: firstBody }));
}

/** The hash of the evidence as written in the record's `## Evidence` section. */
export function evidenceSha256(evidence: string): string {
  return sha256Hex(evidence.trim());
}
