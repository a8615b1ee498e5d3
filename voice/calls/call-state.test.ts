import { describe, expect, it } from 'vitest';
import { ConflictError } from '../config/errors.js';
import { TERMINAL_STATUSES, type CallStatus } from './call-status.js';
import { IllegalCallTransition, nextStatus, type CallInput } from './call-state.js';

const ring: CallInput = { type: 'ring' };
const answer: CallInput = { type: 'answer' };
const end = (outcome: Extract<CallInput, { type: 'end' }>['outcome']): CallInput => ({ type: 'end', outcome });

/** Runs inputs from initiating and returns the statuses passed through. */
function run(...inputs: CallInput[]): CallStatus[] {
  let s: CallStatus = 'initiating';
  const seen: CallStatus[] = [s];
  for (const i of inputs) {
    s = nextStatus(s, i).to;
    seen.push(s);
  }
  return seen;
}

describe('call state machine', () => {
  it('walks the happy path initiating → ringing → in_progress → completed', () => {
    expect(run(ring, answer, end({ kind: 'bye' }))).toEqual(['initiating', 'ringing', 'in_progress', 'completed']);
  });

  it('answers straight from initiating (200 without 18x)', () => {
    expect(run(answer, end({ kind: 'bye' }))).toEqual(['initiating', 'in_progress', 'completed']);
  });

  it('treats a second ring as no change', () => {
    expect(nextStatus('ringing', ring)).toEqual({ to: 'ringing', changed: false });
  });

  it('ends an unanswered call by the table', () => {
    expect(run(ring, end({ kind: 'sip_final', code: 486 })).at(-1)).toBe('busy');
    expect(run(end({ kind: 'sip_final', code: 480 })).at(-1)).toBe('no_answer');
    expect(run(ring, end({ kind: 'ring_timeout' })).at(-1)).toBe('no_answer');
    expect(run(ring, end({ kind: 'cancel' })).at(-1)).toBe('cancelled');
    expect(run(end({ kind: 'sip_final', code: 503 })).at(-1)).toBe('failed');
    expect(run(end({ kind: 'error' })).at(-1)).toBe('failed');
    expect(nextStatus('ringing', end({ kind: 'sip_final', code: 486 })).cause).toBe('user_busy');
  });

  it('refuses a BYE before answer and a final response, timeout or CANCEL after it', () => {
    expect(() => nextStatus('ringing', end({ kind: 'bye' }))).toThrow(IllegalCallTransition);
    expect(() => nextStatus('initiating', end({ kind: 'bye' }))).toThrow(IllegalCallTransition);
    for (const o of [{ kind: 'sip_final', code: 486 }, { kind: 'ring_timeout' }, { kind: 'cancel' }, { kind: 'error' }] as const) {
      expect(() => nextStatus('in_progress', end(o))).toThrow(IllegalCallTransition);
    }
  });

  it('refuses ringing or answering an answered call', () => {
    expect(() => nextStatus('in_progress', ring)).toThrow(IllegalCallTransition);
    expect(() => nextStatus('in_progress', answer)).toThrow(IllegalCallTransition);
  });

  it.each(TERMINAL_STATUSES)('keeps %s final against every input', (s) => {
    for (const i of [ring, answer, end({ kind: 'bye' }), end({ kind: 'cancel' }), end({ kind: 'sip_final', code: 486 })]) {
      expect(() => nextStatus(s, i)).toThrow(IllegalCallTransition);
    }
  });

  it('throws an error the API turns into 409 INVALID_CALL_STATE, naming both sides', () => {
    try {
      nextStatus('completed', answer);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConflictError);
      const e = err as IllegalCallTransition;
      expect(e.code).toBe('INVALID_CALL_STATE');
      expect(e.from).toBe('completed');
      expect(e.message).toContain('completed');
      expect(e.message).toContain('answer');
    }
  });
});
