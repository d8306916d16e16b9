/**
 * "Does this environment variable look like it holds a secret?", decided by the same name
 * patterns that redact `NAME=value` text (src/util/redact.ts), so the report and the redaction
 * never disagree about what a secret is. Only names are ever returned; values are read to know
 * that one is set and are then dropped.
 */
import type { Container } from "../model/k8s.ts";
import { redactText } from "../util/redact.ts";

const PROBE = "aiops-probe-value";

/** True when redaction would hide the value of `NAME=...`. */
export function looksSecretName(name: string): boolean {
  return !redactText(`${name}=${PROBE}`).includes(PROBE);
}

/** Names of variables with a literal, non-empty value under a secret-looking name. */
export function secretEnvNames(container: Pick<Container, "env">): string[] {
  return (container.env ?? []).filter((e) => e.valueFrom === undefined && (e.value ?? "") !== "" && looksSecretName(e.name)).map((e) => e.name);
}
