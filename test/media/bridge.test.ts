// Two far ends bridged through the engine over real UDP: who hears what, and what the RTP stream
// each far end receives looks like.
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessMediaEngine } from '../../media/engine/index.js';
import { hasTone, toneLevelDbfs } from '../helpers/tone-analysis.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { ABSENT, answeredLeg, closeAll, sequenceGaps, sleep, tone } from './call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
});

async function bridge(codecA: string, codecB: string) {
  engine = new InProcessMediaEngine({ portMin: 31000, portMax: 31199 });
  const session = await engine.createSession();
  const a = await answeredLeg(session, { codec: codecA });
  const b = await answeredLeg(session, { codec: codecB });
  peers.push(a.peer, b.peer);
  const { roomId } = await session.createRoom();
  await session.join(roomId, a.endpointId);
  await session.join(roomId, b.endpointId);
  return { session, a, b, roomId };
}

describe('a two-party bridge over UDP', () => {
  it('mixing (PCMU ↔ PCMA): each far end hears the other, never itself', async () => {
    const { session, a, b, roomId } = await bridge('PCMU', 'PCMA');
    expect(await session.stats(roomId)).toMatchObject({ relaying: false });
    await Promise.all([a.peer.play(tone(a.peer, 440, 0.6)), b.peer.play(tone(b.peer, 700, 0.6))]);
    await sleep(120);
    const atB = b.peer.heard();
    const atA = a.peer.heard();
    expect(toneLevelDbfs(atB, 8000, 440)).toBeGreaterThan(-20);
    expect(toneLevelDbfs(atA, 8000, 700)).toBeGreaterThan(-20);
    expect(hasTone(atB, 8000, 700, ABSENT)).toBe(false);
    expect(hasTone(atA, 8000, 440, ABSENT)).toBe(false);
  });

  it('mixing: one SSRC, seq +1 and ts +160 per packet through silence, hold with music, unhold and a source change', async () => {
    const { session, a, b } = await bridge('PCMU', 'PCMA');
    await a.peer.play(tone(a.peer, 440, 0.3));
    await sleep(200); // A silent: B still gets a packet per tick
    await session.setMode(b.endpointId, { mode: 'hold', music: [{ type: 'tone', frequencies: [300] }] });
    const holdFrom = b.peer.received.length;
    const aFrom = a.peer.received.length;
    await a.peer.play(tone(a.peer, 440, 0.3));
    await sleep(60);
    const heldHears = b.peer.heard(holdFrom);
    expect(hasTone(heldHears, 8000, 300, -30)).toBe(true); // the held party hears the music
    expect(hasTone(heldHears, 8000, 440, ABSENT)).toBe(false); // and not the call
    await session.setMode(b.endpointId, { mode: 'normal' });
    a.peer.restart(); // a new SSRC and new sequence numbers from A
    const resumedFrom = b.peer.received.length;
    await a.peer.play(tone(a.peer, 440, 0.3));
    await sleep(120);
    expect(hasTone(b.peer.heard(resumedFrom), 8000, 440, -25)).toBe(true);
    expect(hasTone(a.peer.heard(aFrom), 8000, 300, ABSENT)).toBe(false); // nobody else hears the music

    const g = sequenceGaps(b.peer);
    expect(g.seqSteps.length).toBeGreaterThan(50);
    expect(g.ssrcs).toBe(1);
    expect(new Set(g.seqSteps)).toEqual(new Set([1]));
    expect(new Set(g.tsSteps)).toEqual(new Set([160]));
    const stats = (await session.stats(a.endpointId)) as { counters: { sourceChanges: number } };
    expect(stats.counters.sourceChanges).toBe(1);
  });

  it('relaying (PCMU ↔ PCMU): audio passes, and the stream stays one through hold (mixing) and a source change', async () => {
    const { session, a, b, roomId } = await bridge('PCMU', 'PCMU');
    expect(await session.stats(roomId)).toMatchObject({ relaying: true });
    await Promise.all([a.peer.play(tone(a.peer, 440, 0.4)), b.peer.play(tone(b.peer, 700, 0.4))]);
    await sleep(60);
    expect(hasTone(b.peer.heard(), 8000, 440, -20)).toBe(true);
    expect(hasTone(a.peer.heard(), 8000, 700, -20)).toBe(true);
    expect(hasTone(a.peer.heard(), 8000, 440, ABSENT)).toBe(false);

    await session.setMode(b.endpointId, { mode: 'hold', music: [{ type: 'tone', frequencies: [300] }] });
    expect(await session.stats(roomId)).toMatchObject({ relaying: false });
    await sleep(200);
    await session.setMode(b.endpointId, { mode: 'normal' });
    expect(await session.stats(roomId)).toMatchObject({ relaying: true });
    a.peer.restart();
    await a.peer.play(tone(a.peer, 440, 0.3));
    await sleep(60);

    const g = sequenceGaps(b.peer);
    expect(g.ssrcs).toBe(1);
    expect(new Set(g.seqSteps)).toEqual(new Set([1]));
    // Relayed packets keep their spacing; pauses of the source show as timestamp steps of whole frames.
    expect(g.tsSteps.every((s) => s >= 160 && s % 160 === 0)).toBe(true);
    const stats = (await session.stats(b.endpointId)) as { stream: { rebases: number }; counters: { relayedOut: number } };
    expect(stats.counters.relayedOut).toBeGreaterThan(20);
    expect(stats.stream.rebases).toBeGreaterThanOrEqual(2);
  });
});
