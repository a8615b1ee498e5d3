// The native UDP transport on real sockets (127.0.0.1): what a handler is given, what goes out
// of which socket, bind conflicts, oversized datagrams, and that datagrams arrive in batches.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeIo } from './native-io.js';
import { NativePair } from './native-pair.js';
import { PortAllocator } from './port-allocator.js';
import { UdpPair, type RtpTransport } from './udp-pair.js';

interface Got {
  bytes: number[];
  length: number;
  address: string;
  port: number;
}

const open: RtpTransport[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const t of open.splice(0)) t.close();
  for (const s of sockets.splice(0)) s.close();
});

async function peer(): Promise<Socket & { got: { msg: Buffer; port: number }[] }> {
  const s = createSocket('udp4') as Socket & { got: { msg: Buffer; port: number }[] };
  s.got = [];
  s.on('message', (msg, r) => s.got.push({ msg, port: r.port }));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  sockets.push(s);
  return s;
}

async function pair(min = 32100, max = 32139): Promise<{ t: RtpTransport; rtp: Got[]; rtcp: Got[] }> {
  const t = await UdpPair.open(new PortAllocator({ min, max }), { address: '127.0.0.1' });
  open.push(t);
  const rtp: Got[] = [];
  const rtcp: Got[] = [];
  const keep =
    (into: Got[]) =>
    (b: Uint8Array, length: number, address: string, port: number): void => {
      into.push({ bytes: [...b.subarray(0, length)], length, address, port });
    };
  t.listen(keep(rtp), keep(rtcp));
  return { t, rtp, rtcp };
}

const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

// SWITCHBOARD_MEDIA_NATIVE=0 runs everything on node:dgram: then this file has nothing to test.
const off = process.env.SWITCHBOARD_MEDIA_NATIVE === '0';

describe.skipIf(off)('the native UDP transport', () => {
  it('is the one UdpPair.open gives (the addon is built by setup: a missing one fails here)', async () => {
    expect(nativeIo()).not.toBeNull();
    const { t } = await pair();
    expect(t).toBeInstanceOf(NativePair);
  });

  it('hands each datagram with its length and source to the RTP or RTCP handler, the source changing between packets', async () => {
    const { t, rtp, rtcp } = await pair();
    const a = await peer();
    const b = await peer();
    a.send(Buffer.from([1, 2, 3]), t.rtpPort, '127.0.0.1');
    b.send(Buffer.from([4, 5]), t.rtpPort, '127.0.0.1');
    a.send(Buffer.from([6]), t.rtpPort, '127.0.0.1');
    b.send(Buffer.from([7, 8, 9, 10]), t.rtcpPort, '127.0.0.1');
    await until(() => rtp.length === 3 && rtcp.length === 1);
    expect(rtp.map((g) => [g.bytes, g.length, g.address, g.port])).toEqual([
      [[1, 2, 3], 3, '127.0.0.1', a.address().port],
      [[4, 5], 2, '127.0.0.1', b.address().port],
      [[6], 1, '127.0.0.1', a.address().port],
    ]);
    expect(rtcp[0]).toEqual({ bytes: [7, 8, 9, 10], length: 4, address: '127.0.0.1', port: b.address().port });
  });

  it('sends RTP from the RTP port (to a connected peer or any address) and RTCP from the RTCP port, or the RTP port with rtcp-mux', async () => {
    const { t } = await pair();
    const p = await peer();
    const to = p.address().port;
    const packet = new Uint8Array([9, 8, 7, 6, 5]);
    t.sendRtp(packet, 3, to, '127.0.0.1');
    t.connectRtp(to, '127.0.0.1');
    expect(t.isConnectedTo(to, '127.0.0.1')).toBe(true);
    t.sendRtp(packet, 5, to, '127.0.0.1');
    t.sendRtcp(packet, 2, to, '127.0.0.1', false);
    t.sendRtcp(packet, 1, to, '127.0.0.1', true);
    await until(() => p.got.length === 4);
    expect(p.got.map((g) => [[...g.msg], g.port])).toEqual([
      [[9, 8, 7], t.rtpPort],
      [[9, 8, 7, 6, 5], t.rtpPort],
      [[9, 8], t.rtcpPort],
      [[9], t.rtpPort],
    ]);
    t.disconnectRtp();
    expect(t.connected).toBe(false);
    // A port nobody can send to costs one packet and an error count, not an exception.
    t.sendRtp(packet, 5, 0, '127.0.0.1');
    t.sendRtp(packet, 5, 4000, 'not an address');
    expect(t.errors).toBe(2);
  });

  it('skips a pair another socket holds, and frees its ports on close', async () => {
    const squatter = createSocket('udp4');
    sockets.push(squatter);
    await new Promise<void>((r) => squatter.bind(32141, '127.0.0.1', r));
    const { t } = await pair(32140, 32143);
    expect(t.rtpPort).toBe(32142);
    t.close();
    const again = createSocket('udp4');
    sockets.push(again);
    await new Promise<void>((r, j) => {
      again.once('error', j);
      again.bind(32142, '127.0.0.1', () => r());
    });
  });

  it('drops a datagram too big for any RTP packet, counts it, and delivers the next', async () => {
    const { t, rtp } = await pair();
    const p = await peer();
    p.send(Buffer.alloc(4000, 1), t.rtpPort, '127.0.0.1');
    p.send(Buffer.from([0x80, 0]), t.rtpPort, '127.0.0.1');
    await until(() => rtp.length === 1);
    expect(rtp[0]!.bytes).toEqual([0x80, 0]);
    expect((t as NativePair).truncated).toBe(1);
  });

  it('a pair closed while its datagrams wait in the batch gets none of them, nor does a pair opened meanwhile', async () => {
    const io = nativeIo()!;
    const ports = new PortAllocator({ min: 32150, max: 32189 });
    const a = await UdpPair.open(ports, { address: '127.0.0.1' });
    const b = await UdpPair.open(ports, { address: '127.0.0.1' });
    open.push(a, b);
    const got: string[] = [];
    let c: RtpTransport | null = null;
    const first = (name: string, other: RtpTransport) => (): void => {
      got.push(name);
      if (c !== null) return;
      // The other pair goes away with its datagram still in this batch; a new pair comes at once.
      other.close();
      c = NativePair.open(io, ports, { address: '127.0.0.1' });
      open.push(c);
      c.listen(
        () => got.push('c'),
        () => got.push('c'),
      );
    };
    const ignore = (): void => {};
    a.listen(first('a', b), ignore);
    b.listen(first('b', a), ignore);
    const p = await peer();
    const before = io.addon.info().batches!;
    p.send(Buffer.from([1]), a.rtpPort, '127.0.0.1');
    p.send(Buffer.from([2]), b.rtpPort, '127.0.0.1');
    await until(() => got.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(io.addon.info().batches! - before).toBe(1); // both datagrams were in one batch
    expect(got).toHaveLength(1);
    expect(['a', 'b']).toContain(got[0]);
  });

  it('binds IPv6 too: the source is the text node:dgram would give, and replies go back to it', async () => {
    const t = await UdpPair.open(new PortAllocator({ min: 32190, max: 32199 }), { address: '::1' });
    open.push(t);
    const got: [string, number][] = [];
    t.listen(
      (_b, _l, address, port) => {
        got.push([address, port]);
        t.sendRtp(new Uint8Array([5]), 1, port, address);
      },
      () => {},
    );
    const p = createSocket('udp6');
    sockets.push(p);
    const echoed: number[] = [];
    p.on('message', (m) => echoed.push(m[0]!));
    await new Promise<void>((r) => p.bind(0, '::1', r));
    p.send(Buffer.from([1]), t.rtpPort, '::1');
    await until(() => echoed.length === 1);
    expect(got).toEqual([['::1', p.address().port]]);
    expect(echoed).toEqual([5]);
  });

  it('delivers a burst in batches: fewer calls into JavaScript than datagrams, none lost, in order', async () => {
    const io = nativeIo()!;
    const { t, rtp } = await pair();
    const p = await peer();
    const before = io.addon.info();
    for (let i = 0; i < 100; i++) p.send(Buffer.from([i & 0xff, i >> 8]), t.rtpPort, '127.0.0.1');
    await until(() => rtp.length === 100);
    const after = io.addon.info();
    expect(rtp.map((g) => g.bytes[0]! | (g.bytes[1]! << 8))).toEqual([...Array(100).keys()]);
    expect(after.delivered! - before.delivered!).toBe(100);
    expect(after.batches! - before.batches!).toBeLessThan(100);
  });
});
