// Negotiation over the life of a call: a leg we offer (B2BUA B leg) answered later, and a far end
// that re-INVITEs: hold (sendonly), then a move to another port with another codec.
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessMediaEngine } from '../../media/engine/index.js';
import { RtpPeer } from '../helpers/rtp-peer.js';
import { hasTone } from '../helpers/tone-analysis.js';
import { answeredLeg, closeAll, sleep, tone } from './call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
});

/** An answer to `offer` from `peer`: its codec, the offer's telephone-event payload type. */
function answerFrom(peer: RtpPeer, offer: string, o: { direction?: string; version?: number } = {}): string {
  const te = /^a=rtpmap:(\d+) telephone-event\/8000/m.exec(offer);
  const sdp = peer.sdp({ telephoneEvent: te !== null, ...o });
  return te ? sdp.replaceAll(` ${peer.telephoneEventPt}`, ` ${te[1]}`).replaceAll(`:${peer.telephoneEventPt} `, `:${te[1]} `) : sdp;
}

describe('offers, answers and re-INVITEs', () => {
  it('a leg we offer carries audio once answered; a re-INVITE holds it, another moves it to a new port and codec', async () => {
    engine = new InProcessMediaEngine({ portMin: 31800, portMax: 31839 });
    const session = await engine.createSession();
    const a = await answeredLeg(session, { codec: 'PCMU' });
    const bPeer = await RtpPeer.open({ codec: 'PCMU' });
    peers.push(a.peer, bPeer);
    const b = await session.createEndpoint({});
    expect(b.localSdp).toMatch(/^m=audio \d+ RTP\/AVP 0 8 9 /m);
    bPeer.target(b.localSdp);
    await session.applyAnswer(b.endpointId, answerFrom(bPeer, b.localSdp));
    const { roomId } = await session.createRoom();
    await session.join(roomId, a.endpointId);
    await session.join(roomId, b.endpointId);

    await bPeer.play(tone(bPeer, 700, 0.3));
    await sleep(60);
    expect(hasTone(a.peer.heard(), 8000, 700, -20)).toBe(true);

    // A holds the call: sendonly. We answer recvonly and stop sending to A.
    const hold = await session.updateEndpoint(a.endpointId, a.peer.sdp({ direction: 'sendonly', version: 2 }));
    expect(hold.localSdp).toContain('a=recvonly');
    await sleep(60);
    const heldAt = a.peer.received.length;
    await bPeer.play(tone(bPeer, 700, 0.2));
    await sleep(60);
    expect(a.peer.received.length).toBe(heldAt);

    // A comes back from another port, now with PCMA.
    const moved = await RtpPeer.open({ codec: 'PCMA' });
    peers.push(moved);
    const back = await session.updateEndpoint(a.endpointId, moved.sdp({ version: 3 }));
    expect(back.localSdp).toMatch(/^m=audio \d+ RTP\/AVP 8 /m);
    moved.target(back.localSdp);
    await Promise.all([bPeer.play(tone(bPeer, 700, 0.3)), moved.play(tone(moved, 440, 0.3))]);
    await sleep(80);
    expect(hasTone(moved.heard(), 8000, 700, -20)).toBe(true);
    expect(hasTone(bPeer.heard(), 8000, 440, -20)).toBe(true);
    expect(moved.audioPackets().every((p) => p.payloadType === 8)).toBe(true);
    expect(a.peer.received.length).toBe(heldAt); // nothing went to the old port
  });

  it('refuses an offer with no common codec with a typed error the SIP side maps to 488', async () => {
    engine = new InProcessMediaEngine({ portMin: 31840, portMax: 31859, codecs: ['PCMA'] });
    const session = await engine.createSession();
    const peer = await RtpPeer.open({ codec: 'PCMU' });
    peers.push(peer);
    await expect(session.createEndpoint({ remoteSdp: peer.sdp() })).rejects.toMatchObject({
      name: 'MediaEngineError',
      code: 'bad_sdp',
      sdpKind: 'no-common-codec',
      sipStatus: 488,
    });
    await expect(session.createEndpoint({ remoteSdp: 'v=0\r\nnonsense' })).rejects.toMatchObject({ code: 'bad_sdp', sipStatus: 400 });
    // The ports of the refused endpoints were given back.
    const stats = (await engine.stats()) as { workers: { ports: { free: number; pairs: number } }[] };
    expect(stats.workers[0]!.ports.free).toBe(stats.workers[0]!.ports.pairs);
  });
});
