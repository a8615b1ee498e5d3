import { describe, expect, it } from 'vitest';
import { SourceLatch, SourceVerdict, normalizeAddress } from './source-latch.js';

describe('SourceLatch', () => {
  it('lets only the SDP address or a vouched-for signalling source latch, then only the latched port', () => {
    const l = new SourceLatch({ relatchAfterMs: 1000 });
    l.configure('192.0.2.10', 4000, ['198.51.100.7']);
    expect(l.check('203.0.113.66', 4000, 0)).toBe(SourceVerdict.Refused); // a stranger, even on the SDP port
    expect(l.check('198.51.100.7', 5555, 0)).toBe(SourceVerdict.Candidate); // behind NAT: another address
    expect(l.sendAddress).toBe('192.0.2.10'); // until something latches, the SDP says where
    l.accept(SourceVerdict.Candidate, '198.51.100.7', 5555, 0);
    expect(l.sendAddress).toBe('198.51.100.7');
    expect(l.sendPort).toBe(5555);
    expect(l.check('198.51.100.7', 5555, 10)).toBe(SourceVerdict.Latched);
    expect(l.check('192.0.2.10', 4000, 20)).toBe(SourceVerdict.Refused); // latched: even the SDP address waits
  });

  it('never latches to source port 0, which nothing can be sent to', () => {
    const l = new SourceLatch({ relatchAfterMs: 1000 });
    l.configure('192.0.2.10', 4000, []);
    expect(l.check('192.0.2.10', 0, 0)).toBe(SourceVerdict.Refused);
    expect(l.check('192.0.2.10', 4000, 0)).toBe(SourceVerdict.Candidate);
  });

  it('re-latches only after the latched source has been silent for relatchAfterMs', () => {
    const l = new SourceLatch({ relatchAfterMs: 1000 });
    l.configure('192.0.2.10', 4000, []);
    l.accept(l.check('192.0.2.10', 4000, 0), '192.0.2.10', 4000, 0);
    l.accept(l.check('192.0.2.10', 4000, 500), '192.0.2.10', 4000, 500);
    expect(l.check('192.0.2.10', 4002, 1400)).toBe(SourceVerdict.Refused);
    expect(l.check('192.0.2.10', 4002, 1500)).toBe(SourceVerdict.Candidate);
    l.accept(SourceVerdict.Candidate, '192.0.2.10', 4002, 1500);
    expect(l.toJSON()).toEqual({ allowed: ['192.0.2.10'], latched: '192.0.2.10:4002', latches: 2 });
  });

  it('c=0.0.0.0 vouches for nobody and sends nowhere; a new SDP address drops the latch', () => {
    const l = new SourceLatch();
    l.configure('0.0.0.0', 4000, []);
    expect(l.check('0.0.0.0', 4000, 0)).toBe(SourceVerdict.Refused);
    expect(l.sendAddress).toBeNull();
    l.configure('192.0.2.10', 4000, []);
    l.accept(SourceVerdict.Candidate, '192.0.2.10', 4000, 0);
    l.configure('192.0.2.11', 4000, []); // re-INVITE: the peer moved
    expect(l.isLatched).toBe(false);
    expect(l.sendAddress).toBe('192.0.2.11');
  });

  it('treats IPv4-mapped IPv6 addresses as the IPv4 address', () => {
    expect(normalizeAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeAddress('2001:DB8::1')).toBe('2001:db8::1');
  });
});
