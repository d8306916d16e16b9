import { randomBytes } from "node:crypto";
import { ID_PATTERN } from "./schema.ts";

/**
 * ULID-style record ids: 48 bits of milliseconds then 80 random bits, Crockford base32, 26
 * characters. They sort by time as strings and need no coordination (never max+1). Within a
 * process, and against the newest id already in the history, ids only grow: a clock that stands
 * still or steps back increments the previous id instead.
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;

export function encodeTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TIME) throw new RangeError(`time ${ms} cannot be encoded in a record id`);
  let out = "";
  let rest = ms;
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

export function encodeRandom(bytes: Uint8Array): string {
  // 10 bytes = 80 bits = 16 characters of 5 bits.
  let bits = 0n;
  for (const byte of bytes.subarray(0, 10)) bits = (bits << 8n) | BigInt(byte);
  let out = "";
  for (let i = 0; i < RANDOM_CHARS; i++) {
    out = ALPHABET.charAt(Number(bits & 31n)) + out;
    bits >>= 5n;
  }
  return out;
}

/** The millisecond time an id was made at. */
export function idTime(id: string): number {
  let ms = 0;
  for (const ch of id.slice(0, TIME_CHARS)) ms = ms * 32 + ALPHABET.indexOf(ch);
  return ms;
}

/** How far ahead of the clock an id may be dated (clock skew between writers) before it counts as forged. */
export const FUTURE_ID_SLACK_MS = 24 * 60 * 60 * 1000;

/** True when the id is dated more than a day after `nowMs`: no clock of ours made it. */
export function isFutureId(id: string, nowMs: number): boolean {
  return idTime(id) > nowMs + FUTURE_ID_SLACK_MS;
}

export function isRecordId(text: string): boolean {
  return ID_PATTERN.test(text);
}

/** The next id in base-32 order (the random part carries into the time part). */
export function incrementId(id: string): string {
  const chars = id.split("");
  for (let i = chars.length - 1; i >= 0; i--) {
    const index = ALPHABET.indexOf(chars[i] ?? "");
    // The first character holds the top 3 of the 48 time bits: "7" is its largest value.
    if (index < (i === 0 ? 7 : 31)) {
      chars[i] = ALPHABET.charAt(index + 1);
      return chars.join("");
    }
    chars[i] = "0";
  }
  throw new RangeError("record id space exhausted");
}

export type IdGenerator = (nowMs: number, after?: string) => string;

/** An id source; `random` is injectable so tests can force collisions of time and randomness. */
export function createIdGenerator(random: (size: number) => Uint8Array = (size) => randomBytes(size)): IdGenerator {
  let last = "";
  return (nowMs, after) => {
    let id = encodeTime(Math.floor(nowMs)) + encodeRandom(random(10));
    const floor = after !== undefined && after > last ? after : last;
    if (id <= floor) id = incrementId(floor);
    last = id;
    return id;
  };
}

export const newRecordId: IdGenerator = createIdGenerator();
