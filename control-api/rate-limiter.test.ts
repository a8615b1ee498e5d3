import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from './rate-limiter.js';

describe('TokenBucketLimiter', () => {
  it('allows a minute of requests at once, then refills continuously', () => {
    let now = 0;
    const l = new TokenBucketLimiter(() => now);
    for (let i = 0; i < 60; i++) expect(l.take('t', 60).allowed).toBe(true);
    const refused = l.take('t', 60);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    now += 1000; // one token per second at 60/min
    expect(l.take('t', 60).allowed).toBe(true);
    expect(l.take('t', 60).allowed).toBe(false);
  });

  it('keeps separate buckets per key', () => {
    const l = new TokenBucketLimiter(() => 0);
    expect(l.take('a', 1).allowed).toBe(true);
    expect(l.take('a', 1).allowed).toBe(false);
    expect(l.take('b', 1).allowed).toBe(true);
  });

  it('tells how long to wait for the next token', () => {
    const l = new TokenBucketLimiter(() => 0);
    l.take('t', 6);
    for (let i = 0; i < 5; i++) l.take('t', 6);
    expect(l.take('t', 6).retryAfterSeconds).toBe(10);
  });
});
