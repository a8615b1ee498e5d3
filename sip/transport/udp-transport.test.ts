// SIP over UDP on real sockets: a datagram is delivered whole with where it came
// from, send() reaches the peer, keep-alives and handler failures stop at the transport.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UdpTransport } from './udp-transport.js';
import { bindingRequest, mappedAddress, record, sipRequest, until } from './loopback-clients.js';
import type { Peer } from './types.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

// Both I/O paths: the native addon (built by the setup script) and node:dgram.
let native = true;

async function server(): Promise<{ t: UdpTransport; port: number }> {
  const t = new UdpTransport({ host: '127.0.0.1', port: 0, native });
  const bound = await t.listen();
  cleanup.push(() => t.close());
  return { t, port: bound.port };
}

async function client(): Promise<{ sock: Socket; port: number; got: Buffer[] }> {
  const sock = createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise<void>((r) => sock.close(() => r())));
  return { sock, port: sock.address().port, got };
}

describe.each([
  ['native batched I/O', true],
  ['node:dgram', false],
])('UdpTransport over %s', (_name, useNative) => {
  beforeEach(() => {
    native = useNative;
  });

  it('uses the I/O path asked for', async () => {
    const { t } = await server();
    expect(t.native).toBe(useNative);
  });

  it('delivers a datagram whole with the peer it came from', async () => {
    const { t, port } = await server();
    const got = record(t);
    const c = await client();
    const text = sipRequest('udp-1', 'v=0\r\n', 'UDP');
    c.sock.send(text, port, '127.0.0.1');
    await until(() => got.length === 1, 'the datagram');
    expect(got[0]).toEqual({ data: text, source: { transport: 'UDP', address: '127.0.0.1', port: c.port } });
    expect(t.stats().messagesIn).toBe(1);
  });

  it('sends to the address and port of a peer', async () => {
    const { t } = await server();
    const c = await client();
    t.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), { transport: 'UDP', address: '127.0.0.1', port: c.port });
    await until(() => c.got.length === 1, 'the reply');
    expect(c.got[0]!.toString()).toBe('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(t.stats().messagesOut).toBe(1);
  });

  it('drops CRLF keep-alive datagrams and keeps delivering after them', async () => {
    const { t, port } = await server();
    const got = record(t);
    const c = await client();
    c.sock.send('\r\n\r\n', port, '127.0.0.1');
    c.sock.send('\r\n', port, '127.0.0.1');
    c.sock.send(sipRequest('after-ka', '', 'UDP'), port, '127.0.0.1');
    await until(() => got.length === 1, 'the message after the keep-alives');
    await until(() => t.stats().keepAlives === 2, 'both keep-alives counted');
    expect(got[0]!.data).toContain('Call-ID: after-ka');
  });

  it('answers a STUN keep-alive with the address the client is seen from', async () => {
    const { t, port } = await server();
    const got = record(t);
    const c = await client();
    c.sock.send(bindingRequest(), port, '127.0.0.1');
    await until(() => c.got.length === 1, 'the binding response');
    expect(mappedAddress(c.got[0]!)).toEqual({ address: '127.0.0.1', port: c.port });
    expect(got).toEqual([]);
  });

  it('survives a handler that throws and keeps answering', async () => {
    const { t, port } = await server();
    const got: string[] = [];
    t.onMessage = (data) => {
      if (data.includes('boom')) throw new Error('handler failure');
      got.push(data.toString());
    };
    const c = await client();
    c.sock.send(sipRequest('boom', '', 'UDP'), port, '127.0.0.1');
    c.sock.send(sipRequest('fine', '', 'UDP'), port, '127.0.0.1');
    await until(() => got.length === 1, 'the message after the failure');
    expect(t.stats().handlerErrors).toBe(1);
  });

  it('reports a send that cannot be made through onSendError', async () => {
    const { t } = await server();
    const errors: Peer[] = [];
    t.onSendError = (to) => errors.push(to);
    const to = { transport: 'UDP', address: '127.0.0.1', port: 70_000 };
    t.send(Buffer.from('x'), to);
    expect(errors).toEqual([to]);
    expect(t.stats().sendErrors).toBe(1);
  });
});
