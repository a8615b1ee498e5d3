// Admission control: one address at its cap does not stop another, the process cap
// stops everyone, and released slots are reusable. IPv6 is capped per /64.
import { describe, expect, it } from 'vitest';
import { ConnectionGuard } from './connection-guard.js';
import { capKey, normaliseAddress } from './peer-address.js';

describe('ConnectionGuard', () => {
  it('refuses an address at its cap while admitting others', () => {
    const g = new ConnectionGuard({ maxConnectionsPerIp: 2, maxConnections: 100 });
    const a1 = g.admit('192.0.2.1');
    const a2 = g.admit('192.0.2.1');
    expect(a1).toBeDefined();
    expect(a2).toBeDefined();
    expect(g.admit('192.0.2.1')).toBeUndefined();
    expect(g.admit('192.0.2.2')).toBeDefined();
    g.release(a1);
    expect(g.admit('192.0.2.1')).toBeDefined();
    expect(g.open).toBe(3);
  });

  it('refuses everyone at the process cap, outbound included', () => {
    const g = new ConnectionGuard({ maxConnectionsPerIp: 10, maxConnections: 2 });
    const key = g.admit('192.0.2.1');
    expect(g.admitOutbound()).toBe(true);
    expect(g.admit('192.0.2.9')).toBeUndefined();
    expect(g.admitOutbound()).toBe(false);
    g.release(key);
    expect(g.admit('192.0.2.9')).toBeDefined();
  });

  it('counts an IPv4-mapped address as the IPv4 address', () => {
    const g = new ConnectionGuard({ maxConnectionsPerIp: 1, maxConnections: 10 });
    expect(g.admit('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(g.admit('192.0.2.1')).toBeUndefined();
  });

  it('counts every address of one IPv6 /64 together', () => {
    const g = new ConnectionGuard({ maxConnectionsPerIp: 2, maxConnections: 10 });
    expect(g.admit('2001:db8:1:2::1')).toBeDefined();
    expect(g.admit('2001:db8:1:2:ffff:1:2:3')).toBeDefined();
    expect(g.admit('2001:0db8:0001:0002::99')).toBeUndefined();
    expect(g.admit('2001:db8:1:3::1')).toBeDefined();
  });
});

describe('peer addresses', () => {
  it('normalises IPv4-mapped IPv6 and leaves other addresses alone', () => {
    expect(normaliseAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normaliseAddress('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(normaliseAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(normaliseAddress('::1')).toBe('::1');
    expect(normaliseAddress('::ffff:1')).toBe('::ffff:1');
  });

  it('keys IPv6 by its /64 whatever the spelling', () => {
    expect(capKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(capKey('2001:DB8:0:0:1::1')).toBe('2001:db8:0:0::/64');
    expect(capKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(capKey('::1')).toBe('0:0:0:0::/64');
    expect(capKey('192.0.2.7')).toBe('192.0.2.7');
  });
});
