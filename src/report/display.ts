/** Quantities as a reader scans them in a table: "260m", "1.5", "156Mi", "2.5Gi". JSON keeps the exact values. */
import { parseQuantity } from "../recommend/quantity.ts";
import { formatDuration } from "../util/duration.ts";

const MI = 1024 * 1024;
const GI = 1024 * MI;

function value(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return Number(parseQuantity(text, { precision: "round-up", allowNegative: true })) / 1e9;
  } catch {
    return undefined;
  }
}

function trim(n: number, digits: number): string {
  return n.toFixed(digits).replace(/\.?0+$/, "");
}

export function showCpu(text: string | undefined): string {
  const v = value(text);
  if (v === undefined) return "-";
  const sign = v < 0 ? "-" : "";
  const a = Math.abs(v);
  if (a === 0) return "0";
  return a < 1 ? `${sign}${Math.ceil(a * 1000)}m` : `${sign}${trim(a, 2)}`;
}

export function showMemory(text: string | undefined): string {
  const v = value(text);
  if (v === undefined) return "-";
  const sign = v < 0 ? "-" : "";
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= GI) return `${sign}${trim(a / GI, 1)}Gi`;
  if (a >= MI) return `${sign}${Math.ceil(a / MI)}Mi`;
  return `${sign}${Math.ceil(a / 1024)}Ki`;
}

export function showDuration(seconds: number | undefined): string {
  return seconds === undefined ? "-" : formatDuration(Math.round(seconds));
}
