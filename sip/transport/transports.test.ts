// The factory the composition root calls: the configured transports, one handler
// for all, sends routed by transport name, counters per transport.
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ensureCertificate } from './certificate.js';
import { createTransports, type TransportSet } from './transports.js';
import type { Peer } from './types.js';
import { sipRequest, TestClient, until } from './loopback-clients.js';

let dataDir: string;
let pem: { cert: Buffer; key: Buffer };
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sip-set-'));
  pem = await ensureCertificate(dataDir);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function track(set: TransportSet): TransportSet {
  cleanup.push(() => set.close());
  return set;
}

describe('createTransports', () => {
  it('builds and starts every configured transport and routes messages through one handler', async () => {
    const set = track(createTransports({ host: '127.0.0.1', udpPort: 0, tcpPort: 0, tlsPort: 0, wsPort: 0, wssPort: 0, tls: pem }));
    const got: { text: string; source: Peer }[] = [];
    set.setMessageHandler((data, source) => got.push({ text: data.toString(), source }));
    const bound = await set.listen();
    expect(bound.map((b) => b.transport)).toEqual(['UDP', 'TCP', 'TLS', 'WS', 'WSS']);
    const port = (name: string): number => bound.find((b) => b.transport === name)!.port;

    const udp = createSocket('udp4');
    cleanup.push(() => new Promise<void>((r) => udp.close(() => r())));
    udp.send(sipRequest('via-udp', '', 'UDP'), port('UDP'), '127.0.0.1');
    const tcp = await TestClient.tcp(port('TCP'));
    cleanup.push(() => tcp.destroy());
    await tcp.write(sipRequest('via-tcp'));
    const tls = await TestClient.tls(port('TLS'));
    cleanup.push(() => tls.destroy());
    await tls.write(sipRequest('via-tls', '', 'TLS'));
    const ws = new WebSocket(`ws://127.0.0.1:${port('WS')}`, 'sip');
    cleanup.push(() => ws.terminate());
    ws.on('open', () => ws.send(sipRequest('via-ws', '', 'WS')));
    const wss = new WebSocket(`wss://127.0.0.1:${port('WSS')}`, 'sip', { rejectUnauthorized: false });
    cleanup.push(() => wss.terminate());
    wss.on('open', () => wss.send(sipRequest('via-wss', '', 'WSS')));

    await until(() => got.length === 5, 'a message on every transport');
    expect(got.map((g) => g.source.transport).sort()).toEqual(['TCP', 'TLS', 'UDP', 'WS', 'WSS']);

    // A reply goes out on the transport (and connection) the request named.
    const fromTcp = got.find((g) => g.source.transport === 'TCP')!.source;
    set.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), fromTcp);
    await until(() => tcp.text.length > 0, 'the TCP reply');

    const stats = set.stats();
    for (const name of ['UDP', 'TCP', 'TLS', 'WS', 'WSS'] as const) expect(stats[name]!.messagesIn, name).toBe(1);
    expect(stats.TCP!.messagesOut).toBe(1);
    expect(stats.TCP!.connectionsOpen).toBe(1);
    expect(set.isReliable('udp')).toBe(false);
    expect(set.isReliable('TLS')).toBe(true);
  });

  it('uses the UDP port for TCP unless told otherwise, and leaves out what is not configured', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const free = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const set = track(createTransports({ host: '127.0.0.1', udpPort: free }));
    const bound = await set.listen();
    expect(bound).toEqual([
      { transport: 'UDP', host: '127.0.0.1', port: free },
      { transport: 'TCP', host: '127.0.0.1', port: free },
    ]);
    const errors: string[] = [];
    set.setSendErrorHandler((_to, err) => errors.push(err.message));
    set.send(Buffer.from('x'), { transport: 'WS', address: '127.0.0.1', port: 1 });
    expect(errors).toEqual(['no WS transport is configured']);
  });

  it('shares the connection caps between stream transports', async () => {
    const set = track(createTransports({ host: '127.0.0.1', tcpPort: 0, tlsPort: 0, tls: pem, limits: { maxConnectionsPerIp: 1 } }));
    const bound = await set.listen();
    const tcp = await TestClient.tcp(bound[0]!.port);
    cleanup.push(() => tcp.destroy());
    await until(() => set.stats().TCP!.connectionsOpen === 1, 'the TCP accept');
    await expect(TestClient.tls(bound[1]!.port)).rejects.toThrow();
    expect(set.stats().TLS!.connectionsRefused).toBe(1);
  });

  it('needs a certificate for TLS or WSS', () => {
    expect(() => createTransports({ tlsPort: 0 })).toThrow(/certificate/);
  });

  it('closes what it started when one transport cannot listen', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const taken = (blocker.address() as AddressInfo).port;
    const set = createTransports({ host: '127.0.0.1', udpPort: 0, tcpPort: taken });
    await expect(set.listen()).rejects.toThrow(/EADDRINUSE/);
    const udp = set.get('UDP')!;
    const errors: string[] = [];
    udp.onSendError = (_to, err) => errors.push(err.message);
    udp.send(Buffer.from('x'), { transport: 'UDP', address: '127.0.0.1', port: 9 });
    expect(errors).toEqual(['UDP transport is not listening']);
  });
});
