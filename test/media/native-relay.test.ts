// A relayed bridge on the native UDP I/O layer (docs/media/native-io.md), end to end over UDP:
// the stream the far end gets stays one through relay → mixing (a recording starts) → relay
// (it stops), RFC 4733 digits and RTCP still reach the engine's logic while relaying, and the
// counters add up to what the far ends sent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessMediaEngine, type DtmfEvent } from '../../media/engine/index.js';
import { nativeIo } from '../../media/engine/native-io.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { hasTone } from '../helpers/tone-analysis.js';
import { answeredLeg, closeAll, sequenceGaps, sleep, tone } from './call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];
let dir = '';

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

/** Sends digit `event` as RFC 4733 packets: three updates, then the end three times (§2.5.1.4). */
async function sendDigit(peer: RtpPeer, event: number): Promise<void> {
  const ts = (Math.random() * 2 ** 32) >>> 0;
  for (let i = 1; i <= 6; i++) {
    const end = i >= 4;
    const duration = 160 * Math.min(i, 4);
    peer.sendPacket(peer.telephoneEventPt, new Uint8Array([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]), { marker: i === 1, ts });
    await sleep(20);
  }
}

describe('a relayed bridge on the native UDP layer', () => {
  it('keeps one stream through relay → mixing → relay, and digits, RTCP and counters still work', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-native-'));
    engine = new InProcessMediaEngine({ portMin: 32200, portMax: 32239, recordingsDir: dir, rtcpIntervalMs: 200 });
    const digits: DtmfEvent[] = [];
    engine.on('dtmf', (d) => digits.push(d));
    const session = await engine.createSession();
    const mux = { sdp: (p: RtpPeer) => p.sdp({ rtcpMux: true }) };
    const a = await answeredLeg(session, { codec: 'PCMU' }, mux);
    const b = await answeredLeg(session, { codec: 'PCMU' }, mux);
    peers.push(a.peer, b.peer);
    if (process.env.SWITCHBOARD_MEDIA_NATIVE !== '0') expect(nativeIo()?.addon.info().open).toBeGreaterThanOrEqual(2);
    const { roomId } = await session.createRoom();
    await session.join(roomId, a.endpointId);
    await session.join(roomId, b.endpointId);
    expect(await session.stats(roomId)).toMatchObject({ relaying: true });
    a.peer.startRtcp(100);

    await a.peer.play(tone(a.peer, 440, 0.3));
    await sendDigit(a.peer, 7);
    const { recordingId } = await session.record(b.endpointId, { path: 'b.wav', mode: 'mono', trim: false });
    expect(await session.stats(roomId)).toMatchObject({ relaying: false });
    await a.peer.play(tone(a.peer, 440, 0.3));
    await session.stopRecord(recordingId);
    expect(await session.stats(roomId)).toMatchObject({ relaying: true });
    const relayAgainFrom = b.peer.received.length;
    await a.peer.play(tone(a.peer, 440, 0.3));
    await sleep(80);

    // One stream at B: one SSRC, sequence +1 per packet; timestamps move by whole frames.
    const g = sequenceGaps(b.peer);
    expect(g.seqSteps.length).toBeGreaterThan(30);
    expect(g.ssrcs).toBe(1);
    expect(new Set(g.seqSteps)).toEqual(new Set([1]));
    expect(g.tsSteps.every((s) => s >= 160 && s % 160 === 0)).toBe(true);
    expect(hasTone(b.peer.heard(relayAgainFrom), 8000, 440, -20)).toBe(true);

    // The digit went through the engine's RFC 4733 receiver while the bridge relayed.
    expect(digits.map((d) => [d.digit, d.source, d.endpointId])).toEqual([['7', 'rfc4733', a.endpointId]]);

    // RTCP from A (muxed) reached its RTCP session; the counters account for every datagram.
    type Counters = { packetsIn: number; rtpAccepted: number; telephoneEvents: number; rtcpIn: number; relayedOut: number; transportErrors: number };
    const sa = (await session.stats(a.endpointId)) as { counters: Counters; rtcp: { reportsReceived: number } };
    const sb = (await session.stats(b.endpointId)) as { counters: Counters; stream: { rebases: number } };
    expect(sa.rtcp.reportsReceived).toBeGreaterThan(0);
    expect(sa.counters.packetsIn).toBe(a.peer.sent);
    expect(sa.counters.rtcpIn).toBe(sa.rtcp.reportsReceived);
    expect(sa.counters.packetsIn).toBe(sa.counters.rtpAccepted + sa.counters.telephoneEvents + sa.counters.rtcpIn);
    expect(sa.counters.telephoneEvents).toBe(6);
    expect(sb.counters.relayedOut).toBeGreaterThan(20);
    expect(sb.stream.rebases).toBeGreaterThanOrEqual(2);
    expect(sb.counters.transportErrors).toBe(0);
  });
});
