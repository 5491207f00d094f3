/**
 * ISO-8601 durations (`P30D`, `PT90M`, `P1Y2M3DT4H`), added to instants with calendar arithmetic in UTC: `P1M` from
 * January 31st lands on the last day of February, as people (and AKS's "12 months") mean it.
 */
export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Parses an ISO-8601 duration; returns undefined when the text is not one (or is empty, like `P` or `PT`). */
export function parseIsoDuration(text: string): IsoDuration | undefined {
  const m = DURATION.exec(text.trim().toUpperCase());
  if (m === null || text.trim().toUpperCase() === "P" || text.trim().toUpperCase().endsWith("T")) return undefined;
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const d = { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
  if (!Number.isInteger(d.years) || !Number.isInteger(d.months)) return undefined;
  return d;
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/** Adds whole calendar months, clamping the day to the end of a shorter month. */
export function addMonths(instant: Date, months: number): Date {
  const y = instant.getUTCFullYear();
  const mIndex = instant.getUTCMonth() + months;
  const targetYear = y + Math.floor(mIndex / 12);
  const targetMonth = ((mIndex % 12) + 12) % 12;
  const day = Math.min(instant.getUTCDate(), daysInMonth(targetYear, targetMonth));
  return new Date(
    Date.UTC(
      targetYear,
      targetMonth,
      day,
      instant.getUTCHours(),
      instant.getUTCMinutes(),
      instant.getUTCSeconds(),
      instant.getUTCMilliseconds(),
    ),
  );
}

export function addDuration(instant: Date, d: IsoDuration): Date {
  const afterMonths = addMonths(instant, d.years * 12 + d.months);
  const ms = (((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60_000 + d.seconds * 1000;
  return new Date(afterMonths.getTime() + Math.round(ms));
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
