import { describe, expect, it } from 'vitest';
import { afterFailure, DEFAULT_RETRY_POLICY, retryDelayMs } from './backoff.js';

const mid = (): number => 0.5; // no jitter: the centre of the ±20 % band
const policy = DEFAULT_RETRY_POLICY;

describe('webhook retry backoff', () => {
  it('waits 5 s, 15 s, 45 s... and never more than an hour', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => retryDelayMs(n, policy, mid));
    expect(delays.slice(0, 6)).toEqual([5_000, 15_000, 45_000, 135_000, 405_000, 1_215_000]);
    expect(delays.slice(6)).toEqual([3600_000, 3600_000, 3600_000]);
    expect(retryDelayMs(200, policy, mid)).toBe(3600_000);
  });

  it('spreads each delay by ±20 %, never past the cap', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(4_000);
    expect(retryDelayMs(1, policy, () => 0.999999)).toBe(6_000);
    expect(retryDelayMs(9, policy, () => 0.999999)).toBe(3600_000);
    expect(retryDelayMs(9, policy, () => 0)).toBe(2880_000);
  });

  it('follows the configured base', () => {
    expect(retryDelayMs(2, { ...policy, baseMs: 100 }, mid)).toBe(300);
  });

  it('gives up after the 10th attempt', () => {
    const now = new Date('2024-01-01T00:00:00Z');
    const later = new Date('2024-01-02T00:00:00Z');
    expect(afterFailure(9, now, later, policy, mid)).toEqual({ retryAt: new Date(now.getTime() + 3600_000) });
    expect(afterFailure(10, now, later, policy, mid)).toEqual({ giveUp: true });
  });

  it('gives up when the next attempt would fall after the 24 h window', () => {
    const now = new Date('2024-01-01T23:59:58Z');
    const giveUpAt = new Date('2024-01-02T00:00:00Z');
    expect(afterFailure(1, now, giveUpAt, policy, mid)).toEqual({ giveUp: true });
    expect(afterFailure(1, now, new Date('2024-01-02T00:00:03Z'), policy, mid)).toEqual({
      retryAt: new Date('2024-01-02T00:00:03Z'),
    });
  });
});
