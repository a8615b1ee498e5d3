// Where requests to a SIP URI go (a subset of RFC 3263 §4), and our own Via/Contact.
import { describe, expect, it } from 'vitest';
import { LocalAddresses } from './local-address.js';
import { nextHopOf, resolveTarget, TargetError } from './target.js';

describe('next hop of a URI (RFC 3263 §4.1, §4.2)', () => {
  it('takes transport from the parameter or the scheme, and the default port of that transport', () => {
    expect(nextHopOf('sip:+15551234567@198.51.100.7')).toEqual({ transport: 'UDP', host: '198.51.100.7', hostIsName: false, port: 5060 });
    expect(nextHopOf('sip:bob@198.51.100.7:5080;transport=tcp')).toMatchObject({ transport: 'TCP', port: 5080 });
    expect(nextHopOf('sip:bob@198.51.100.7;transport=TLS')).toMatchObject({ transport: 'TLS', port: 5061 });
    expect(nextHopOf('sips:bob@carrier.example.net')).toMatchObject({ transport: 'TLS', host: 'carrier.example.net', hostIsName: true, port: 5061 });
    expect(nextHopOf('sips:bob@carrier.example.net;transport=tcp')).toMatchObject({ transport: 'TLS' });
    expect(nextHopOf('sip:bob@[2001:db8::1]:5070')).toMatchObject({ host: '2001:db8::1', hostIsName: false, port: 5070 });
    expect(nextHopOf('sip:bob@example.net;maddr=192.0.2.9')).toMatchObject({ host: '192.0.2.9', hostIsName: false });
  });

  it('refuses what it cannot send to', () => {
    expect(() => nextHopOf('tel:+15551234567')).toThrow(TargetError);
    expect(() => nextHopOf('sip:bob@example.net;transport=sctp')).toThrow(TargetError);
  });

  it('resolves names with the injected resolver and leaves addresses alone', async () => {
    const asked: string[] = [];
    const lookup = async (h: string): Promise<string> => {
      asked.push(h);
      return '203.0.113.80';
    };
    expect(await resolveTarget('sip:bob@trunk.example.net:5062;transport=tcp', lookup)).toEqual({ transport: 'TCP', address: '203.0.113.80', port: 5062 });
    expect(await resolveTarget('sip:bob@192.0.2.33', lookup)).toEqual({ transport: 'UDP', address: '192.0.2.33', port: 5060 });
    expect(asked).toEqual(['trunk.example.net']);
    await expect(resolveTarget('sip:bob@nowhere.example', async () => Promise.reject(new Error('NXDOMAIN')))).rejects.toThrow(TargetError);
  });
});

describe('our address in Via and Contact', () => {
  const listening = [
    { transport: 'UDP' as const, host: '192.0.2.1', port: 5060 },
    { transport: 'TCP' as const, host: '192.0.2.1', port: 5070 },
  ];

  it('uses the listener of the transport, with transport= for streams', () => {
    const l = new LocalAddresses(() => listening);
    expect(l.for('UDP')).toEqual({ transport: 'UDP', sentBy: { transport: 'UDP', host: '192.0.2.1', port: 5060 }, contact: '<sip:192.0.2.1:5060>' });
    expect(l.for('tcp').contact).toBe('<sip:192.0.2.1:5070;transport=tcp>');
  });

  it('replaces a wildcard or any host with the configured one, and brackets IPv6', () => {
    expect(new LocalAddresses(() => [{ transport: 'UDP', host: '0.0.0.0', port: 5060 }], undefined, () => '10.1.2.3').for('UDP').contact).toBe('<sip:10.1.2.3:5060>');
    expect(new LocalAddresses(() => listening, 'sip.example.com').for('UDP').sentBy.host).toBe('sip.example.com');
    expect(new LocalAddresses(() => listening, '2001:db8::5').for('UDP').contact).toBe('<sip:[2001:db8::5]:5060>');
  });
});
