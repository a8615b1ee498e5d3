// Business hours judged on the office's wall clock, across DST changes in both
// hemispheres, a zone without DST, holidays, and the exact next change.
import { describe, expect, it } from 'vitest';
import { isOpen, nextChange, type CalendarRules, type WeekdayWindow } from './calendar.js';

const weekdays = (start: string, end: string, days = [1, 2, 3, 4, 5]): WeekdayWindow[] =>
  days.map((weekday) => ({ weekday, start, end }));

const cal = (timezone: string, weekdayWindows: WeekdayWindow[], holidays: string[] = []): CalendarRules => ({
  timezone,
  weekdayWindows,
  holidays,
});

const at = (iso: string): Date => new Date(iso);
const next = (c: CalendarRules, iso: string): string | undefined => nextChange(c, at(iso))?.toISOString();

describe("the seed's Istanbul office hours", () => {
  // The seed: Monday and Tuesday 09:00-18:00, holidays 2026-04-23 and 2026-05-01.
  const seed = cal('Europe/Istanbul', weekdays('09:00', '18:00', [1, 2]), ['2026-04-23', '2026-05-01']);
  const office = cal('Europe/Istanbul', weekdays('09:00', '18:00'), ['2026-04-23']);

  it('opens at 09:00 and closes at 18:00 Istanbul time (UTC+3)', () => {
    expect(isOpen(seed, at('2026-04-20T05:59:59Z'))).toMatchObject({ open: false, reason: 'outside_windows', localTime: '08:59' });
    expect(isOpen(seed, at('2026-04-20T06:00:00Z'))).toMatchObject({
      open: true,
      reason: 'within_window',
      localDate: '2026-04-20',
      localTime: '09:00',
      weekday: 1,
      utcOffset: '+03:00',
      window: { weekday: 1, start: '09:00', end: '18:00' },
    });
    expect(isOpen(seed, at('2026-04-21T14:59:00Z')).open).toBe(true);
    expect(isOpen(seed, at('2026-04-21T15:00:00Z'))).toMatchObject({ open: false, localTime: '18:00' });
    // Wednesday has no window in the seed's calendar.
    expect(isOpen(seed, at('2026-04-22T09:00:00Z'))).toMatchObject({ open: false, weekday: 3, reason: 'outside_windows' });
  });

  it('is closed all day on a holiday, judged by the Istanbul date', () => {
    expect(isOpen(office, at('2026-04-23T07:00:00Z'))).toMatchObject({ open: false, reason: 'holiday', weekday: 4 });
    // 23:30 UTC on the 22nd is already the 23rd in Istanbul.
    expect(isOpen(office, at('2026-04-22T21:30:00Z'))).toMatchObject({ reason: 'holiday', localDate: '2026-04-23' });
    expect(next(office, '2026-04-23T07:00:00Z')).toBe('2026-04-24T06:00:00.000Z');
  });

  it('never changes offset', () => {
    expect(isOpen(office, at('2026-01-15T12:00:00Z')).utcOffset).toBe('+03:00');
    expect(isOpen(office, at('2026-07-15T12:00:00Z')).utcOffset).toBe('+03:00');
    // Friday 18:00 to Monday 09:00, both at +03:00.
    expect(next(office, '2026-04-24T15:00:00Z')).toBe('2026-04-27T06:00:00.000Z');
  });
});

describe('America/New_York', () => {
  it('spring forward (2026-03-08): the skipped hour has no instants; a window starting in it opens at 03:00', () => {
    const c = cal('America/New_York', [{ weekday: 7, start: '02:30', end: '04:00' }]);
    expect(isOpen(c, at('2026-03-08T06:59:59Z'))).toMatchObject({ open: false, localTime: '01:59', utcOffset: '-05:00' });
    expect(isOpen(c, at('2026-03-08T07:00:00Z'))).toMatchObject({ open: true, localTime: '03:00', utcOffset: '-04:00' });
    expect(next(c, '2026-03-08T06:00:00Z')).toBe('2026-03-08T07:00:00.000Z');
    // 04:00 EDT, one hour after the jump.
    expect(next(c, '2026-03-08T07:00:00Z')).toBe('2026-03-08T08:00:00.000Z');
  });

  it('office hours keep 09:00 local across the change: 14:00Z before, 13:00Z after', () => {
    const c = cal('America/New_York', weekdays('09:00', '17:00'));
    expect(isOpen(c, at('2026-03-06T14:00:00Z')).open).toBe(true);
    expect(isOpen(c, at('2026-03-09T13:30:00Z')).open).toBe(true);
    expect(isOpen(c, at('2026-03-09T12:59:00Z')).open).toBe(false);
    // Closed Friday 17:00 EST, open Monday 09:00 EDT.
    expect(next(c, '2026-03-06T22:00:00Z')).toBe('2026-03-09T13:00:00.000Z');
  });

  it('fall back (2026-11-01): 01:15 happens twice and is open both times', () => {
    const c = cal('America/New_York', [{ weekday: 7, start: '01:00', end: '01:30' }]);
    expect(isOpen(c, at('2026-11-01T05:15:00Z'))).toMatchObject({ open: true, localTime: '01:15', utcOffset: '-04:00' });
    expect(isOpen(c, at('2026-11-01T05:45:00Z'))).toMatchObject({ open: false, localTime: '01:45', utcOffset: '-04:00' });
    expect(isOpen(c, at('2026-11-01T06:15:00Z'))).toMatchObject({ open: true, localTime: '01:15', utcOffset: '-05:00' });
    expect(isOpen(c, at('2026-11-01T06:45:00Z'))).toMatchObject({ open: false, localTime: '01:45', utcOffset: '-05:00' });
    // Closes at the first 01:30, reopens when the clock goes back to 01:00, closes at the second 01:30.
    expect(next(c, '2026-11-01T05:00:00Z')).toBe('2026-11-01T05:30:00.000Z');
    expect(next(c, '2026-11-01T05:30:00Z')).toBe('2026-11-01T06:00:00.000Z');
    expect(next(c, '2026-11-01T06:00:00Z')).toBe('2026-11-01T06:30:00.000Z');
  });

  it('a Sunday window given as weekday 0 is the same as weekday 7', () => {
    const c = cal('America/New_York', [{ weekday: 0, start: '10:00', end: '12:00' }]);
    expect(isOpen(c, at('2026-11-01T15:00:00Z'))).toMatchObject({ open: true, weekday: 7 });
    expect(isOpen(c, at('2026-11-02T15:00:00Z')).open).toBe(false);
  });
});

describe('Europe/London', () => {
  const c = cal('Europe/London', weekdays('09:00', '17:30'));

  it('opens at 09:00 GMT before 2026-03-29 and 09:00 BST (08:00Z) after', () => {
    expect(isOpen(c, at('2026-03-27T09:00:00Z'))).toMatchObject({ open: true, utcOffset: '+00:00' });
    expect(isOpen(c, at('2026-03-30T08:00:00Z'))).toMatchObject({ open: true, localTime: '09:00', utcOffset: '+01:00' });
    expect(next(c, '2026-03-27T17:30:00Z')).toBe('2026-03-30T08:00:00.000Z');
  });

  it('closes at 17:30 BST before 2026-10-25 and 17:30 GMT after', () => {
    expect(next(c, '2026-10-23T12:00:00Z')).toBe('2026-10-23T16:30:00.000Z');
    expect(next(c, '2026-10-26T12:00:00Z')).toBe('2026-10-26T17:30:00.000Z');
  });
});

describe('Australia/Sydney (southern hemisphere)', () => {
  const c = cal('Australia/Sydney', weekdays('09:00', '17:00'));

  it('DST ends on 2026-04-05: Monday opens at 09:00 AEST (23:00Z), a week after 09:00 AEDT (22:00Z)', () => {
    expect(isOpen(c, at('2026-03-29T22:00:00Z'))).toMatchObject({ open: true, weekday: 1, utcOffset: '+11:00' });
    expect(next(c, '2026-04-03T06:00:00Z')).toBe('2026-04-05T23:00:00.000Z');
    expect(isOpen(c, at('2026-04-05T23:00:00Z'))).toMatchObject({ open: true, localTime: '09:00', utcOffset: '+10:00' });
  });

  it('DST starts on 2026-10-04: Monday opens at 09:00 AEDT (22:00Z)', () => {
    expect(next(c, '2026-10-02T07:00:00Z')).toBe('2026-10-04T22:00:00.000Z');
    expect(isOpen(c, at('2026-10-04T21:59:00Z')).open).toBe(false);
  });
});

describe('edge rules', () => {
  it('with no windows it is never open and never changes', () => {
    const c = cal('UTC', []);
    expect(isOpen(c, at('2026-06-01T12:00:00Z'))).toMatchObject({ open: false, reason: 'outside_windows' });
    expect(nextChange(c, at('2026-06-01T12:00:00Z'))).toBeNull();
  });

  it('back-to-back windows, including across midnight with 24:00, are one opening', () => {
    const allWeek = cal('Europe/Berlin', weekdays('00:00', '24:00', [1, 2, 3, 4, 5, 6, 7]));
    expect(isOpen(allWeek, at('2026-03-29T01:30:00Z')).open).toBe(true);
    expect(nextChange(allWeek, at('2026-03-25T12:00:00Z'))).toBeNull();
    const split = cal('UTC', [
      { weekday: 5, start: '20:00', end: '24:00' },
      { weekday: 6, start: '00:00', end: '02:00' },
      { weekday: 6, start: '02:00', end: '03:00' },
    ]);
    expect(isOpen(split, at('2026-06-05T23:59:59Z')).open).toBe(true);
    expect(next(split, '2026-06-05T21:00:00Z')).toBe('2026-06-06T03:00:00.000Z');
  });

  it('the end is exclusive, the start inclusive', () => {
    const c = cal('UTC', [{ weekday: 1, start: '09:00', end: '10:00' }]);
    expect(isOpen(c, at('2026-06-01T09:00:00.000Z')).open).toBe(true);
    expect(isOpen(c, at('2026-06-01T09:59:59.999Z')).open).toBe(true);
    expect(isOpen(c, at('2026-06-01T10:00:00.000Z')).open).toBe(false);
  });

  it('a holiday inside round-the-clock hours closes at local midnight and reopens the next', () => {
    const c = cal('America/New_York', weekdays('00:00', '24:00', [1, 2, 3, 4, 5, 6, 7]), ['2026-12-25']);
    expect(next(c, '2026-12-24T12:00:00Z')).toBe('2026-12-25T05:00:00.000Z');
    expect(next(c, '2026-12-25T12:00:00Z')).toBe('2026-12-26T05:00:00.000Z');
  });

  it('reports no change when nothing flips within the horizon', () => {
    // Open only on Mondays; the next Monday is a holiday, so nothing opens for 14 days.
    const c = cal('UTC', [{ weekday: 1, start: '09:00', end: '10:00' }], ['2026-06-08']);
    expect(nextChange(c, at('2026-06-02T00:00:00Z'))).toBeNull();
    expect(nextChange(c, at('2026-06-02T00:00:00Z'), 14)?.toISOString()).toBe('2026-06-15T09:00:00.000Z');
  });
});
