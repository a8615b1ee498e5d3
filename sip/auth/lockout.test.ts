// Lockout after repeated failures: thresholds, doubling backoff, what resets it.
import { describe, expect, it } from 'vitest';
import { Lockout } from './lockout.js';
import { sourceKey } from './source-key.js';

const R = 'example.com';
const IP = '192.0.2.9';

/** Fails `n` times for the account from distinct addresses (so only the account counts). */
function failAccount(l: Lockout, user: string, n: number, now: number) {
  const events = [];
  for (let i = 0; i < n; i++) events.push(...l.recordFailure(R, user, `198.51.100.${i + 1}`, now));
  return events;
}

describe('Lockout per account', () => {
  it('locks after 5 failures in 10 minutes, for 30 s', () => {
    const l = new Lockout();
    expect(failAccount(l, 'alice', 4, 0)).toEqual([]);
    expect(l.accountLockedMs(R, 'alice', 0)).toBe(0);
    expect(failAccount(l, 'alice', 1, 1000)).toEqual([{ scope: 'account', backoffMs: 30_000, level: 1 }]);
    expect(l.accountLockedMs(R, 'alice', 1000)).toBe(30_000);
    expect(l.accountLockedMs(R, 'alice', 30_999)).toBe(1);
    expect(l.accountLockedMs(R, 'alice', 31_000)).toBe(0);
    // Other accounts and realms are not affected.
    expect(l.accountLockedMs(R, 'bob', 1000)).toBe(0);
    expect(l.accountLockedMs('other.example', 'alice', 1000)).toBe(0);
  });

  it('does not lock when the failures are spread over more than the window', () => {
    const l = new Lockout();
    failAccount(l, 'alice', 4, 0);
    expect(failAccount(l, 'alice', 1, 600_001)).toEqual([]);
    expect(l.accountLockedMs(R, 'alice', 600_001)).toBe(0);
  });

  it('doubles the backoff on each new lockout up to the 1 h cap', () => {
    const l = new Lockout();
    let now = 0;
    const backoffs: number[] = [];
    for (let i = 0; i < 9; i++) {
      const [e] = failAccount(l, 'alice', 5, now);
      backoffs.push(e!.backoffMs / 1000);
      now += e!.backoffMs;
      expect(l.accountLockedMs(R, 'alice', now - 1)).toBe(1);
      expect(l.accountLockedMs(R, 'alice', now)).toBe(0);
    }
    expect(backoffs).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it('starts over after a success', () => {
    const l = new Lockout();
    failAccount(l, 'alice', 5, 0);
    failAccount(l, 'alice', 5, 30_000); // second lockout: 60 s
    l.recordSuccess(R, 'alice');
    expect(l.accountLockedMs(R, 'alice', 30_001)).toBe(0);
    expect(failAccount(l, 'alice', 4, 100_000)).toEqual([]);
    expect(failAccount(l, 'alice', 1, 100_000)).toEqual([{ scope: 'account', backoffMs: 30_000, level: 1 }]);
  });

  it('starts over after a quiet hour', () => {
    const l = new Lockout();
    failAccount(l, 'alice', 5, 0);
    failAccount(l, 'alice', 5, 30_000); // locked until 90 s, level 2
    const quiet = 90_000 + 3_600_000;
    expect(failAccount(l, 'alice', 5, quiet - 1)[0]!.level).toBe(3);
    const l2 = new Lockout();
    failAccount(l2, 'alice', 5, 0);
    failAccount(l2, 'alice', 5, 30_000);
    expect(failAccount(l2, 'alice', 5, quiet)[0]).toEqual({ scope: 'account', backoffMs: 30_000, level: 1 });
  });

  it('counts nothing while locked', () => {
    const l = new Lockout();
    failAccount(l, 'alice', 5, 0);
    expect(failAccount(l, 'alice', 20, 10_000)).toEqual([]);
    // After the lock the count starts from zero: 4 failures do not lock again.
    expect(failAccount(l, 'alice', 4, 30_000)).toEqual([]);
    expect(l.accountLockedMs(R, 'alice', 30_000)).toBe(0);
  });
});

describe('Lockout per address', () => {
  it('locks an address after 20 failures over any accounts, and a success does not clear it', () => {
    const l = new Lockout();
    const events = [];
    for (let i = 0; i < 20; i++) events.push(...l.recordFailure(R, `user${i % 5}`, IP, 0));
    expect(events.filter((e) => e.scope === 'address')).toEqual([{ scope: 'address', backoffMs: 30_000, level: 1 }]);
    expect(l.addressLockedMs(IP, 0)).toBe(30_000);
    expect(l.addressLockedMs('192.0.2.10', 0)).toBe(0);
    l.recordSuccess(R, 'user0');
    expect(l.addressLockedMs(IP, 1)).toBe(29_999);
  });

  it('counts an IPv6 /64 as one address and IPv4-mapped IPv6 as IPv4', () => {
    const l = new Lockout();
    for (let i = 0; i < 20; i++) l.recordFailure(R, `u${i}`, `2001:db8:1:2::${(i + 1).toString(16)}`, 0);
    expect(l.addressLockedMs('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 0)).toBe(30_000);
    expect(l.addressLockedMs('2001:db8:1:3::1', 0)).toBe(0);
    for (let i = 0; i < 20; i++) l.recordFailure(R, `v${i}`, '::ffff:203.0.113.5', 0);
    expect(l.addressLockedMs('203.0.113.5', 0)).toBe(30_000);
  });

  it('keeps at most maxEntries records per table', () => {
    const l = new Lockout({ maxEntries: 50 });
    for (let i = 0; i < 500; i++) l.recordFailure(R, `user${i}`, `10.0.${i >> 8}.${i & 255}`, 0);
    expect(l.sizes()).toEqual({ accounts: 50, addresses: 50 });
  });
});

describe('sourceKey', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0DB8:0001:0002:0003:4:5:6', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::9]', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8:1:2:3::192.0.2.1', '2001:db8:1:2::/64'],
  ])('%s → %s', (address, key) => {
    expect(sourceKey(address)).toBe(key);
  });
});
