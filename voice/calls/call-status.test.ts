import { describe, expect, it } from 'vitest';
import { CALL_END_TABLE, endOf, isTerminal, LIVE_STATUSES, TERMINAL_STATUSES, CALL_STATUSES } from './call-status.js';

describe('the SIP final → call status table', () => {
  // One case per row of the table, in its order.
  it.each([
    [{ kind: 'sip_final', code: 486 } as const, 'busy', 'user_busy'],
    [{ kind: 'sip_final', code: 600 } as const, 'busy', 'user_busy'],
    [{ kind: 'sip_final', code: 408 } as const, 'no_answer', 'no_answer'],
    [{ kind: 'sip_final', code: 480 } as const, 'no_answer', 'no_answer'],
    [{ kind: 'ring_timeout' } as const, 'no_answer', 'ring_timeout'],
    [{ kind: 'cancel' } as const, 'cancelled', 'originator_cancel'],
    [{ kind: 'sip_final', code: 487 } as const, 'cancelled', 'originator_cancel'],
    [{ kind: 'sip_final', code: 404 } as const, 'failed', 'call_rejected'],
    [{ kind: 'error' } as const, 'failed', 'network_error'],
    [{ kind: 'bye' } as const, 'completed', 'normal_clearing'],
  ])('%j ends as %s', (outcome, status, cause) => {
    expect(endOf(outcome)).toEqual({ status, cause });
  });

  it('has exactly the rows tested above', () => {
    expect(CALL_END_TABLE).toHaveLength(10);
  });

  it.each([302, 403, 404, 488, 500, 503, 603, 699])('%i (another 3xx-6xx) is failed', (code) => {
    expect(endOf({ kind: 'sip_final', code }).status).toBe('failed');
  });

  it.each([100, 180, 200, 299, 700, 486.5])('refuses %s, which is no final non-2xx', (code) => {
    expect(() => endOf({ kind: 'sip_final', code })).toThrow(RangeError);
  });

  it('splits the statuses into live and terminal', () => {
    expect([...LIVE_STATUSES, ...TERMINAL_STATUSES].sort()).toEqual([...CALL_STATUSES].sort());
    for (const s of LIVE_STATUSES) expect(isTerminal(s)).toBe(false);
    for (const s of TERMINAL_STATUSES) expect(isTerminal(s)).toBe(true);
  });
});
