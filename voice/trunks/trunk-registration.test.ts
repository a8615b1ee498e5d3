// The timing of a trunk's registration: refresh inside 50-80 % of the granted time, growing
// waits after failures, 423's Min-Expires followed, and stop() removing the binding.
import { describe, expect, it } from 'vitest';
import type { RegisterOutcome } from '../../sip/ua/index.js';
import { TrunkRegistration, type RegistrationState } from './trunk-registration.js';

/** Timers run by hand: `fire()` runs the one pending timer and says how long it was set for. */
function manualTimers() {
  let pending: { fn: () => void; ms: number } | undefined;
  return {
    timers: {
      set: (fn: () => void, ms: number) => (pending = { fn, ms }),
      clear: () => (pending = undefined),
    },
    get next(): number | undefined {
      return pending?.ms;
    },
    fire(): void {
      const p = pending;
      pending = undefined;
      p?.fn();
    },
  };
}

const ok = (expires: number): RegisterOutcome => ({ status: 200, reason: 'OK', expires, local: false });
const fail = (status: number, reason: string, extra: Partial<RegisterOutcome> = {}): RegisterOutcome => ({ status, reason, expires: 0, local: false, ...extra });
const settle = () => new Promise((r) => setTimeout(r, 0));

function rig(answers: RegisterOutcome[], random = 0.5) {
  const asked: number[] = [];
  const states: RegistrationState[] = [];
  const t = manualTimers();
  let now = 1_000_000;
  const reg = new TrunkRegistration({
    register: async (expires) => {
      asked.push(expires);
      return expires === 0 ? ok(0) : (answers.shift() ?? ok(600));
    },
    onState: (s) => states.push(s),
    expires: 600,
    retryBaseMs: 1000,
    retryMaxMs: 8000,
    now: () => now,
    random: () => random,
    timers: t.timers,
  });
  return { reg, asked, states, t, advance: (ms: number) => (now += ms) };
}

describe('TrunkRegistration', () => {
  it('registers, then refreshes between half and four fifths of the granted time', async () => {
    for (const [random, expected] of [[0, 30_000], [1, 48_000]] as const) {
      const r = rig([ok(60)], random);
      r.reg.start();
      await settle();
      expect(r.asked).toEqual([600]);
      expect(r.states.map((s) => s.status)).toEqual(['registering', 'registered']);
      expect(r.states[1]!.expiresAt!.getTime()).toBe(1_000_000 + 60_000);
      expect(r.t.next).toBe(expected);
      r.t.fire();
      await settle();
      expect(r.asked).toEqual([600, 600]);
    }
  });

  it('retries a failure after 1, 2, 4, 8, 8 s (±20 %) and says why', async () => {
    const r = rig([fail(403, 'Forbidden'), fail(408, 'Request Timeout', { local: true }), fail(401, 'Unauthorized'), fail(503, 'Busy'), fail(503, 'Busy'), ok(60)]);
    r.reg.start();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      await settle();
      waits.push(r.t.next!);
      r.t.fire();
    }
    await settle();
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
    const errors = r.states.filter((s) => s.status === 'failed').map((s) => s.lastError);
    expect(errors.slice(0, 3)).toEqual(['403 Forbidden', '408 no response from the registrar', '401 Unauthorized (the carrier refused the credentials)']);
    expect(r.states.at(-1)).toMatchObject({ status: 'registered', lastError: null });
  });

  it('asks again at once with the Min-Expires of a 423', async () => {
    const r = rig([fail(423, 'Interval Too Brief', { minExpires: 1800 }), ok(1800)]);
    r.reg.start();
    await settle();
    expect(r.t.next).toBe(0);
    r.t.fire();
    await settle();
    expect(r.asked).toEqual([600, 1800]);
    expect(r.states.at(-1)?.status).toBe('registered');
  });

  it('stop() un-REGISTERs a live binding and stops refreshing', async () => {
    const r = rig([ok(60)]);
    r.reg.start();
    await settle();
    await r.reg.stop();
    expect(r.asked).toEqual([600, 0]);
    expect(r.t.next).toBeUndefined();
    expect(r.states.at(-1)).toEqual({ status: 'unregistered', expiresAt: null, lastError: null });
  });

  it('stop() sends nothing when no binding can exist (never registered, or expired)', async () => {
    const never = rig([fail(403, 'Forbidden')]);
    never.reg.start();
    await settle();
    await never.reg.stop();
    expect(never.asked).toEqual([600]);

    const expired = rig([ok(60)]);
    expired.reg.start();
    await settle();
    expired.advance(61_000);
    await expired.reg.stop();
    expect(expired.asked).toEqual([600]);
    expect(expired.states.at(-1)?.status).toBe('unregistered');
  });
});
