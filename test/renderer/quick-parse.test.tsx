// The quick-add parser: plain words to a task's fields, with "now" fixed (Monday 7 Dec 2026,
// 10:00 local time) so every relative date is known.
import { describe, expect, it } from 'vitest';
import { parseQuickAdd, toTaskInput } from '../../renderer/src/tasks/quick-parse.js';
import { describeRecurrence, findRecurrence } from '../../renderer/src/tasks/recurrence.js';

const now = new Date(2026, 11, 7, 10, 0);
const projects = [
  { id: 'p-home', name: 'Home' },
  { id: 'p-office', name: 'Home office' },
  { id: 'p-work', name: 'Work' },
];
const parse = (text: string) => parseQuickAdd(text, { now, projects });

describe('quick add parser', () => {
  it('the acceptance line: title, date, time, weekly from due, tag, priority', () => {
    const p = parse('Water plants tomorrow 9am every week #home !high');
    expect(p).toMatchObject({
      title: 'Water plants',
      dueDate: '2026-12-08',
      dueTime: '09:00',
      recurrence: { rrule: 'FREQ=WEEKLY', from: 'due' },
      tags: ['home'],
      priority: 'high',
      projectId: null,
    });
    expect(p.chips.map((c) => c.kind)).toEqual(['date', 'time', 'recurrence', 'priority', 'tag']);
    expect(p.chips.map((c) => c.label)).toEqual([
      'Tue, 8 Dec 2026',
      '09:00',
      'every week',
      'high',
      '#home',
    ]);
    expect(toTaskInput(p)).toEqual({
      title: 'Water plants',
      priority: 'high',
      dueDate: '2026-12-08',
      dueTime: '09:00',
      recurrence: { rrule: 'FREQ=WEEKLY', from: 'due' },
      tags: ['home'],
    });
  });

  it('plain text is all title, with no chips and no fields', () => {
    const p = parse('Buy 2 apples');
    expect(p).toMatchObject({ title: 'Buy 2 apples', dueDate: null, dueTime: null, tags: [] });
    expect(p.chips).toEqual([]);
    expect(toTaskInput(p)).toEqual({ title: 'Buy 2 apples' });
  });

  it.each([
    ['Call mom tomorrow 5pm', 'Call mom', '2026-12-08', '17:00'],
    ['Pay rent next fri', 'Pay rent', '2026-12-18', null],
    ['Dentist on 3 March', 'Dentist', '2027-03-03', null],
    ['Report due friday', 'Report', '2026-12-11', null],
    ['Standup today at 14:30', 'Standup', '2026-12-07', '14:30'],
    ['Ship it in 3 days', 'Ship it', '2026-12-10', null],
    ['Party sat 8pm', 'Party', '2026-12-12', '20:00'],
  ])('%s', (text, title, dueDate, dueTime) => {
    expect(parse(text)).toMatchObject({ title, dueDate, dueTime });
  });

  it.each([
    ['every monday', 'FREQ=WEEKLY;BYDAY=MO', 'every week on Monday'],
    ['every 2 weeks', 'FREQ=WEEKLY;INTERVAL=2', 'every 2 weeks'],
    ['every month on the 1st', 'FREQ=MONTHLY;BYMONTHDAY=1', 'every month on the 1st'],
    ['every week', 'FREQ=WEEKLY', 'every week'],
    ['every day', 'FREQ=DAILY', 'every day'],
    ['daily', 'FREQ=DAILY', 'every day'],
    ['every other day', 'FREQ=DAILY;INTERVAL=2', 'every 2 days'],
    ['every weekday', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', null],
    ['every tue and thu', 'FREQ=WEEKLY;BYDAY=TU,TH', null],
    ['every 3 months', 'FREQ=MONTHLY;INTERVAL=3', 'every 3 months'],
    ['every year', 'FREQ=YEARLY', 'every year'],
  ])('recurrence "%s" is %s', (phrase, rrule, words) => {
    const m = findRecurrence(`Task ${phrase} now`);
    expect(m?.text).toBe(phrase);
    expect(m?.recurrence).toEqual({ rrule, from: 'due' });
    if (words !== null) expect(describeRecurrence(m!.recurrence)).toBe(words);
  });

  it('"every!" and "after completion" repeat from completion', () => {
    expect(parse('Haircut every! 4 weeks').recurrence).toEqual({
      rrule: 'FREQ=WEEKLY;INTERVAL=4',
      from: 'completion',
    });
    const p = parse('Clean the filter every month after completion');
    expect(p.title).toBe('Clean the filter');
    expect(p.recurrence).toEqual({ rrule: 'FREQ=MONTHLY', from: 'completion' });
    expect(p.chips.find((c) => c.kind === 'recurrence')?.label).toBe(
      'every month after completion',
    );
  });

  it('a recurrence without a date starts at its first day from today', () => {
    expect(parse('Gym every monday')).toMatchObject({
      title: 'Gym',
      dueDate: '2026-12-07', // today is a Monday
      recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO', from: 'due' },
    });
    expect(parse('Bins every thursday').dueDate).toBe('2026-12-10');
    expect(parse('Pay rent every month on the 1st').dueDate).toBe('2027-01-01');
    expect(parse('Stretch every day').dueDate).toBe('2026-12-07');
  });

  it('weekday names in a recurrence are not read as a date', () => {
    const p = parse('Review every friday 4pm');
    expect(p.recurrence?.rrule).toBe('FREQ=WEEKLY;BYDAY=FR');
    expect(p.dueTime).toBe('16:00');
    expect(p.title).toBe('Review');
  });

  it('@project matches an existing project ignoring case, longest name first', () => {
    expect(parse('Fix the desk @home office')).toMatchObject({
      title: 'Fix the desk',
      projectId: 'p-office',
    });
    expect(parse('Fix the desk @HOME')).toMatchObject({
      title: 'Fix the desk',
      projectId: 'p-home',
    });
    const unknown = parse('Email @nobody about it');
    expect(unknown.projectId).toBeNull();
    expect(unknown.title).toBe('Email @nobody about it');
    expect(unknown.chips).toEqual([
      { kind: 'unknown', label: 'No project “nobody”', source: '@nobody' },
    ]);
    // An address is not a project.
    expect(parse('Write to a@work.example').title).toBe('Write to a@work.example');
  });

  it('#tags are distinct ignoring case, in order; a lone # stays in the title', () => {
    const p = parse('Plan #Trip #budget #trip # later');
    expect(p.tags).toEqual(['Trip', 'budget']);
    expect(p.title).toBe('Plan # later');
  });

  it('!high / !medium / !low set the priority, anything else stays text', () => {
    expect(parse('Fix bug !LOW').priority).toBe('low');
    expect(parse('Fix bug !medium').priority).toBe('medium');
    const p = parse('Wow! great !urgent');
    expect(p.priority).toBeNull();
    expect(p.title).toBe('Wow! great !urgent');
  });

  it('defaults fill what the line left out, and the line wins over them', () => {
    const p = parse('Read #books');
    expect(
      toTaskInput(p, { projectId: 'p-work', tags: ['Books', 'later'], dueDate: '2026-12-24' }),
    ).toEqual({
      title: 'Read',
      dueDate: '2026-12-24',
      tags: ['books', 'later'],
      projectId: 'p-work',
    });
    const q = parse('Read tomorrow @home');
    expect(toTaskInput(q, { projectId: 'p-work', dueDate: '2026-12-24' })).toMatchObject({
      dueDate: '2026-12-08',
      projectId: 'p-home',
    });
  });
});
