/**
 * The next occurrence of a recurring task (cluster/api/recurrence.ts): the rules a user writes,
 * counted from the due date or the completion date, and the ends of a series.
 */
import { describe, expect, it } from 'vitest';
import {
  completionDate,
  isTimeZone,
  nextOccurrence,
  normalizeRrule,
  rruleProblem,
  todayIn,
} from '../../cluster/api/recurrence.js';

describe('nextOccurrence', () => {
  it('weekly on Friday: the next Friday, strictly after the base', () => {
    expect(nextOccurrence('FREQ=WEEKLY;BYDAY=FR', '2025-01-01')).toBe('2025-01-03'); // a Wednesday
    expect(nextOccurrence('FREQ=WEEKLY;BYDAY=FR', '2025-01-03')).toBe('2025-01-10'); // a Friday
  });

  it('every 2 weeks', () => {
    expect(nextOccurrence('FREQ=WEEKLY;INTERVAL=2', '2025-01-01')).toBe('2025-01-15');
    expect(nextOccurrence('RRULE:FREQ=WEEKLY;INTERVAL=2', '2025-12-24')).toBe('2026-01-07');
  });

  it('monthly on the 1st and on the 31st (months without one are skipped)', () => {
    expect(nextOccurrence('FREQ=MONTHLY;BYMONTHDAY=1', '2025-01-01')).toBe('2025-02-01');
    expect(nextOccurrence('FREQ=MONTHLY;BYMONTHDAY=1', '2025-01-15')).toBe('2025-02-01');
    expect(nextOccurrence('FREQ=MONTHLY;BYMONTHDAY=31', '2025-01-31')).toBe('2025-03-31');
    expect(nextOccurrence('FREQ=MONTHLY;BYMONTHDAY=-1', '2025-01-31')).toBe('2025-02-28');
  });

  it('daily and yearly, across a leap day', () => {
    expect(nextOccurrence('FREQ=DAILY', '2024-02-28')).toBe('2024-02-29');
    expect(nextOccurrence('FREQ=YEARLY', '2024-03-01')).toBe('2025-03-01');
  });

  it('from completion: counted from the day it was done', () => {
    // Due long ago, done on 2025-06-10 (a Tuesday): three days after completion.
    expect(nextOccurrence('FREQ=DAILY;INTERVAL=3', '2025-06-10')).toBe('2025-06-13');
    expect(nextOccurrence('FREQ=WEEKLY;BYDAY=MO', '2025-06-10')).toBe('2025-06-16');
  });

  it('COUNT or UNTIL exhausted: no next occurrence', () => {
    expect(nextOccurrence('FREQ=DAILY;COUNT=1', '2025-01-01')).toBeNull();
    expect(nextOccurrence('FREQ=DAILY;COUNT=2', '2025-01-01')).toBe('2025-01-02');
    expect(nextOccurrence('FREQ=DAILY;UNTIL=20250105', '2025-01-04')).toBe('2025-01-05');
    expect(nextOccurrence('FREQ=DAILY;UNTIL=20250105', '2025-01-05')).toBeNull();
    expect(nextOccurrence('FREQ=WEEKLY;UNTIL=20250105T000000Z', '2025-01-01')).toBeNull();
  });

  it('a rule that never matches has no next occurrence, quickly', () => {
    const t0 = Date.now();
    expect(nextOccurrence('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', '2025-01-01')).toBeNull();
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('rruleProblem', () => {
  it('accepts the usual rules', () => {
    for (const r of [
      'FREQ=WEEKLY;BYDAY=FR',
      'RRULE:FREQ=MONTHLY;BYMONTHDAY=1',
      'FREQ=YEARLY;COUNT=3',
      'FREQ=DAILY;UNTIL=20300101',
      'FREQ=WEEKLY;BYDAY=MO,WE,FR;INTERVAL=2',
    ]) {
      expect(rruleProblem(r), r).toBeUndefined();
    }
  });

  it('refuses what is not a rule, or not one for a due date', () => {
    for (const r of [
      '',
      'garbage',
      'BYDAY=FR',
      'FREQ=HOURLY',
      'FREQ=MINUTELY;INTERVAL=5',
      'FREQ=WEEKLY;BYDAY=XX',
      'FREQ=DAILY;INTERVAL=abc',
      'FREQ=DAILY;INTERVAL=0',
      'FREQ=DAILY;COUNT=0',
      'DTSTART:20250101T000000Z\nRRULE:FREQ=DAILY',
      'FREQ=DAILY;DTSTART=20250101',
      `FREQ=DAILY;${'BYMONTH=1;'.repeat(60)}`,
    ]) {
      expect(rruleProblem(r), r).toEqual(expect.any(String));
    }
  });

  it('normalizes the RRULE: prefix away', () => {
    expect(normalizeRrule(' RRULE:FREQ=DAILY ')).toBe('FREQ=DAILY');
  });
});

describe('time zones', () => {
  it('today in a zone', () => {
    const now = new Date('2025-03-01T23:30:00Z');
    expect(todayIn('UTC', now)).toBe('2025-03-01');
    expect(todayIn('Europe/Paris', now)).toBe('2025-03-02');
    expect(todayIn('America/New_York', now)).toBe('2025-03-01');
  });

  it('knows IANA zones and refuses the rest', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

describe('completionDate', () => {
  it('is the day of the completion in the user’s zone, not in UTC', () => {
    // 08:00 in Sydney (UTC+10 in June) is 22:00 the day before in UTC.
    expect(completionDate('2025-06-09T22:00:00.000Z', 'Australia/Sydney')).toBe('2025-06-10');
    expect(completionDate('2025-06-09T22:00:00.000Z', 'UTC')).toBe('2025-06-09');
    // West of UTC: still the evening before.
    expect(completionDate('2025-06-10T02:00:00.000Z', 'America/New_York')).toBe('2025-06-09');
    // From completion, daily: the next one is the day after the local day.
    expect(
      nextOccurrence('FREQ=DAILY', completionDate('2025-06-09T22:00:00.000Z', 'Australia/Sydney')),
    ).toBe('2025-06-11');
  });
});
