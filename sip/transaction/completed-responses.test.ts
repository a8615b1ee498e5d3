import { describe, expect, it } from 'vitest';
import { CompletedResponses } from './completed-responses.js';
import type { Peer } from './transaction-layer.js';

const peer: Peer = { transport: 'UDP', address: '127.0.0.1', port: 5070 };

function store(opts: { arenaBytes?: number; buckets?: number } = {}) {
  let t = 1000;
  const s = new CompletedResponses({ holdMs: 32_000, now: () => t, ...opts });
  return { s, advance: (ms: number) => (t += ms) };
}

function wire(n: number, size = 100): Buffer {
  return Buffer.from(`SIP/2.0 200 OK #${n} `.padEnd(size, 'x'));
}

describe('CompletedResponses', () => {
  it('answers a retransmission with the same bytes, to the same peer, until Timer J', () => {
    const { s, advance } = store();
    s.add('z9hG4bK1|h:5060|REGISTER', wire(1), peer);
    s.add('z9hG4bK2|h:5060|REGISTER', wire(2), { transport: 'TCP', address: '::1', port: 5061, connectionId: 'c7' });
    expect(s.get('z9hG4bK1|h:5060|REGISTER')?.wire.equals(wire(1))).toBe(true);
    expect(s.get('z9hG4bK1|h:5060|REGISTER')?.to).toEqual(peer);
    expect(s.get('z9hG4bK2|h:5060|REGISTER')?.to).toEqual({ transport: 'TCP', address: '::1', port: 5061, connectionId: 'c7' });
    expect(s.get('z9hG4bK3|h:5060|REGISTER')).toBeUndefined();
    expect(s.size).toBe(2);
    advance(31_999);
    expect(s.get('z9hG4bK1|h:5060|REGISTER')).toBeDefined();
    advance(1);
    expect(s.get('z9hG4bK1|h:5060|REGISTER')).toBeUndefined();
    s.expire();
    expect(s.size).toBe(0);
  });

  it('tells keys apart that share a bucket', () => {
    const { s } = store({ buckets: 1 });
    for (let i = 0; i < 50; i++) s.add(`branch-${i}`, wire(i), peer);
    for (let i = 0; i < 50; i++) expect(s.get(`branch-${i}`)?.wire.equals(wire(i))).toBe(true);
    expect(s.get('branch-50')).toBeUndefined();
  });

  it('a later completion of the same key wins', () => {
    const { s } = store();
    s.add('k', wire(1), peer);
    s.add('k', wire(2), peer);
    expect(s.get('k')?.wire.equals(wire(2))).toBe(true);
  });

  it('keeps working across many laps of the ring, forgetting the oldest when it is full', () => {
    // 4 KiB holds about 30 records of 128 bytes; a record never straddles the end.
    const { s, advance } = store({ arenaBytes: 4096, buckets: 16 });
    for (let i = 0; i < 1000; i++) {
      s.add(`key-${i}`, wire(i, 60 + (i % 37)), peer);
      advance(1);
      // The newest is always there, and intact.
      expect(s.get(`key-${i}`)?.wire.equals(wire(i, 60 + (i % 37)))).toBe(true);
    }
    expect(s.evicted).toBeGreaterThan(900);
    expect(s.size).toBeLessThanOrEqual(4096 / 64);
    expect(s.get('key-0')).toBeUndefined();
    // Everything still held reads back intact.
    let found = 0;
    for (let i = 0; i < 1000; i++) {
      const hit = s.get(`key-${i}`);
      if (hit) {
        found++;
        expect(hit.wire.equals(wire(i, 60 + (i % 37)))).toBe(true);
      }
    }
    expect(found).toBe(s.size);
  });

  it('expiry frees the ring, so a steady rate below capacity evicts nothing', () => {
    const { s, advance } = store({ arenaBytes: 64 * 1024 });
    for (let i = 0; i < 5000; i++) {
      s.add(`k${i}`, wire(i), peer);
      advance(100); // 320 live entries of ~160 bytes: about 50 KiB
    }
    expect(s.evicted).toBe(0);
    expect(s.size).toBe(320);
  });

  it('does not absorb what does not fit its format', () => {
    const { s } = store({ arenaBytes: 4096 });
    s.add('big', Buffer.alloc(2000), peer);
    s.add('odd', wire(1), { transport: 'XYZ', address: '1.2.3.4', port: 1 });
    expect(s.get('big')).toBeUndefined();
    expect(s.get('odd')).toBeUndefined();
    expect(s.size).toBe(0);
  });
});
