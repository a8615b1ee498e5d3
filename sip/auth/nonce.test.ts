// Stateless nonces: what the server accepts back, and what it refuses.
import { describe, expect, it } from 'vitest';
import { NonceIssuer } from './nonce.js';
import { NonceCounts } from './nonce-counts.js';

const SECRET = 'a-secret-of-at-least-16-bytes';
const TTL = 300_000;

function issuer(clock: { t: number }, bindSourceAddress = false, secret = SECRET) {
  return new NonceIssuer({ secret, ttlMs: TTL, now: () => clock.t, counterSeed: 7, bindSourceAddress });
}

describe('NonceIssuer', () => {
  it('accepts its own nonce until the TTL has passed, then calls it expired', () => {
    const clock = { t: 1_700_000_000_000 };
    const n = issuer(clock);
    const nonce = n.issue('example.com', '192.0.2.1');
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{36}$/);
    const first = n.check(nonce, 'example.com', '192.0.2.1');
    expect(first).toMatchObject({ state: 'valid', issuedAt: clock.t });
    // The next nonce carries the next counter value.
    expect(n.check(n.issue('example.com', '192.0.2.1'), 'example.com', '192.0.2.1').counter).toBe((first.counter + 1) >>> 0);
    clock.t += TTL;
    expect(n.check(nonce, 'example.com', '192.0.2.1').state).toBe('valid');
    clock.t += 1;
    expect(n.check(nonce, 'example.com', '192.0.2.1').state).toBe('expired');
  });

  it('gives distinct nonces within the same millisecond', () => {
    const n = issuer({ t: 1_700_000_000_000 });
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(n.issue('r', ''));
    expect(seen.size).toBe(1000);
  });

  it('rejects a nonce with any single character changed', () => {
    const n = issuer({ t: 1_700_000_000_000 });
    const nonce = n.issue('r', '');
    for (let i = 0; i < nonce.length; i++) {
      const c = nonce[i] === 'A' ? 'B' : 'A';
      const forged = nonce.slice(0, i) + c + nonce.slice(i + 1);
      expect(n.check(forged, 'r', '').state, `position ${i}`).toBe('invalid');
    }
  });

  it('rejects a nonce from another realm, another secret, or garbage without throwing', () => {
    const clock = { t: 1_700_000_000_000 };
    const n = issuer(clock);
    const nonce = n.issue('a.example', '');
    expect(n.check(nonce, 'b.example', '').state).toBe('invalid');
    expect(issuer(clock, false, 'another-secret-of-16-bytes').check(nonce, 'a.example', '').state).toBe('invalid');
    for (const junk of ['', 'x', '!'.repeat(36), 'A'.repeat(36), '====================================', 'é'.repeat(36), nonce + 'A', 'A'.repeat(10_000)]) {
      expect(n.check(junk, 'a.example', '').state).toBe('invalid');
    }
  });

  it('binds the source address only when configured to', () => {
    const clock = { t: 1_700_000_000_000 };
    const bound = issuer(clock, true);
    const nonce = bound.issue('r', '192.0.2.1');
    expect(bound.check(nonce, 'r', '192.0.2.1').state).toBe('valid');
    expect(bound.check(nonce, 'r', '192.0.2.2').state).toBe('invalid');
    const loose = issuer(clock, false);
    expect(loose.check(loose.issue('r', '192.0.2.1'), 'r', '192.0.2.2').state).toBe('valid');
  });

  it('refuses a secret shorter than 16 bytes', () => {
    expect(() => issuer({ t: 0 }, false, 'short')).toThrow(RangeError);
  });
});

describe('NonceCounts', () => {
  // A nonce is (counter, issuedAt): what its MAC vouches for.
  it('accepts increasing counts and refuses a repeated or lower one', () => {
    const c = new NonceCounts(10, TTL);
    expect(c.accept(1, 1000, 1, 1000)).toBe(true);
    expect(c.accept(1, 1000, 1, 1000)).toBe(false);
    expect(c.accept(1, 1000, 3, 1000)).toBe(true);
    expect(c.accept(1, 1000, 2, 1000)).toBe(false);
    expect(c.accept(2, 1000, 1, 1000)).toBe(true);
    // Same counter from another issuer (a cluster peer), another time: another nonce.
    expect(c.accept(1, 1001, 1, 1001)).toBe(true);
  });

  it('stays within its bound and never re-accepts a count for a nonce it had to forget', () => {
    const c = new NonceCounts(2, TTL);
    expect(c.accept(1, 1000, 5, 1000)).toBe(true); // "old"
    expect(c.accept(2, 1001, 1, 1001)).toBe(true);
    expect(c.accept(3, 1002, 1, 1002)).toBe(true); // evicts "old", the earliest issued
    expect(c.size).toBe(2);
    // "old" was forgotten; its count 5 replayed must still be refused...
    expect(c.accept(1, 1000, 5, 1003)).toBe(false);
    // ...and so is a nonce issued before the forgotten one, which might have been seen too,
    expect(c.accept(9, 999, 1, 1003)).toBe(false);
    // while a nonce issued after the forgotten one is certainly new.
    expect(c.accept(4, 1003, 1, 1003)).toBe(true);
  });

  it('drops entries whose nonce has expired as new ones arrive', () => {
    const c = new NonceCounts(3, TTL);
    expect(c.accept(1, 0, 1, 0)).toBe(true);
    expect(c.accept(2, 1, 1, 1)).toBe(true);
    expect(c.accept(3, 200_000, 1, 200_000)).toBe(true);
    expect(c.size).toBe(3);
    // 1 and 2 have expired by now; inserting drops them rather than waiting for the cap.
    expect(c.accept(4, 400_000, 1, 400_000)).toBe(true);
    expect(c.size).toBe(2);
  });

  it('holds a large bound with no false replays among distinct nonces', () => {
    const c = new NonceCounts(100_000, TTL);
    for (let i = 0; i < 50_000; i++) expect(c.accept(7_000_000 + i, 5_000 + (i >> 4), 1, 6_000)).toBe(true);
    for (let i = 0; i < 50_000; i += 97) expect(c.accept(7_000_000 + i, 5_000 + (i >> 4), 1, 6_000)).toBe(false);
    expect(c.size).toBe(50_000);
  });
});
