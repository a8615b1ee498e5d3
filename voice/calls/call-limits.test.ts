import { describe, expect, it } from 'vitest';
import { CallLimits, type Admission } from './call-limits.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const okCount = (as: Admission[]) => as.filter((a) => a.ok).length;

describe('call limits', () => {
  it('lets a burst of one second of calls through, then refuses with Retry-After', () => {
    const c = clock();
    const limits = new CallLimits({ now: c.now });
    const l = { maxConcurrentCalls: 1000, maxCallsPerSecond: 5 };
    const burst = Array.from({ length: 7 }, () => limits.admit('t1', l));
    expect(okCount(burst)).toBe(5);
    expect(burst[5]).toEqual({ ok: false, limit: 'max_calls_per_second', retryAfterSeconds: 1 });
  });

  it('refills continuously at the per-second rate', () => {
    const c = clock();
    const limits = new CallLimits({ now: c.now });
    const l = { maxConcurrentCalls: 1000, maxCallsPerSecond: 10 };
    for (let i = 0; i < 10; i++) expect(limits.admit('t1', l).ok).toBe(true);
    expect(limits.admit('t1', l).ok).toBe(false);
    c.advance(100); // one token
    expect(limits.admit('t1', l).ok).toBe(true);
    expect(limits.admit('t1', l).ok).toBe(false);
    c.advance(10_000); // never more than one second's worth saved up
    expect(okCount(Array.from({ length: 15 }, () => limits.admit('t1', l)))).toBe(10);
  });

  it('holds a steady rate: 20 s at 2x the limit admits the limit', () => {
    const c = clock();
    const limits = new CallLimits({ now: c.now });
    const l = { maxConcurrentCalls: 100_000, maxCallsPerSecond: 50 };
    let ok = 0;
    for (let i = 0; i < 2000; i++) {
      if (limits.admit('t1', l).ok) ok++;
      c.advance(10); // 100 attempts per second
    }
    // 20 s x 50/s, plus the initial full bucket.
    expect(ok).toBeGreaterThanOrEqual(1000);
    expect(ok).toBeLessThanOrEqual(1051);
  });

  it('refuses beyond the concurrent limit without spending the rate, and release frees a slot once', () => {
    const c = clock();
    const limits = new CallLimits({ now: c.now, concurrencyRetryAfterSeconds: 7 });
    const l = { maxConcurrentCalls: 2, maxCallsPerSecond: 3 };
    const a = limits.admit('t1', l);
    const b = limits.admit('t1', l);
    expect(a.ok && b.ok).toBe(true);
    expect(limits.admit('t1', l)).toEqual({ ok: false, limit: 'max_concurrent_calls', retryAfterSeconds: 7 });
    expect(limits.active('t1')).toBe(2);
    if (a.ok) {
      a.release();
      a.release(); // a second release must not free someone else's slot
    }
    expect(limits.active('t1')).toBe(1);
    // The refused attempt spent no token: the third token is still there.
    expect(limits.admit('t1', l).ok).toBe(true);
    expect(limits.active('t1')).toBe(2);
  });

  it('keeps tenants apart', () => {
    const c = clock();
    const limits = new CallLimits({ now: c.now });
    const l = { maxConcurrentCalls: 1, maxCallsPerSecond: 1 };
    expect(limits.admit('t1', l).ok).toBe(true);
    expect(limits.admit('t1', l).ok).toBe(false);
    expect(limits.admit('t2', l).ok).toBe(true);
  });

  it('applies a lowered rate at once', () => {
    const c = clock();
    const limits = new CallLimits({ now: c.now });
    expect(limits.admit('t1', { maxConcurrentCalls: 100, maxCallsPerSecond: 100 }).ok).toBe(true);
    const low = { maxConcurrentCalls: 100, maxCallsPerSecond: 2 };
    expect(okCount(Array.from({ length: 5 }, () => limits.admit('t1', low)))).toBe(2);
  });

  it('reads the tenant limits from its settings in check()', async () => {
    const c = clock();
    const limits = new CallLimits({ now: c.now, settings: { get: async () => ({ maxConcurrentCalls: 1, maxCallsPerSecond: 10 }) } });
    expect((await limits.check('t1')).ok).toBe(true);
    expect(await limits.check('t1')).toMatchObject({ ok: false, limit: 'max_concurrent_calls' });
  });
});
