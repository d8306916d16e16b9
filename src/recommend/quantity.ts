/**
 * Kubernetes resource quantities, exactly. A quantity is held as a bigint count of nano-units
 * of its base unit (1n core, 1n byte): every form the API accepts ("1.5Gi", "129e6", "250m",
 * "0.5") is a finite decimal at that precision, so parsing, the 30 % margin and printing never
 * go through a float. Grammar and canonical forms follow k8s.io/apimachinery resource.Quantity.
 */
import { InputError } from "../errors.ts";

/** Nano-units of a base unit (cores or bytes). */
export type Nanos = bigint;

export const NANOS_PER_UNIT = 1_000_000_000n;
export const NANOS_PER_MILLI = 1_000_000n;
export const MI: Nanos = 1024n * 1024n * NANOS_PER_UNIT;

/** The API server stores quantities in an int64 of base units at most (resource.maxAllowed). */
const MAX_UNITS = 2n ** 63n - 1n;
/** Past this, an exponent cannot describe a real resource; refusing it early keeps 10n ** e small. */
const MAX_EXPONENT = 40;

export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const ACCEPTED = 'a number with an optional suffix: n u m k M G T P E (decimal), Ki Mi Gi Ti Pi Ei (binary) or an exponent (e.g. "500m", "1.5Gi", "129e6", "0.5")';

export class QuantityError extends InputError {
  constructor(value: string, why: string, accepted = ACCEPTED) {
    super(`invalid quantity "${value.length > 40 ? `${value.slice(0, 40)}...` : value}": ${why}`, { hint: `use ${accepted}` });
  }
}

export interface ParseOptions {
  /** Negative quantities are refused unless this is set (deltas are the one use). */
  allowNegative?: boolean;
  /**
   * "nano" (default): refuse precision finer than 1n instead of changing the value silently.
   * "round-up": round finer precision up to the next 1n, as the API server does.
   * "milli": refuse precision finer than 1m (more than 3 decimal places of the unit), the finest
   * CPU amount Kubernetes honours.
   */
  precision?: "nano" | "round-up" | "milli";
}

export interface ParsedQuantity {
  nanos: Nanos;
  /** The format the API server keeps for this input (it prints it back in the same family). */
  format: QuantityFormat;
}

/** Parses a quantity into nano-units; throws QuantityError naming the value and what is accepted. */
export function parseQuantity(text: string, options: ParseOptions = {}): Nanos {
  return parseQuantityWithFormat(text, options).nanos;
}

export function parseQuantityWithFormat(text: string, options: ParseOptions = {}): ParsedQuantity {
  const match = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/.exec(text);
  if (match === null) throw new QuantityError(text, "not a number");
  const [, sign = "", number = "", suffix = ""] = match;
  const { exponent10, exponent2, format } = parseSuffix(text, suffix);
  const [whole = "", fraction = ""] = number.split(".");
  const digits = BigInt(`${whole}${fraction}` || "0");
  // digits x 10^(scale) x 2^exponent2 nano-units, with scale counted from the nano position.
  const scale = exponent10 - fraction.length + 9;
  const numerator = digits * 2n ** BigInt(exponent2);
  let nanos: bigint;
  if (scale >= 0) {
    nanos = numerator * 10n ** BigInt(scale);
  } else {
    const divisor = 10n ** BigInt(-scale);
    nanos = numerator / divisor;
    if (numerator % divisor !== 0n) {
      if (options.precision !== "round-up") throw new QuantityError(text, "finer than 1n (more than 9 decimal places of the unit); the API server would round it up");
      nanos += 1n;
    }
  }
  if (options.precision === "milli" && nanos % NANOS_PER_MILLI !== 0n) {
    throw new QuantityError(text, "finer than 1m (more than 3 decimal places); Kubernetes does not honour CPU amounts below 1m", 'whole millicores, e.g. "250m" or "0.25"');
  }
  if (nanos > MAX_UNITS * NANOS_PER_UNIT) throw new QuantityError(text, "too large (at most 2^63-1 base units, about 8Ei bytes or 9.2E cores)");
  if (sign === "-" && nanos !== 0n) {
    if (options.allowNegative !== true) throw new QuantityError(text, "negative", "a quantity of zero or more");
    nanos = -nanos;
  }
  return { nanos, format };
}

function parseSuffix(text: string, suffix: string): { exponent10: number; exponent2: number; format: QuantityFormat } {
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined) return { exponent10: decimal, exponent2: 0, format: "DecimalSI" };
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return { exponent10: 0, exponent2: binary, format: "BinarySI" };
  const exponent = /^[eE]([+-]?\d+)$/.exec(suffix)?.[1];
  if (exponent === undefined) throw new QuantityError(text, `unknown suffix "${suffix}"`);
  const value = Number(exponent);
  if (Math.abs(value) > MAX_EXPONENT) throw new QuantityError(text, `exponent ${exponent} is out of range (-${MAX_EXPONENT}..${MAX_EXPONENT})`);
  return { exponent10: value, exponent2: 0, format: "DecimalExponent" };
}

/** CPU as people and the API write it: whole cores "2", else millicores "260m", else "1500u"/"5n". */
export function formatCpu(nanos: Nanos): string {
  if (nanos < 0n) return `-${formatCpu(-nanos)}`;
  if (nanos % NANOS_PER_UNIT === 0n) return String(nanos / NANOS_PER_UNIT);
  return formatDecimal(nanos, false);
}

/**
 * Memory: the largest binary suffix that divides exactly ("156Mi", "1Gi"), else the largest
 * exact decimal suffix ("129M", "1500"), else fractions of a byte in m/u/n.
 */
export function formatMemory(nanos: Nanos): string {
  if (nanos < 0n) return `-${formatMemory(-nanos)}`;
  if (nanos !== 0n && nanos % NANOS_PER_UNIT === 0n && (nanos / NANOS_PER_UNIT) % 1024n === 0n) return formatBinary(nanos / NANOS_PER_UNIT);
  return formatDecimal(nanos, false);
}

/** Picks the printer by resource name: memory-like resources in bytes, everything else like CPU. */
export function formatQuantity(resource: string, nanos: Nanos): string {
  return /memory|storage|hugepages/.test(resource) ? formatMemory(nanos) : formatCpu(nanos);
}

/** What the API server prints back for an input (resource.Quantity.String after parsing). */
export function canonicalize(text: string): string {
  const { nanos, format } = parseQuantityWithFormat(text, { allowNegative: true, precision: "round-up" });
  return formatInFormat(nanos, format);
}

export function formatInFormat(nanos: Nanos, format: QuantityFormat): string {
  if (nanos < 0n) return `-${formatInFormat(-nanos, format)}`;
  if (format === "BinarySI" && nanos >= 1024n * NANOS_PER_UNIT && nanos % NANOS_PER_UNIT === 0n) return formatBinary(nanos / NANOS_PER_UNIT);
  return formatDecimal(nanos, format === "DecimalExponent");
}

function formatBinary(units: bigint): string {
  let value = units;
  let index = 0;
  const suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
  while (value !== 0n && value % 1024n === 0n && index < suffixes.length - 1) {
    value /= 1024n;
    index += 1;
  }
  return `${value}${suffixes[index] ?? ""}`;
}

/** Largest power-of-1000 suffix that keeps an integer mantissa (the API's DecimalSI form). */
function formatDecimal(nanos: Nanos, exponentForm: boolean): string {
  if (nanos === 0n) return "0";
  const suffixes: [number, string][] = [[18, "E"], [15, "P"], [12, "T"], [9, "G"], [6, "M"], [3, "k"], [0, ""], [-3, "m"], [-6, "u"], [-9, "n"]];
  for (const [exponent, suffix] of suffixes) {
    const divisor = 10n ** BigInt(exponent + 9);
    if (nanos % divisor === 0n) return `${nanos / divisor}${exponentForm ? (exponent === 0 ? "" : `e${exponent}`) : suffix}`;
  }
  return `${nanos}n`;
}

/** ceil(a / b) for non-negative a and positive b. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** Rounds up to a multiple of `step` (both non-negative nano-units). */
export function roundUpTo(nanos: Nanos, step: Nanos): Nanos {
  return ceilDiv(nanos, step) * step;
}

/** Multiplies by a decimal factor written as a string ("1.30"), rounding up to 1n. */
export function multiplyUp(nanos: Nanos, factor: string): Nanos {
  const [whole = "0", fraction = ""] = factor.split(".");
  const denominator = 10n ** BigInt(fraction.length);
  return ceilDiv(nanos * BigInt(`${whole}${fraction}`), denominator);
}

export function maxOf(first: Nanos, ...rest: Nanos[]): Nanos {
  return rest.reduce((a, b) => (b > a ? b : a), first);
}

/** A float from a metrics backend, rounded to the nearest 1n: digits below are float noise, not usage. */
export function nanosFromNumber(value: number): Nanos {
  if (!Number.isFinite(value)) throw new QuantityError(String(value), "not a finite number");
  const [mantissa = "0", exponent = "0"] = value.toExponential(15).split("e");
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace(/^-/, "").replace(".", "");
  // value = digits x 10^(exponent - 15), in nano-units x 10^(exponent - 15 + 9).
  const shift = Number(exponent) - 15 + 9;
  let nanos: bigint;
  if (shift >= 0) {
    nanos = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    const scaled = BigInt(digits);
    nanos = scaled / divisor + (scaled % divisor >= divisor / 2n ? 1n : 0n);
  }
  return negative ? -nanos : nanos;
}
