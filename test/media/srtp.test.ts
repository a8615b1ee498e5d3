// SRTP (RFC 3711, SDES keys per RFC 4568) end to end over the socket: audio passes both ways
// encrypted, and a packet whose bytes were changed on the way is dropped.
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessMediaEngine } from '../../media/engine/index.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { hasTone } from '../helpers/tone-analysis.js';
import { ABSENT, answeredLeg, closeAll, sleep, tone } from './call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
});

interface EndpointStats {
  srtp: string | null;
  counters: { srtpFailures: number; rtpAccepted: number };
}

describe('SRTP AES_CM_128_HMAC_SHA1_80', () => {
  it.each([
    ['relayed', 'PCMU'],
    ['mixed', 'PCMA'],
  ])('carries audio both ways (%s), and drops a tampered packet', async (_how, codecB) => {
    engine = new InProcessMediaEngine({ portMin: 31620, portMax: 31659 });
    const session = await engine.createSession();
    const a = await answeredLeg(session, { codec: 'PCMU' }, { srtp: true });
    const b = await answeredLeg(session, { codec: codecB }, { srtp: true });
    peers.push(a.peer, b.peer);
    expect(a.localSdp).toMatch(/^m=audio \d+ RTP\/SAVP /m);
    expect(a.localSdp).toMatch(/^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/m);
    const { roomId } = await session.createRoom();
    await session.join(roomId, a.endpointId);
    await session.join(roomId, b.endpointId);

    await Promise.all([a.peer.play(tone(a.peer, 440, 0.4)), b.peer.play(tone(b.peer, 700, 0.4))]);
    // Now a stretch of 1 kHz from A, every packet with one payload byte flipped after protection.
    const loud = tone(a.peer, 1000, 0.02);
    for (let i = 0; i < 10; i++) {
      a.peer.sendFrame(loud, { tamper: (p) => (p[20] = p[20]! ^ 0x01) });
      await sleep(20);
    }
    await sleep(100);

    expect(hasTone(b.peer.heard(), 8000, 440, -20)).toBe(true);
    expect(hasTone(a.peer.heard(), 8000, 700, -20)).toBe(true);
    expect(hasTone(b.peer.heard(), 8000, 1000, ABSENT)).toBe(false);
    expect(a.peer.srtpFailures + b.peer.srtpFailures).toBe(0); // what we sent authenticates at the far ends
    const sa = (await session.stats(a.endpointId)) as EndpointStats;
    expect(sa.srtp).toBe('AES_CM_128_HMAC_SHA1_80');
    expect(sa.counters.srtpFailures).toBe(10);
    expect(sa.counters.rtpAccepted).toBeGreaterThan(15);
  });

  it('refuses plain RTP on an SRTP leg', async () => {
    engine = new InProcessMediaEngine({ portMin: 31660, portMax: 31679 });
    const session = await engine.createSession();
    const a = await answeredLeg(session, { codec: 'PCMU' }, { srtp: true });
    peers.push(a.peer);
    const plain = new Uint8Array(172);
    plain[0] = 0x80;
    for (let i = 0; i < 5; i++) a.peer.sendRaw(plain);
    await sleep(60);
    const s = (await session.stats(a.endpointId)) as EndpointStats;
    expect(s.counters.srtpFailures).toBe(5);
    expect(s.counters.rtpAccepted).toBe(0);
  });
});
