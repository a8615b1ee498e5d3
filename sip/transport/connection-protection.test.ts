// The promise: 1,000 slow or idle connections from one address do not lock
// out a legitimate client. Real sockets on 127.0.0.1 and 127.0.0.2; deadlines run on a
// manual clock so that what closes a connection is decided by the test, not by timing.
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../transaction/timers.js';
import { TcpTransport } from './tcp-transport.js';
import type { ConnectionLimits } from './connection-limits.js';
import { record, sipRequest, TestClient, until } from './loopback-clients.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function start(limits: Partial<ConnectionLimits>, clock?: ManualClock): Promise<{ t: TcpTransport; port: number }> {
  const t = new TcpTransport({ host: '127.0.0.1', port: 0, limits, ...(clock ? { clock, now: () => clock.now } : {}) });
  const { port } = await t.listen();
  cleanup.push(() => t.close());
  return { t, port };
}

async function client(port: number, localAddress = '127.0.0.1'): Promise<TestClient> {
  const c = await TestClient.tcp(port, localAddress);
  cleanup.push(() => c.destroy());
  return c;
}

/** Opens `n` connections from 127.0.0.1 in batches and leaves them idle. */
async function flood(port: number, n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  cleanup.push(() => sockets.forEach((s) => s.destroy()));
  for (let done = 0; done < n; done += 100) {
    const batch = Array.from({ length: Math.min(100, n - done) }, () => {
      const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
      sockets.push(s);
      s.on('error', () => undefined); // the refused ones are reset
      return new Promise<void>((resolve) => {
        s.once('connect', () => resolve());
        s.once('close', () => resolve());
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

describe('connection protection', () => {
  it('1,000 idle connections from one address leave room for a client from another', async () => {
    // The process cap is far below 1,000: without the per-address cap the flood would
    // fill it and the legitimate client would be refused too.
    const { t, port } = await start({ maxConnectionsPerIp: 8, maxConnections: 100 });
    const got = record(t);
    await flood(port, 1_000);
    await until(() => t.stats().connectionsAccepted + t.stats().connectionsRefused === 1_000, 'every flood connection handled');
    expect(t.stats()).toMatchObject({ connectionsAccepted: 8, connectionsRefused: 992, connectionsOpen: 8 });

    const legit = await client(port, '127.0.0.2');
    await legit.write(sipRequest('legit'));
    await until(() => got.length === 1, 'the legitimate request');
    expect(got[0]!.source).toMatchObject({ address: '127.0.0.2', port: legit.localPort });
    t.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), got[0]!.source);
    await until(() => legit.text.length > 0, 'the reply');
    expect(legit.text).toBe('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
  });

  it('a refused address gets in again once its connections close', async () => {
    const { t, port } = await start({ maxConnectionsPerIp: 2 });
    const a = await client(port);
    const b = await client(port);
    const [refused] = await flood(port, 1);
    await until(() => refused!.destroyed, 'the third connection to be refused');
    expect(t.stats().connectionsRefused).toBe(1);
    a.destroy();
    b.destroy();
    await until(() => t.stats().connectionsOpen === 0, 'the slots to free');
    const again = await client(port);
    const got = record(t);
    await again.write(sipRequest('again'));
    await until(() => got.length === 1, 'the request');
  });

  it('closes a connection whose header block does not complete in time, and only that one', async () => {
    const clock = new ManualClock();
    const { t, port } = await start({ messageTimeoutMs: 2_000, firstByteTimeoutMs: 60_000, idleTimeoutMs: 600_000 }, clock);
    const got = record(t);
    const good = await client(port);
    await good.write(sipRequest('complete'));
    const slow = await client(port);
    const partial = 'REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1';
    await slow.write(partial);
    const expected = Buffer.byteLength(sipRequest('complete')) + Buffer.byteLength(partial);
    await until(() => got.length === 1 && t.stats().bytesIn === expected, 'both clients read');

    clock.advance(1_999);
    expect(t.stats().timeouts).toBe(0);
    clock.advance(1);
    await slow.waitClosed('the slow connection to be closed');
    expect(t.stats()).toMatchObject({ timeouts: 1, connectionsOpen: 1 });
    expect(good.closed).toBe(false);
  });

  it('closes a connection that sends nothing at the first-byte deadline', async () => {
    const clock = new ManualClock();
    const { t, port } = await start({ firstByteTimeoutMs: 5_000 }, clock);
    const silent = await client(port);
    await until(() => t.stats().connectionsOpen === 1, 'the accept');
    clock.advance(4_999);
    expect(silent.closed).toBe(false);
    clock.advance(1);
    await silent.waitClosed('the silent connection to be closed');
    expect(t.stats().timeouts).toBe(1);
  });

  it('closes an idle connection, and keep-alives count as traffic', async () => {
    const clock = new ManualClock();
    const { t, port } = await start({ idleTimeoutMs: 60_000 }, clock);
    const got = record(t);
    const c = await client(port);
    await c.write(sipRequest('then-quiet'));
    await until(() => got.length === 1, 'the request');

    clock.advance(59_000);
    await c.write('\r\n\r\n'); // a keep-alive ping at 59 s refreshes the idle deadline
    await until(() => c.text === '\r\n', 'the pong');
    clock.advance(59_999);
    expect(t.stats().connectionsOpen).toBe(1);
    clock.advance(1);
    await c.waitClosed('the idle connection to be closed');
    expect(t.stats()).toMatchObject({ timeouts: 1, connectionsOpen: 0 });
  });

  it('closes a connection whose message grows past the size limit', async () => {
    const { t, port } = await start({ maxMessageBytes: 4_096 });
    const c = await client(port);
    await c.write(`OPTIONS sip:x SIP/2.0\r\nX-Filler: ${'a'.repeat(5_000)}`);
    await c.waitClosed('the oversized message to close the connection');
    expect(t.stats().framingErrors).toBe(1);
  });
});
