import { describe, expect, it } from 'vitest';
import { isQuietHours } from './quiet-hours.js';

describe('isQuietHours', () => {
  it('refuses 21:00-08:00 local, allows 08:00-21:00, in the callee zone', () => {
    // 2026-07-01 02:00 UTC is 22:00 in New York (EDT) and 04:00 in Berlin (CEST).
    const at = new Date('2026-07-01T02:00:00Z');
    expect(isQuietHours('America/New_York', at)).toBe(true);
    expect(isQuietHours('Europe/Berlin', at)).toBe(true);
    // 13:00 UTC: 09:00 New York, 15:00 Berlin.
    const day = new Date('2026-07-01T13:00:00Z');
    expect(isQuietHours('America/New_York', day)).toBe(false);
    expect(isQuietHours('Europe/Berlin', day)).toBe(false);
    // Edges: 08:00 is allowed, 21:00 is not.
    expect(isQuietHours('UTC', new Date('2026-07-01T08:00:00Z'))).toBe(false);
    expect(isQuietHours('UTC', new Date('2026-07-01T07:59:00Z'))).toBe(true);
    expect(isQuietHours('UTC', new Date('2026-07-01T21:00:00Z'))).toBe(true);
    expect(isQuietHours('UTC', new Date('2026-07-01T20:59:00Z'))).toBe(false);
  });
});
