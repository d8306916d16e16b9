/**
 * Cron schedules as the CronJob controller reads them (the standard five-field syntax of the Go
 * cron library Kubernetes uses): minute, hour, day of month, month, day of week; `*` or `?`,
 * numbers, JAN-DEC and SUN-SAT names, ranges `a-b`, steps `/n`, lists `a,b`; the descriptors
 * @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly and @every DURATION; and a
 * `CRON_TZ=Zone ` or `TZ=Zone ` prefix. Pure: no clock, times are epoch milliseconds.
 */

export interface CronSchedule {
  /** The schedule without its time-zone prefix. */
  readonly expression: string;
  /** The IANA zone the schedule is read in; "UTC" unless the prefix or spec.timeZone names one. */
  readonly timeZone: string;
  /** The first time the schedule fires strictly after `after`; undefined when it never fires within five years (`0 0 30 2 *`). */
  next(after: number): number | undefined;
}

export type CronParse = { schedule: CronSchedule; error?: undefined } | { schedule?: undefined; error: string };

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** The Go library gives up after five years too; a schedule that matches no date stops there. */
const SEARCH_MS = 5 * 366 * DAY_MS;

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  // 0-6 only: the Go library (and so the API server) refuses 7 for Sunday.
  { name: "day of week", min: 0, max: 6, names: WEEKDAYS },
];

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** The values a field allows, and whether it was written as an unrestricted `*` (matters for the day fields). */
interface Field {
  allowed: boolean[];
  star: boolean;
}

class CronError extends Error {}

/**
 * Parses a schedule; `timeZone` is the CronJob's spec.timeZone. A prefix in the schedule wins
 * over it, as in the controller.
 */
export function parseCron(text: string, timeZone?: string): CronParse {
  try {
    return { schedule: build(text.trim(), timeZone) };
  } catch (error) {
    if (error instanceof CronError) return { error: error.message };
    throw error;
  }
}

function build(text: string, timeZone: string | undefined): CronSchedule {
  if (text === "") throw new CronError("empty schedule");
  let expression = text;
  let zone = timeZone ?? "UTC";
  const prefix = /^(?:CRON_TZ|TZ)=(\S*)\s+(.*)$/.exec(text);
  if (prefix !== null) {
    zone = prefix[1] ?? "";
    expression = (prefix[2] ?? "").trim();
  } else if (/^(?:CRON_TZ|TZ)=/.test(text)) {
    throw new CronError(`a time zone prefix must be followed by a schedule: "${text}"`);
  }
  zone = checkZone(zone);
  if (expression.startsWith("@every")) return every(expression, zone);
  if (expression.startsWith("@")) {
    const fiveFields = DESCRIPTORS[expression.toLowerCase()];
    if (fiveFields === undefined) throw new CronError(`unknown descriptor ${expression} (use @yearly, @monthly, @weekly, @daily, @hourly or @every DURATION)`);
    return fields(expression, fiveFields, zone);
  }
  return fields(expression, expression, zone);
}

/** "Local" is kube-controller-manager's own zone, UTC on every control plane we know. */
function checkZone(zone: string): string {
  if (zone === "" || zone === "Local" || zone === "UTC") return "UTC";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    throw new CronError(`unknown time zone "${zone}"`);
  }
  return zone;
}

function fields(expression: string, fiveFields: string, timeZone: string): CronSchedule {
  const parts = fiveFields.split(/\s+/);
  if (parts.length !== FIELDS.length) throw new CronError(`expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}: "${expression}"`);
  const [minute, hour, dom, month, dow] = FIELDS.map((spec, i) => parseField(parts[i] ?? "", spec)) as [Field, Field, Field, Field, Field];
  const dayMatches = (wall: Date): boolean => {
    const inMonth = dom.allowed[wall.getUTCDate()] === true;
    const inWeek = dow.allowed[wall.getUTCDay()] === true;
    // Vixie cron's rule, kept by the Go library: when both day fields are restricted, either may match.
    return dom.star || dow.star ? inMonth && inWeek : inMonth || inWeek;
  };
  return {
    expression,
    timeZone,
    next(after: number): number | undefined {
      let wall = Math.floor(toWall(after, timeZone) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
      const limit = wall + SEARCH_MS;
      while (wall < limit) {
        const d = new Date(wall);
        const [y, m, day, h] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
        if (month.allowed[m + 1] !== true) wall = Date.UTC(y, m + 1, 1);
        else if (!dayMatches(d)) wall = Date.UTC(y, m, day + 1);
        else if (hour.allowed[h] !== true) wall = Date.UTC(y, m, day, h + 1);
        else if (minute.allowed[d.getUTCMinutes()] !== true) wall += MINUTE_MS;
        else {
          const instant = fromWall(wall, timeZone);
          if (instant > after) return instant;
          wall += MINUTE_MS;
        }
      }
      return undefined;
    },
  };
}

function parseField(text: string, spec: FieldSpec): Field {
  const field: Field = { allowed: [], star: false };
  for (const item of text.split(",")) {
    const [range, step, extra] = item.split("/");
    if (extra !== undefined) throw new CronError(`too many slashes in ${spec.name} "${item}"`);
    let every = 1;
    if (step !== undefined) {
      every = parseNumber(step, `step of ${spec.name}`);
      if (every < 1) throw new CronError(`the step of ${spec.name} "${item}" must be a positive number`);
    }
    let start: number;
    let end: number;
    if (range === "*" || range === "?") {
      [start, end] = [spec.min, spec.max];
      // `*/2` restricts the day fields; only a plain `*` leaves them open.
      if (every === 1) field.star = true;
    } else {
      const bounds = (range ?? "").split("-");
      if (bounds.length > 2) throw new CronError(`too many hyphens in ${spec.name} "${item}"`);
      start = parseValue(bounds[0] ?? "", spec);
      // `5/15` means from 5 to the end of the field.
      end = bounds[1] !== undefined ? parseValue(bounds[1], spec) : step !== undefined ? spec.max : start;
    }
    if (start < spec.min || end > spec.max) throw new CronError(`${spec.name} "${item}" is out of range ${spec.min}-${spec.max}`);
    if (start > end) throw new CronError(`${spec.name} "${item}": the range starts after it ends`);
    for (let v = start; v <= end; v += every) field.allowed[v] = true;
  }
  return field;
}

function parseValue(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (spec.name === "month" ? 1 : 0);
  return parseNumber(text, spec.name);
}

function parseNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new CronError(`${what} "${text}" is not a number${what === "month" || what === "day of week" ? " or a name" : ""}`);
  return Number(text);
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: MINUTE_MS, h: 60 * MINUTE_MS };

/** `@every 1h30m`: Go's duration syntax; the interval counts from the previous run, at least 1 s. */
function every(expression: string, timeZone: string): CronSchedule {
  const text = expression.slice("@every".length).trim();
  if (!/^(?:\d*\.?\d+(?:ns|us|µs|ms|s|m|h))+$/.test(text)) throw new CronError(`@every needs a duration such as 90s or 1h30m, not "${text}"`);
  let ms = 0;
  for (const match of text.matchAll(/(\d*\.?\d+)(ns|us|µs|ms|s|m|h)/g)) ms += Number(match[1]) * (DURATION_UNITS[match[2] ?? ""] ?? 0);
  const interval = Math.max(1000, Math.floor(ms / 1000) * 1000);
  return { expression, timeZone, next: (after) => Math.floor(after / 1000) * 1000 + interval };
}

// --- wall-clock time in a zone: epoch milliseconds whose UTC fields are the zone's local fields ----

const FORMATS = new Map<string, Intl.DateTimeFormat>();

function toWall(instant: number, timeZone: string): number {
  if (timeZone === "UTC") return instant;
  let format = FORMATS.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    FORMATS.set(timeZone, format);
  }
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(instant)) part[p.type] = Number(p.value);
  const wall = Date.UTC(part["year"] ?? 1970, (part["month"] ?? 1) - 1, part["day"] ?? 1, part["hour"] ?? 0, part["minute"] ?? 0, part["second"] ?? 0);
  return wall + (((instant % 1000) + 1000) % 1000);
}

/** The instant a wall time of the zone names; a time skipped by a DST change lands just after the gap. */
function fromWall(wall: number, timeZone: string): number {
  if (timeZone === "UTC") return wall;
  const guess = wall - (toWall(wall, timeZone) - wall);
  return wall - (toWall(guess, timeZone) - guess);
}
