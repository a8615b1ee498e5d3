// Symmetric RTP latching: packets are taken only from the address the SDP names or the signalling
// source the control plane vouches for. A spray at the port range from anywhere else reaches nobody.
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessMediaEngine } from '../../media/engine/index.js';
import { RtpPeer } from '../helpers/rtp-peer.js';
import { hasTone } from '../helpers/tone-analysis.js';
import { ABSENT, answeredLeg, closeAll, sleep, tone } from './call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
});

interface EndpointStats {
  counters: { spoofed: number; rtpAccepted: number };
  latch: { latched: string | null };
}

describe('RTP source latching', () => {
  it('refuses a spoofed source (127.0.0.2) spraying the port range: nothing it sends is heard, counters show it', async () => {
    engine = new InProcessMediaEngine({ portMin: 31200, portMax: 31259 });
    const session = await engine.createSession();
    const a = await answeredLeg(session, { codec: 'PCMU' });
    const b = await answeredLeg(session, { codec: 'PCMA' });
    peers.push(a.peer, b.peer);
    const { roomId } = await session.createRoom();
    await session.join(roomId, a.endpointId);
    await session.join(roomId, b.endpointId);

    // The attacker gets in first, before either far end has sent anything, on every port of the range.
    const attacker = await RtpPeer.open({ address: '127.0.0.2', codec: 'PCMU' });
    peers.push(attacker);
    const loud = tone(attacker, 1000, 0.02);
    for (let round = 0; round < 10; round++) {
      for (let port = 31200; port < 31260; port++) {
        attacker.remote = { address: '127.0.0.1', port };
        attacker.sendFrame(loud);
      }
      await sleep(20);
    }
    await a.peer.play(tone(a.peer, 440, 0.4));
    await sleep(100);

    const atB = b.peer.heard();
    expect(hasTone(atB, 8000, 440, -25)).toBe(true);
    expect(hasTone(atB, 8000, 1000, ABSENT)).toBe(false);
    expect(hasTone(a.peer.heard(), 8000, 1000, ABSENT)).toBe(false);
    expect(attacker.received.length).toBe(0); // nothing was ever sent to it either
    const sa = (await session.stats(a.endpointId)) as EndpointStats;
    const sb = (await session.stats(b.endpointId)) as EndpointStats;
    expect(sa.counters.spoofed + sb.counters.spoofed).toBeGreaterThanOrEqual(20);
    expect(sa.latch.latched).toBe(`127.0.0.1:${a.peer.port}`);
  });

  it('latches to the signalling source when the SDP names an address the packets do not come from (NAT)', async () => {
    engine = new InProcessMediaEngine({ portMin: 31260, portMax: 31299 });
    const session = await engine.createSession();
    // The SDP names an address the packets do not come from, as a phone behind NAT does (its private
    // address); a loopback one here, so that nothing the engine sends there leaves the machine.
    const natted = (p: RtpPeer) => p.sdp({ address: '127.0.0.99' });
    const vouched = await answeredLeg(session, { codec: 'PCMU' }, { sdp: natted, allowedSources: ['127.0.0.1'] });
    const unknown = await answeredLeg(session, { codec: 'PCMU' }, { sdp: natted });
    peers.push(vouched.peer, unknown.peer);

    await Promise.all([vouched.peer.play(tone(vouched.peer, 440, 0.1)), unknown.peer.play(tone(unknown.peer, 440, 0.1))]);
    await sleep(100);
    const sv = (await session.stats(vouched.endpointId)) as EndpointStats;
    const su = (await session.stats(unknown.endpointId)) as EndpointStats;
    expect(sv.latch.latched).toBe(`127.0.0.1:${vouched.peer.port}`);
    expect(sv.counters.rtpAccepted).toBeGreaterThan(0);
    // Symmetric RTP: the engine answers to where the packets came from, not to 127.0.0.99.
    expect(vouched.peer.audioPackets().length).toBeGreaterThan(0);
    expect(su.latch.latched).toBeNull();
    expect(su.counters.rtpAccepted).toBe(0);
    expect(su.counters.spoofed).toBeGreaterThan(0);
  });

  it('keeps the latched source while it talks, and re-latches to a new port only after it went silent', async () => {
    engine = new InProcessMediaEngine({ portMin: 31880, portMax: 31899, relatchAfterMs: 300 });
    const session = await engine.createSession();
    const a = await answeredLeg(session, { codec: 'PCMU' });
    peers.push(a.peer);
    // The same host, another port (the phone restarted its RTP socket, or a NAT rebound).
    const moved = await RtpPeer.open({ codec: 'PCMU' });
    peers.push(moved);
    moved.target(a.localSdp);
    await Promise.all([a.peer.play(tone(a.peer, 440, 0.3)), sleep(100).then(() => moved.play(tone(moved, 440, 0.1)))]);
    let st = (await session.stats(a.endpointId)) as EndpointStats;
    expect(st.latch.latched).toBe(`127.0.0.1:${a.peer.port}`); // the intruding port did not take over
    await sleep(450); // silence beyond relatchAfterMs
    const before = moved.audioPackets().length;
    await moved.play(tone(moved, 440, 0.2));
    await sleep(60);
    st = (await session.stats(a.endpointId)) as EndpointStats;
    expect(st.latch.latched).toBe(`127.0.0.1:${moved.port}`);
    expect(moved.audioPackets().length).toBeGreaterThan(before + 5); // the engine now sends there
  });
});

