// Time zone names a calendar accepts, and the offset changes the clock finds.
import { describe, expect, it } from 'vitest';
import { normalizeTimeZone, timeZoneProblem, ZoneClock } from './calendar-zone.js';

describe('time zone names', () => {
  it.each(['Europe/Istanbul', 'America/New_York', 'America/Argentina/Buenos_Aires', 'UTC', 'Etc/GMT+3', 'Asia/Kolkata'])(
    'accepts %s',
    (name) => expect(timeZoneProblem(name)).toBeUndefined(),
  );

  it.each(['+03:00', 'UTC+3', 'EST', 'EST5EDT', 'CET', 'Mars/Olympus_Mons', 'Europe/Istanbul ', ''])('refuses %j', (name) =>
    expect(timeZoneProblem(name)).toMatch(/IANA/),
  );

  it('fixes the letter case of a known name and keeps links as written', () => {
    expect(normalizeTimeZone('europe/istanbul')).toBe('Europe/Istanbul');
    expect(normalizeTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
  });
});

describe('ZoneClock', () => {
  it('finds both 2026 DST changes of New York to the second', () => {
    const clock = new ZoneClock('America/New_York');
    const found = clock.transitions(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-12-31T00:00:00Z'));
    expect(found.map((t) => new Date(t).toISOString())).toEqual(['2026-03-08T07:00:00.000Z', '2026-11-01T06:00:00.000Z']);
  });

  it('finds none in Istanbul', () => {
    const clock = new ZoneClock('Europe/Istanbul');
    expect(clock.transitions(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-12-31T00:00:00Z'))).toEqual([]);
  });

  it('reads the wall clock and the offset', () => {
    const c = new ZoneClock('Australia/Sydney').wallClock(Date.parse('2026-01-01T00:30:15.500Z'));
    expect(c).toEqual({ year: 2026, month: 1, day: 1, hour: 11, minute: 30, second: 15, offsetMs: 11 * 3_600_000 });
  });
});
