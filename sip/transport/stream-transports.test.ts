// SIP over TCP and TLS on real loopback sockets: framing as a peer writes it,
// CRLF keep-alive, what closes a connection, and connection reuse both ways.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureCertificate } from './certificate.js';
import { TcpTransport } from './tcp-transport.js';
import { TlsTransport } from './tls-transport.js';
import type { StreamTransport } from './stream-transport.js';
import type { Peer } from './types.js';
import { record, sipRequest, TestClient, until } from './loopback-clients.js';

let dataDir: string;
let pem: { cert: Buffer; key: Buffer };
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sip-stream-'));
  pem = await ensureCertificate(dataDir);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

interface Flavour {
  name: 'TCP' | 'TLS';
  transport(): StreamTransport;
  client(port: number): Promise<TestClient>;
  /** A plain server of this flavour standing in for a remote SIP peer. */
  remote(onSocket: (s: Socket) => void): Server;
}

const flavours: Flavour[] = [
  {
    name: 'TCP',
    transport: () => new TcpTransport({ host: '127.0.0.1', port: 0 }),
    client: (port) => TestClient.tcp(port),
    remote: (onSocket) => createNetServer(onSocket),
  },
  {
    name: 'TLS',
    transport: () => new TlsTransport({ host: '127.0.0.1', port: 0, cert: pem.cert, key: pem.key, client: { ca: pem.cert } }),
    client: (port) => TestClient.tls(port),
    remote: (onSocket) => createTlsServer({ cert: pem.cert, key: pem.key }, onSocket),
  },
];

describe.each(flavours)('$name transport', (f) => {
  async function start(): Promise<{ t: StreamTransport; port: number }> {
    const t = f.transport();
    const { port } = await t.listen();
    cleanup.push(() => t.close());
    return { t, port };
  }

  async function client(port: number): Promise<TestClient> {
    const c = await f.client(port);
    cleanup.push(() => c.destroy());
    return c;
  }

  async function remote(): Promise<{ port: number; sockets: Socket[]; text: () => string }> {
    const sockets: Socket[] = [];
    let text = '';
    const server = f.remote((s) => {
      sockets.push(s);
      s.setEncoding('utf8');
      s.on('data', (d: string) => (text += d));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    });
    return { port: (server.address() as AddressInfo).port, sockets, text: () => text };
  }

  it('frames three messages written at once and names the connection they came on', async () => {
    const { t, port } = await start();
    const got = record(t);
    const c = await client(port);
    const three = [sipRequest('a'), sipRequest('b', 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n'), sipRequest('c')];
    await c.write(three.join(''));
    await until(() => got.length === 3, 'three messages');
    expect(got.map((g) => g.data)).toEqual(three);
    const source = got[0]!.source;
    expect(source).toMatchObject({ transport: f.name, address: '127.0.0.1', port: c.localPort });
    expect(source.connectionId).toBeDefined();
    expect(got.every((g) => g.source.connectionId === source.connectionId)).toBe(true);
  });

  it('joins a message written one byte at a time', async () => {
    const { t, port } = await start();
    const got = record(t);
    const c = await client(port);
    c.socket.setNoDelay(true);
    const text = sipRequest('bytewise', 'body');
    for (const byte of Buffer.from(text)) await c.write(Buffer.from([byte]));
    await until(() => got.length === 1, 'the message');
    expect(got[0]!.data).toBe(text);
  });

  it('keeps a body that contains a blank line whole', async () => {
    const { t, port } = await start();
    const got = record(t);
    const c = await client(port);
    const body = 'first\r\n\r\nOPTIONS sip:x SIP/2.0\r\n\r\n';
    await c.write(sipRequest('crlf-body', body) + sipRequest('next'));
    await until(() => got.length === 2, 'both messages');
    expect(got[0]!.data.endsWith(`\r\n\r\n${body}`)).toBe(true);
    expect(got[1]!.data).toBe(sipRequest('next'));
  });

  it('answers a CRLF ping with one CRLF pong and ignores a lone CRLF', async () => {
    const { t, port } = await start();
    const got = record(t);
    const c = await client(port);
    await c.write('\r\n');
    await c.write('\r\n\r\n');
    await until(() => c.text.length > 0, 'the pong');
    await c.write(sipRequest('after-ping'));
    await until(() => got.length === 1, 'the message after the ping');
    expect(c.text).toBe('\r\n');
    expect(t.stats().keepAlives).toBe(1);
  });

  it('closes the connection on a message without Content-Length', async () => {
    const { t, port } = await start();
    const got = record(t);
    const c = await client(port);
    await c.write(sipRequest('ncl').replace('Content-Length: 0\r\n', ''));
    await c.waitClosed('the server to close the connection');
    expect(got).toEqual([]);
    expect(t.stats()).toMatchObject({ framingErrors: 1, connectionsOpen: 0 });
  });

  it('sends a reply on the connection the request came in on', async () => {
    const { t, port } = await start();
    const got = record(t);
    const first = await client(port);
    const second = await client(port);
    await first.write(sipRequest('from-first'));
    await second.write(sipRequest('from-second'));
    await until(() => got.length === 2, 'both requests');
    const reply = 'SIP/2.0 200 OK\r\nCall-ID: from-second\r\nContent-Length: 0\r\n\r\n';
    t.send(Buffer.from(reply), got.find((g) => g.data.includes('from-second'))!.source);
    await until(() => second.text.length > 0, 'the reply');
    expect(second.text).toBe(reply);
    expect(first.text).toBe('');
  });

  it('opens one outbound connection, queues while connecting and reuses it both ways', async () => {
    const { t } = await start();
    const got = record(t);
    const far = await remote();
    const to: Peer = { transport: f.name, address: '127.0.0.1', port: far.port };
    const a = sipRequest('out-1');
    const b = sipRequest('out-2');
    t.send(Buffer.from(a), to);
    t.send(Buffer.from(b), to); // still connecting: queued behind the first
    await until(() => far.text() === a + b, 'both requests at the far end');
    t.send(Buffer.from(sipRequest('out-3')), to);
    await until(() => far.text().endsWith(sipRequest('out-3')), 'the third request');
    expect(far.sockets).toHaveLength(1);

    // The far end answers on the same connection; the answer names it, and a reply to
    // that name goes back on it.
    far.sockets[0]!.write(sipRequest('in-1'));
    await until(() => got.length === 1, 'the far end request');
    expect(got[0]!.source).toMatchObject({ transport: f.name, address: '127.0.0.1', port: far.port });
    t.send(Buffer.from(sipRequest('reply')), got[0]!.source);
    await until(() => far.text().endsWith(sipRequest('reply')), 'the reply on the same connection');
    expect(far.sockets).toHaveLength(1);
    expect(t.stats().connectionsOpen).toBe(1);
  });

  it('reports every queued message when the outbound connection fails', async () => {
    const { t } = await start();
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const failed: { to: Peer; err: Error }[] = [];
    t.onSendError = (to, err) => failed.push({ to, err });
    const to: Peer = { transport: f.name, address: '127.0.0.1', port: deadPort };
    t.send(Buffer.from(sipRequest('lost-1')), to);
    t.send(Buffer.from(sipRequest('lost-2')), to);
    await until(() => failed.length === 2, 'two send errors');
    expect(failed[0]!.to).toMatchObject({ address: '127.0.0.1', port: deadPort });
    expect(failed[0]!.err.message).toMatch(/ECONNREFUSED/);
    expect(t.stats()).toMatchObject({ sendErrors: 2, connectionsOpen: 0 });
  });

  it('survives a handler that throws and frames the next message', async () => {
    const { t, port } = await start();
    const seen: string[] = [];
    t.onMessage = (data) => {
      if (data.includes('boom')) throw new Error('handler failure');
      seen.push(data.toString());
    };
    const c = await client(port);
    await c.write(sipRequest('boom') + sipRequest('fine'));
    await until(() => seen.length === 1, 'the message after the failure');
    expect(seen[0]).toContain('Call-ID: fine');
    expect(t.stats().handlerErrors).toBe(1);
    expect(c.closed).toBe(false);
  });

  it('closes every connection on close()', async () => {
    const { t, port } = await start();
    const c = await client(port);
    await c.write(sipRequest('x'));
    await until(() => t.stats().messagesIn === 1, 'the message');
    await t.close();
    await c.waitClosed('the client to see the close');
    expect(t.stats().connectionsOpen).toBe(0);
  });
});
