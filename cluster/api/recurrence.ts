/**
 * Recurring tasks (docs/contract.md §4, "Recurrence"): checking an RFC 5545 RRULE and computing
 * the next due date when a recurring task is completed. Pure functions over `YYYY-MM-DD` dates,
 * read in UTC (a date is a calendar day, not an instant), so the leader that computes the next
 * occurrence and any test that checks it agree. Shared by the node (which puts the result in the
 * log entry) and the renderer (which checks a rule before sending it).
 *
 * How a rule is read: the series starts on the base date (the task's due date for
 * `from: "due"`, the day it was completed for `from: "completion"`), and the next occurrence is
 * the first one strictly after that date. So `FREQ=WEEKLY;INTERVAL=2` is two weeks after the
 * base, `FREQ=WEEKLY;BYDAY=FR` the next Friday, `FREQ=MONTHLY;BYMONTHDAY=31` the next 31st (a
 * month without one is skipped, as RFC 5545 says; `BYMONTHDAY=-1` is the last day of every
 * month). `UNTIL` ends the series (no next occurrence after it); `COUNT` counts occurrences from
 * the base date, so a rule that is exhausted there (e.g. `COUNT=1`) has no next occurrence.
 * Rules repeat daily at most often (HOURLY and finer are refused: a task is due on a day).
 */
import * as rruleModule from 'rrule';

type RRuleClass = typeof rruleModule.RRule;

/**
 * The RRule class, wherever the module system put it: a bundler (the renderer) gives the ES
 * module's named export; Node loads the package's CommonJS build, whose exports hide behind
 * `default`.
 */
const RRule: RRuleClass =
  (rruleModule as { RRule?: RRuleClass }).RRule ??
  (rruleModule as unknown as { default: { RRule: RRuleClass } }).default.RRule;

/** How far ahead an occurrence is looked for: a rule with none in this window never repeats. */
const HORIZON_YEARS = 50;
export const RRULE_MAX = 500;

/** `FREQ=…;…` with an optional `RRULE:` prefix taken off; the rule as it is checked and stored. */
export function normalizeRrule(rrule: string): string {
  return rrule.trim().replace(/^RRULE:/i, '');
}

type Options = ReturnType<RRuleClass['parseString']>;

function parse(rrule: string): { options: Options } | { error: string } {
  const text = normalizeRrule(rrule);
  if (text === '') return { error: 'must be an RRULE such as FREQ=WEEKLY;BYDAY=FR' };
  if (text.length > RRULE_MAX) return { error: `must be at most ${RRULE_MAX} characters` };
  if (/[\r\n]/.test(text) || /(^|;)\s*(DTSTART|TZID)\s*[=:]/i.test(text)) {
    return { error: 'must be one RRULE without DTSTART or TZID (the due date is the start)' };
  }
  let options: Options;
  try {
    options = RRule.parseString(text);
  } catch (e) {
    return { error: `is not a valid RRULE: ${(e as Error).message}` };
  }
  if (options.freq === undefined || options.freq === null) {
    return { error: 'must say FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)' };
  }
  if (options.freq > RRule.DAILY) {
    return { error: 'must repeat daily at most often (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)' };
  }
  for (const [name, value] of Object.entries(options)) {
    // rrule keeps a value it cannot read as it was written (`INTERVAL=abc` stays a string, and
    // would loop forever): every number must be an integer, every weekday a weekday.
    const values: unknown[] = Array.isArray(value) ? value : [value];
    const ok =
      name === 'until'
        ? value instanceof Date && !Number.isNaN(value.getTime())
        : name === 'byweekday' || name === 'wkst'
          ? values.every((v) => v !== null && v !== undefined && typeof v !== 'string')
          : values.every((v) => Number.isSafeInteger(v));
    if (!ok) return { error: `is not a valid RRULE: bad value for ${ruleName(name)}` };
  }
  if (options.interval !== undefined && options.interval !== null && options.interval < 1) {
    return { error: 'is not a valid RRULE: INTERVAL must be at least 1' };
  }
  if (options.count !== undefined && options.count !== null && options.count < 1) {
    return { error: 'is not a valid RRULE: COUNT must be at least 1' };
  }
  return { options };
}

/** The RRULE spelling of an option (`bymonthday` → BYMONTHDAY, `byweekday` → BYDAY). */
function ruleName(option: string): string {
  return option === 'byweekday' ? 'BYDAY' : option.toUpperCase();
}

/** Why `rrule` is not a rule Raftboard accepts, or undefined when it is. */
export function rruleProblem(rrule: string): string | undefined {
  const parsed = parse(rrule);
  if ('error' in parsed) return parsed.error;
  try {
    // Build it and ask it once: some malformed rules only fail here.
    new RRule({ ...parsed.options, dtstart: new Date(Date.UTC(2000, 0, 1)) }).after(
      new Date(Date.UTC(2000, 0, 1)),
      false,
    );
  } catch (e) {
    return `is not a valid RRULE: ${(e as Error).message}`;
  }
  return undefined;
}

function toUtcDate(date: string): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

/**
 * The first date of `rrule` strictly after `base` (`YYYY-MM-DD`), the series starting on
 * `base`; null when the series ends first (UNTIL, COUNT) or has no date in the next 50 years.
 * Throws on a rule rruleProblem refuses.
 */
export function nextOccurrence(rrule: string, base: string): string | null {
  const parsed = parse(rrule);
  if ('error' in parsed) throw new Error(`rrule ${parsed.error}`);
  const start = toUtcDate(base);
  if (Number.isNaN(start.getTime())) throw new Error(`not a date: ${base}`);
  const rule = new RRule({ ...parsed.options, dtstart: start });
  const horizon = new Date(start.getTime());
  horizon.setUTCFullYear(horizon.getUTCFullYear() + HORIZON_YEARS);
  let found: Date | null = null;
  // `between` with an iterator that stops at the first hit: bounded even for a rule that never
  // matches (BYMONTH=2;BYMONTHDAY=30).
  rule.between(start, horizon, false, (d) => {
    found = d;
    return false;
  });
  const next = found as Date | null;
  if (next === null) return null;
  return next.toISOString().slice(0, 10);
}

/**
 * The first date of `rrule` on or after `base`, the series starting on `base` (an imported
 * "every Friday" is due on the first Friday from today); null as for nextOccurrence.
 */
export function firstOccurrence(rrule: string, base: string): string | null {
  if (occursOn(rrule, base)) return base;
  return nextOccurrence(rrule, base);
}

function occursOn(rrule: string, date: string): boolean {
  const parsed = parse(rrule);
  if ('error' in parsed) throw new Error(`rrule ${parsed.error}`);
  const start = toUtcDate(date);
  const rule = new RRule({ ...parsed.options, dtstart: start });
  return rule.between(start, start, true).length > 0;
}

/** Today's date (`YYYY-MM-DD`) in an IANA time zone, e.g. for `due=today` or a completion. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * The calendar day (`YYYY-MM-DD`) of the instant `at` in `timeZone`: the base of a "from
 * completion" rule. The UTC date would be the day before for a user east of UTC completing a
 * task in their morning (08:00 in Sydney is 22:00 the day before in UTC).
 */
export function completionDate(at: string, timeZone: string): string {
  return todayIn(timeZone, new Date(at));
}

/** Whether `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  if (tz === '' || tz.length > 100) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
