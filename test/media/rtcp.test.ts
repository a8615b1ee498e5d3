// RTCP over the wire (rtcp-mux): the engine sends SR/RR with SDES, takes the far end's reports,
// and works out the round-trip time from them (RFC 3550 §6.4.1).
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessMediaEngine } from '../../media/engine/index.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { answeredLeg, closeAll, sleep, tone } from './call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
});

describe('RTCP', () => {
  it('sends sender reports about its stream and measures the RTT from the far end reports', async () => {
    engine = new InProcessMediaEngine({ portMin: 31860, portMax: 31879, rtcpIntervalMs: 200 });
    const session = await engine.createSession();
    const leg = await answeredLeg(session, { codec: 'PCMU' }, { sdp: (p) => p.sdp({ rtcpMux: true }) });
    peers.push(leg.peer);
    expect(leg.localSdp).toContain('a=rtcp-mux');
    leg.peer.startRtcp(200);
    await leg.peer.play(tone(leg.peer, 440, 1.2));
    await sleep(200);

    const ours = leg.peer.audioPackets()[0]!.ssrc;
    const srs = leg.peer.rtcpPackets.filter((p) => p.type === 'sr' && p.ssrc === ours);
    expect(srs.length).toBeGreaterThanOrEqual(2);
    // Its report block is about the far end's stream.
    const blocks = srs.flatMap((p) => (p.type === 'sr' ? p.reports : []));
    expect(blocks.some((b) => b.ssrc === leg.peer.ssrc)).toBe(true);
    const stats = (await session.stats(leg.endpointId)) as { rtcp: { rttMs: number | null }; counters: { rtcpIn: number; rtcpOut: number }; quality: { rttMs: number | null; mos: number | null } };
    expect(stats.counters.rtcpIn).toBeGreaterThanOrEqual(2);
    expect(stats.counters.rtcpOut).toBeGreaterThanOrEqual(2);
    expect(stats.rtcp.rttMs).not.toBeNull();
    expect(stats.rtcp.rttMs!).toBeLessThan(100); // loopback
    expect(stats.quality.mos).toBeGreaterThan(4);
  });
});
