import { redactText } from "../util/redact.ts";

/**
 * Stable pseudonyms for names and addresses, so nothing identifying leaves the process: the same
 * value always maps to the same pseudonym within one run, and answers are mapped back before they
 * are shown. Secrets are redacted first (never pseudonymized: they must not come back).
 */
export class Pseudonymizer {
  private readonly forward = new Map<string, string>();
  private readonly backward = new Map<string, string>();
  private readonly counters = new Map<string, number>();

  /** Registers a name (namespace, pod, container, node...) to be replaced wherever it appears. */
  name(kind: string, value: string | undefined): string | undefined {
    if (value === undefined || value === "") return value;
    const existing = this.forward.get(value);
    if (existing !== undefined) return existing;
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    const pseudonym = `${kind}-${n}`;
    this.forward.set(value, pseudonym);
    this.backward.set(pseudonym, value);
    return pseudonym;
  }

  /** Redacts secrets, then replaces registered names and IP addresses. */
  apply(text: string): string {
    let out = redactText(text);
    // Longest first, so "api-7d9f" is replaced before "api".
    const names = [...this.forward.keys()].sort((a, b) => b.length - a.length);
    for (const name of names) out = out.split(name).join(this.forward.get(name) ?? name);
    out = out.replace(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, (ip) => this.name("ip", ip) ?? ip);
    return out;
  }

  /** Maps pseudonyms in an answer back to the real names, for display only. */
  restore(text: string): string {
    return text.replace(/\b([a-z]+)-(\d+)\b/g, (match) => {
      const real = this.backward.get(match);
      return real === undefined || /^(\d{1,3}\.){3}\d{1,3}$/.test(real) ? match : real;
    });
  }
}
