/**
 * Calendar days as the contract stores them (`YYYY-MM-DD`, the user's local day) and the little
 * arithmetic the views need. Days are handled as UTC dates internally so no daylight-saving
 * change can skip or repeat one.
 */

export type Day = string;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The local calendar day of `at`. */
export function localDay(at: Date): Day {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

export function dayOf(year: number, month: number, day: number): Day {
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

function utc(day: Day): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

export function addDays(day: Day, n: number): Day {
  const t = utc(day);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayOf(day: Day): number {
  return (utc(day).getUTCDay() + 6) % 7;
}

const LONG = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const DAY_MONTH = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  timeZone: 'UTC',
});
const MONTH = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** `Tue, 8 Dec 2026`. */
export function formatDay(day: Day): string {
  return LONG.format(utc(day));
}

/** `8 December`. */
export function formatDayMonth(day: Day): string {
  return DAY_MONTH.format(utc(day));
}

/** `December 2026` for `2026-12`. */
export function formatMonth(month: string): string {
  return MONTH.format(utc(`${month}-01`));
}

/** `2026-12` ± n months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const t = new Date(Date.UTC(y, m - 1 + n, 1));
  return t.toISOString().slice(0, 7);
}

/** The user's IANA zone, as the API's `tz` filter takes it. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
