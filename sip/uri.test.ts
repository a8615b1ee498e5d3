import { describe, expect, it } from 'vitest';
import { formatSipUri, isSipUri, parseSipUri } from './uri.js';

describe('parseSipUri', () => {
  it('parses the parts of a full URI', () => {
    const u = parseSipUri('sip:alice:secret@Atlanta.COM:5061;transport=tcp;lr?subject=project%20x&priority=urgent');
    expect(u).toMatchObject({ scheme: 'sip', user: 'alice', password: 'secret', host: 'atlanta.com', hostKind: 'name', port: 5061 });
    expect([...u.params]).toEqual([['transport', 'tcp'], ['lr', '']]);
    expect([...u.headers]).toEqual([['subject', 'project x'], ['priority', 'urgent']]);
  });

  it('accepts IPv4, IPv6 references and telephone-number users', () => {
    expect(parseSipUri('sips:192.0.2.4').hostKind).toBe('ipv4');
    const v6 = parseSipUri('sip:[2001:db8::10]:5070');
    expect(v6).toMatchObject({ host: '2001:db8::10', hostKind: 'ipv6', port: 5070 });
    expect(parseSipUri('sip:+1-212-555-1212:1234@gateway.com;user=phone').user).toBe('+1-212-555-1212');
    expect(parseSipUri('sip:trunk.carrier.com:5060').port).toBe(5060);
  });

  it.each([
    ['tel:+14155550100', /scheme/],
    ['http://example.com', /scheme/],
    ['sip:', /missing host/],
    ['sip:alice@', /missing host/],
    ['sip:host:99999', /port/],
    ['sip:host:0', /port/],
    ['sip:[2001:db8::1', /IPv6/],
    ['sip:[::g]', /IPv6/],
    ['sip:exa mple.com', /host/],
    ['sip:user@-bad-.com', /host/],
    ['sip:a%zz@host', /user/],
  ])('rejects %s', (text, why) => {
    expect(() => parseSipUri(text)).toThrow(why);
  });

  it('keeps the characters a user part may hold unescaped (an E.164 "+" stays "+")', () => {
    const u = parseSipUri('sip:carrier.example.com:5080');
    expect(formatSipUri({ ...u, user: '+14155550100' })).toBe('sip:+14155550100@carrier.example.com:5080');
    expect(formatSipUri({ ...u, user: 'a&b=c$d,e;f?g/h' })).toBe('sip:a&b=c$d,e;f?g/h@carrier.example.com:5080');
    expect(formatSipUri({ ...u, user: 'with space<>' })).toBe('sip:with%20space%3C%3E@carrier.example.com:5080');
  });

  it('round-trips through formatSipUri', () => {
    for (const text of ['sip:alice@atlanta.com', 'sips:bob@[2001:db8::1]:5061;transport=tls', 'sip:gw.example.net;lr']) {
      expect(formatSipUri(parseSipUri(text))).toBe(text);
    }
    expect(isSipUri('sip:ok.example')).toBe(true);
    expect(isSipUri('nope')).toBe(false);
  });
});
