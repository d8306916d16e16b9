import { describe, expect, it } from "vitest";
import { parseCron } from "../../../src/diagnose/cron.ts";

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** 2026-03-10 is a Tuesday. */
const TUESDAY_NOON = "2026-03-10T12:00:00.000Z";

describe("parseCron: next run", () => {
  const cases: { name: string; schedule: string; timeZone?: string; after?: string; want: string | undefined }[] = [
    { name: "every minute, strictly after", schedule: "* * * * *", after: "2026-03-10T12:00:00.000Z", want: "2026-03-10T12:01:00.000Z" },
    { name: "a step over the whole field", schedule: "*/15 * * * *", after: "2026-03-10T12:07:30.000Z", want: "2026-03-10T12:15:00.000Z" },
    { name: "a fixed time tomorrow", schedule: "0 3 * * *", want: "2026-03-11T03:00:00.000Z" },
    { name: "N/step runs from N to the end of the field", schedule: "5/20 * * * *", after: "2026-03-10T12:06:00.000Z", want: "2026-03-10T12:25:00.000Z" },
    { name: "a stepped range and a weekday range by name", schedule: "30 9-17/4 * * MON-FRI", after: "2026-03-13T17:31:00.000Z", want: "2026-03-16T09:30:00.000Z" },
    { name: "a list of days", schedule: "0 0 1,15 * *", want: "2026-03-15T00:00:00.000Z" },
    { name: "month names in any case", schedule: "0 0 1 JAN,jul *", want: "2026-07-01T00:00:00.000Z" },
    { name: "? is *", schedule: "0 0 ? * ?", want: "2026-03-11T00:00:00.000Z" },
    { name: "day of month and day of week both restricted: either matches", schedule: "0 0 1 * 3", want: "2026-03-11T00:00:00.000Z" },
    { name: "a stepped day of month is restricted too (Vixie/Go rule)", schedule: "0 0 */10 * 1", want: "2026-03-11T00:00:00.000Z" },
    { name: "day of week with * day of month: both must match", schedule: "0 0 * * sun", want: "2026-03-15T00:00:00.000Z" },
    { name: "@hourly", schedule: "@hourly", want: "2026-03-10T13:00:00.000Z" },
    { name: "@daily", schedule: "@daily", want: "2026-03-11T00:00:00.000Z" },
    { name: "@midnight", schedule: "@midnight", want: "2026-03-11T00:00:00.000Z" },
    { name: "@weekly: Sunday midnight", schedule: "@weekly", want: "2026-03-15T00:00:00.000Z" },
    { name: "@monthly", schedule: "@monthly", want: "2026-04-01T00:00:00.000Z" },
    { name: "@yearly", schedule: "@yearly", want: "2027-01-01T00:00:00.000Z" },
    { name: "@annually", schedule: "@annually", want: "2027-01-01T00:00:00.000Z" },
    { name: "@every: from the previous run, whole seconds", schedule: "@every 1h30m", after: "2026-03-10T12:00:00.500Z", want: "2026-03-10T13:30:00.000Z" },
    { name: "February 29 waits for the leap year", schedule: "0 0 29 2 *", want: "2028-02-29T00:00:00.000Z" },
    { name: "a date that never comes", schedule: "0 0 30 2 *", want: undefined },
    { name: "CRON_TZ prefix (CET, UTC+1 before the switch)", schedule: "CRON_TZ=Europe/Berlin 0 9 * * *", want: "2026-03-11T08:00:00.000Z" },
    { name: "TZ prefix", schedule: "TZ=Asia/Tokyo 0 9 * * *", want: "2026-03-11T00:00:00.000Z" },
    { name: "spec.timeZone (EDT, UTC-4 since March 8): 09:00 there is still to come", schedule: "0 9 * * *", timeZone: "America/New_York", want: "2026-03-10T13:00:00.000Z" },
    { name: "the prefix wins over spec.timeZone", schedule: "TZ=UTC 0 9 * * *", timeZone: "Asia/Tokyo", want: "2026-03-11T09:00:00.000Z" },
    { name: "Local is the controller's zone, UTC", schedule: "TZ=Local 0 9 * * *", want: "2026-03-11T09:00:00.000Z" },
    { name: "a time skipped by the DST switch runs just after the gap", schedule: "30 2 * * *", timeZone: "Europe/Berlin", after: "2026-03-28T12:00:00.000Z", want: "2026-03-29T01:30:00.000Z" },
    { name: "the day after the switch is back to 02:30 CEST", schedule: "30 2 * * *", timeZone: "Europe/Berlin", after: "2026-03-29T12:00:00.000Z", want: "2026-03-30T00:30:00.000Z" },
  ];
  it.each(cases)("$name: $schedule", ({ schedule, timeZone, after, want }) => {
    const parsed = parseCron(schedule, timeZone);
    expect(parsed.error).toBeUndefined();
    expect(iso(parsed.schedule?.next(at(after ?? TUESDAY_NOON)))).toBe(want);
  });

  it("keeps the expression without its prefix, and the zone it is read in", () => {
    expect(parseCron("  CRON_TZ=Europe/Berlin   0 9 * * * ").schedule).toMatchObject({ expression: "0 9 * * *", timeZone: "Europe/Berlin" });
    expect(parseCron("0 9 * * *").schedule).toMatchObject({ expression: "0 9 * * *", timeZone: "UTC" });
  });

  it("walks a schedule run after run", () => {
    const schedule = parseCron("0 */6 * * *").schedule;
    const runs: (string | undefined)[] = [];
    let t: number | undefined = at(TUESDAY_NOON);
    for (let i = 0; i < 4 && t !== undefined; i += 1) {
      t = schedule?.next(t);
      runs.push(iso(t));
    }
    expect(runs).toEqual(["2026-03-10T18:00:00.000Z", "2026-03-11T00:00:00.000Z", "2026-03-11T06:00:00.000Z", "2026-03-11T12:00:00.000Z"]);
  });
});

describe("parseCron: invalid schedules say what is wrong", () => {
  const cases: { schedule: string; timeZone?: string; error: string }[] = [
    { schedule: "", error: "empty schedule" },
    { schedule: "* * * *", error: "expected 5 fields" },
    { schedule: "0 0 * * * *", error: "found 6" },
    { schedule: "60 * * * *", error: 'minute "60" is out of range 0-59' },
    { schedule: "* 24 * * *", error: 'hour "24" is out of range 0-23' },
    { schedule: "* * 0 * *", error: "day of month" },
    { schedule: "* * * 13 *", error: "month" },
    { schedule: "0 0 * * 7", error: 'day of week "7" is out of range 0-6' },
    { schedule: "5-1 * * * *", error: "starts after it ends" },
    { schedule: "*/0 * * * *", error: "must be a positive number" },
    { schedule: "1/2/3 * * * *", error: "too many slashes" },
    { schedule: "1-2-3 * * * *", error: "too many hyphens" },
    { schedule: "a * * * *", error: 'minute "a" is not a number' },
    { schedule: "0 0 * FOO *", error: "is not a number or a name" },
    { schedule: "0 0 * * MON-", error: "day of week" },
    { schedule: "@reboot", error: "unknown descriptor @reboot" },
    { schedule: "@every 5x", error: "@every needs a duration" },
    { schedule: "CRON_TZ=Mars/Olympus 0 * * * *", error: 'unknown time zone "Mars/Olympus"' },
    { schedule: "0 * * * *", timeZone: "Europe/Atlantis", error: 'unknown time zone "Europe/Atlantis"' },
    { schedule: "TZ=Europe/Berlin", error: "must be followed by a schedule" },
  ];
  it.each(cases)("$schedule", ({ schedule, timeZone, error }) => {
    const parsed = parseCron(schedule, timeZone);
    expect(parsed.schedule).toBeUndefined();
    expect(parsed.error).toContain(error);
  });
});
