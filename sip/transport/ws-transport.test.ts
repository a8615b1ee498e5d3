// SIP over WebSocket (RFC 7118) with the `ws` package as the browser stand-in: the
// "sip" subprotocol is required, each WebSocket message is one SIP message, replies
// go back on the socket, dead peers are found by ping, and WSS works with the
// self-signed certificate.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ManualClock } from '../transaction/timers.js';
import { ensureCertificate } from './certificate.js';
import { WsTransport, type WsTransportOptions } from './ws-transport.js';
import { record, sipRequest, until } from './loopback-clients.js';

let dataDir: string;
let pem: { cert: Buffer; key: Buffer };
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sip-ws-'));
  pem = await ensureCertificate(dataDir);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function start(opts: WsTransportOptions = {}): Promise<{ t: WsTransport; port: number }> {
  const t = new WsTransport({ host: '127.0.0.1', port: 0, ...opts });
  const { port } = await t.listen();
  cleanup.push(() => t.close());
  return { t, port };
}

interface Client {
  ws: WebSocket;
  received: string[];
  binary: boolean[];
  closed: () => boolean;
}

/** Connects; resolves with the open socket or rejects with the HTTP status that refused it. */
function open(url: string, protocols: string[] | undefined, extra: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<Client> {
  const ws = new WebSocket(url, protocols, { rejectUnauthorized: false, localAddress: '127.0.0.1', ...extra });
  const received: string[] = [];
  const binary: boolean[] = [];
  let closed = false;
  cleanup.push(() => ws.terminate());
  ws.on('message', (d, isBinary) => {
    received.push(d.toString());
    binary.push(isBinary);
  });
  ws.on('close', () => (closed = true));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, received, binary, closed: () => closed }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('WsTransport', () => {
  it('exchanges SIP messages with a client that speaks the "sip" subprotocol', async () => {
    const { t, port } = await start();
    const got = record(t);
    const c = await open(`ws://127.0.0.1:${port}`, ['sip']);
    expect(c.ws.protocol).toBe('sip');
    const text = sipRequest('ws-1', '', 'WS');
    c.ws.send(text);
    c.ws.send(Buffer.from(sipRequest('ws-2', 'binary frame body', 'WS'))); // binary frames work too
    await until(() => got.length === 2, 'both messages');
    expect(got[0]!.data).toBe(text);
    expect(got[1]!.data).toContain('binary frame body');
    expect(got[0]!.source).toMatchObject({ transport: 'WS', address: '127.0.0.1' });
    expect(got[0]!.source.connectionId).toBe(got[1]!.source.connectionId);

    const reply = 'SIP/2.0 200 OK\r\nCall-ID: ws-1\r\nContent-Length: 0\r\n\r\n';
    t.send(Buffer.from(reply), got[0]!.source);
    await until(() => c.received.length === 1, 'the reply');
    expect(c.received).toEqual([reply]);
    expect(c.binary).toEqual([false]);
  });

  it('sends a message that is not UTF-8 as a binary frame', async () => {
    const { t, port } = await start();
    const got = record(t);
    const c = await open(`ws://127.0.0.1:${port}`, ['sip']);
    c.ws.send(sipRequest('bin', '', 'WS'));
    await until(() => got.length === 1, 'the request');
    t.send(Buffer.concat([Buffer.from('MESSAGE sip:a SIP/2.0\r\nContent-Length: 2\r\n\r\n'), Buffer.from([0xff, 0xfe])]), got[0]!.source);
    await until(() => c.binary.length === 1, 'the message');
    expect(c.binary).toEqual([true]);
  });

  it('refuses a handshake without the "sip" subprotocol or with another one', async () => {
    const { t, port } = await start();
    await expect(open(`ws://127.0.0.1:${port}`, undefined)).rejects.toThrow('refused with 400');
    await expect(open(`ws://127.0.0.1:${port}`, ['xmpp'])).rejects.toThrow('refused with 400');
    expect(t.stats()).toMatchObject({ connectionsRefused: 2, connectionsOpen: 0 });
  });

  it('answers a plain HTTP request with 426 Upgrade Required', async () => {
    const { port } = await start();
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(426);
  });

  it('answers a CRLF keep-alive with a CRLF and does not pass it on', async () => {
    const { t, port } = await start();
    const got = record(t);
    const c = await open(`ws://127.0.0.1:${port}`, ['sip']);
    c.ws.send('\r\n\r\n');
    await until(() => c.received.length === 1, 'the pong');
    expect(c.received).toEqual(['\r\n']);
    expect(got).toEqual([]);
  });

  it('reports a send to a peer without a connection', async () => {
    const { t } = await start();
    const errors: string[] = [];
    t.onSendError = (_to, err) => errors.push(err.message);
    t.send(Buffer.from('x'), { transport: 'WS', address: '127.0.0.1', port: 1, connectionId: 'ws-404' });
    expect(errors).toEqual(['no WS connection to 127.0.0.1:1']);
  });

  it('drops a peer that does not answer pings', async () => {
    const clock = new ManualClock();
    const { t, port } = await start({ clock, now: () => clock.now, limits: { wsPingIntervalMs: 10_000 } });
    const got = record(t);
    const live = await open(`ws://127.0.0.1:${port}`, ['sip']);
    const dead = await open(`ws://127.0.0.1:${port}`, ['sip'], { autoPong: false });
    live.ws.send(sipRequest('live', '', 'WS'));
    dead.ws.send(sipRequest('dead', '', 'WS'));
    await until(() => got.length === 2, 'both requests');
    // The live client's pong goes out before anything it sends after seeing the ping,
    // so once that message has arrived the server has seen the pong.
    live.ws.once('ping', () => live.ws.send(sipRequest('after-ping', '', 'WS')));
    clock.advance(10_000); // ping both
    await until(() => got.length === 3, 'the live client to answer the ping');
    clock.advance(10_000);
    await until(() => dead.closed(), 'the silent peer to be dropped');
    expect(live.closed()).toBe(false);
    expect(t.stats()).toMatchObject({ timeouts: 1, connectionsOpen: 1 });
  });

  it('caps connections per address while another address still gets in', async () => {
    const { port } = await start({ limits: { maxConnectionsPerIp: 2 } });
    await open(`ws://127.0.0.1:${port}`, ['sip']);
    await open(`ws://127.0.0.1:${port}`, ['sip']);
    await expect(open(`ws://127.0.0.1:${port}`, ['sip'])).rejects.toThrow();
    const other = await open(`ws://127.0.0.1:${port}`, ['sip'], { localAddress: '127.0.0.2' });
    expect(other.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('WSS: exchanges messages over TLS with the self-signed certificate', async () => {
    const { t, port } = await start({ tls: pem });
    expect(t.name).toBe('WSS');
    const got = record(t);
    const c = await open(`wss://127.0.0.1:${port}`, ['sip']);
    c.ws.send(sipRequest('wss-1', '', 'WSS'));
    await until(() => got.length === 1, 'the request');
    expect(got[0]!.source).toMatchObject({ transport: 'WSS', address: '127.0.0.1' });
    t.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), got[0]!.source);
    await until(() => c.received.length === 1, 'the reply');
    await expect(open(`wss://127.0.0.1:${port}`, undefined)).rejects.toThrow('refused with 400');
  });
});
