/**
 * Strict ISO-8601 / RFC 3339 instants (`2027-01-01T00:00:00Z`, `2027-01-01T02:00:00.5+02:00`). `new Date()` alone
 * accepts impossible dates such as February 30th by rolling them over; these are refused here instead.
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The instant the text names, or undefined when it is not a real UTC-anchored date-time. */
export function parseIsoInstant(text: string): Date | undefined {
  const m = INSTANT.exec(text.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    return undefined;
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(text.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}
