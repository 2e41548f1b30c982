/**
 * Recurrence in plain words ("every monday", "every 2 weeks", "every month on the 1st") to an
 * RFC 5545 RRULE through the rrule package, and back to words for chips and the editor. Pure.
 */
import { RRule, type Options, type Weekday } from 'rrule';
import type { Recurrence } from '../../../cluster/api/task.js';
import { type Day } from './dates.js';

const WEEKDAYS: readonly [RegExp, Weekday][] = [
  [/^mon(day)?$/, RRule.MO],
  [/^tue(s|sday)?$/, RRule.TU],
  [/^wed(nesday)?$/, RRule.WE],
  [/^thu(r|rs|rsday)?$/, RRule.TH],
  [/^fri(day)?$/, RRule.FR],
  [/^sat(urday)?$/, RRule.SA],
  [/^sun(day)?$/, RRule.SU],
];

const WD =
  '(?:monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun)';
const WD_LIST = `${WD}(?:\\s*(?:,|and|&)\\s*${WD})*`;
const UNIT = `days?|weekdays?|weeks?|months?|years?|${WD_LIST}`;

/**
 * `every[!] [N|other] <unit>` or `daily|weekly|monthly|yearly`, then an optional `on the 1st` /
 * `on monday`, then an optional `after completion`. `every!` also repeats from completion.
 */
export const RECURRENCE_PATTERN = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:every(!)?\\s+(?:(\\d+|other)\\s+)?(${UNIT})|(daily|weekly|monthly|yearly|annually))` +
    `(?:\\s+on\\s+the\\s+(\\d{1,2})(?:st|nd|rd|th)?|\\s+on\\s+(${WD_LIST}))?` +
    `(\\s+(?:after|from)\\s+completion)?(?![\\p{L}\\p{N}])`,
  'iu',
);

function weekdays(list: string): Weekday[] {
  const out: Weekday[] = [];
  for (const word of list.toLowerCase().split(/\s*(?:,|and|&)\s*|\s+/)) {
    const hit = WEEKDAYS.find(([re]) => re.test(word));
    if (hit !== undefined && !out.includes(hit[1])) out.push(hit[1]);
  }
  return out;
}

export interface RecurrenceMatch {
  readonly index: number;
  readonly text: string;
  readonly recurrence: Recurrence;
}

/** The first recurrence phrase in `text`, or null. */
export function findRecurrence(text: string): RecurrenceMatch | null {
  const m = RECURRENCE_PATTERN.exec(text);
  if (m === null) return null;
  const [all, bang, count, unitRaw, adverb, monthDay, onDays, afterCompletion] = m;
  const opts: Partial<Options> = {};
  const interval = count === undefined ? 1 : count.toLowerCase() === 'other' ? 2 : Number(count);
  if (!(interval >= 1)) return null;
  const unit = (unitRaw ?? adverb ?? '').toLowerCase();
  if (/^(day|days|daily)$/.test(unit)) opts.freq = RRule.DAILY;
  else if (/^weekdays?$/.test(unit)) {
    opts.freq = RRule.WEEKLY;
    opts.byweekday = [RRule.MO, RRule.TU, RRule.WE, RRule.TH, RRule.FR];
  } else if (/^(weeks?|weekly)$/.test(unit)) opts.freq = RRule.WEEKLY;
  else if (/^(months?|monthly)$/.test(unit)) opts.freq = RRule.MONTHLY;
  else if (/^(years?|yearly|annually)$/.test(unit)) opts.freq = RRule.YEARLY;
  else {
    opts.freq = RRule.WEEKLY;
    opts.byweekday = weekdays(unit);
  }
  if (interval > 1) opts.interval = interval;
  if (monthDay !== undefined && opts.freq === RRule.MONTHLY) {
    const d = Number(monthDay);
    if (d < 1 || d > 31) return null;
    opts.bymonthday = d;
  }
  if (onDays !== undefined && opts.freq === RRule.WEEKLY) opts.byweekday = weekdays(onDays);
  const rrule = new RRule(opts).toString().replace(/^RRULE:/, '');
  const from = bang !== undefined || afterCompletion !== undefined ? 'completion' : 'due';
  return { index: m.index, text: all, recurrence: { rrule, from } };
}

function ruleOf(rrule: string, dtstart?: Date): RRule | null {
  try {
    const opts = RRule.parseString(rrule);
    return new RRule(dtstart === undefined ? opts : { ...opts, dtstart });
  } catch {
    return null;
  }
}

/** `every week`, `every month on the 1st` (the rule itself when rrule cannot say it). */
export function describeRecurrence(r: Recurrence): string {
  const rule = ruleOf(r.rrule);
  const words = rule === null ? r.rrule : rule.toText();
  return r.from === 'completion' ? `${words} after completion` : words;
}

/** The rule's first day on or after `from` (for a repeating task typed without a date). */
export function firstOccurrence(rrule: string, from: Day): Day {
  const [y, m, d] = from.split('-').map(Number) as [number, number, number];
  const start = new Date(Date.UTC(y, m - 1, d));
  const next = ruleOf(rrule, start)?.after(start, true);
  return next ? next.toISOString().slice(0, 10) : from;
}
