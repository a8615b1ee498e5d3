import { describe, expect, it } from 'vitest';
import { Ticker } from './ticker.js';

/** A clock and a single timer slot the test advances by hand. */
function fakeTime() {
  let now = 1000;
  let timer: { at: number; fn: () => void } | null = null;
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      timer = { at: now + ms, fn };
      return timer;
    },
    clearTimer: () => {
      timer = null;
    },
    /** Fires the pending timer, `lateBy` ms after it was due. */
    fire(lateBy = 0) {
      const t = timer!;
      timer = null;
      now = Math.max(now, t.at + lateBy);
      t.fn();
    },
    advance(ms: number) {
      now += ms;
    },
    get pendingAt() {
      return timer?.at ?? null;
    },
  };
}

describe('Ticker', () => {
  it('schedules each tick from its ideal time, so a late timer does not delay later ticks', () => {
    const t = fakeTime();
    const ticks: number[] = [];
    const ticker = new Ticker({ onTick: () => ticks.push(t.now()), ...t });
    ticker.start();
    expect(t.pendingAt).toBe(1020);
    t.fire(7); // runs at 1027
    expect(t.pendingAt).toBe(1040); // not 1047
    t.fire();
    t.fire();
    expect(ticks).toEqual([1027, 1040, 1060]);
    const s = ticker.lateness.toJSON();
    expect(s.ticks).toBe(3);
    expect(s.late).toBe(1);
    expect(s.maxMs).toBe(7);
    expect(s.p50Ms).toBe(0);
  });

  it('catches up missed ticks after a stall, and skips what is beyond the catch-up limit', () => {
    const t = fakeTime();
    let ticks = 0;
    const ticker = new Ticker({ onTick: () => ticks++, maxCatchUp: 5, ...t });
    ticker.start();
    t.fire(65); // due 1020, runs at 1085: ticks due 1020, 1040, 1060, 1080 run now
    expect(ticks).toBe(4);
    expect(t.pendingAt).toBe(1100);
    t.fire(300); // due 1100, runs at 1400: 5 run back to back, the rest skipped
    expect(ticks).toBe(9);
    expect(ticker.lateness.skipped).toBe(10); // 1200..1380; the one due at 1400 runs next
    expect(t.pendingAt! - 1400).toBeLessThanOrEqual(20);
    ticker.stop();
    expect(t.pendingAt).toBeNull();
  });
});
