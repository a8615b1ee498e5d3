// DTMF over the wire: RFC 4733 events replayed from sipp's captures and in-band tones from a far
// end come out as `dtmf` events, once per key press; DTMF we send arrives as events or as tones.
import { afterEach, describe, expect, it } from 'vitest';
import { dtmfAudio } from '../../media/dtmf/generator.js';
import { InbandDtmfDetector } from '../../media/dtmf/inband-detector.js';
import { InProcessMediaEngine, type DtmfEvent } from '../../media/engine/index.js';
import { readPcapRtp } from '../helpers/pcap.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { answeredLeg, closeAll, sleep } from './call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
});

const CAPTURES: [string, string][] = [
  ['0', 'dtmf_2833_0.pcap'],
  ['1', 'dtmf_2833_1.pcap'],
  ['2', 'dtmf_2833_2.pcap'],
  ['3', 'dtmf_2833_3.pcap'],
  ['4', 'dtmf_2833_4.pcap'],
  ['5', 'dtmf_2833_5.pcap'],
  ['6', 'dtmf_2833_6.pcap'],
  ['7', 'dtmf_2833_7.pcap'],
  ['8', 'dtmf_2833_8.pcap'],
  ['9', 'dtmf_2833_9.pcap'],
  ['*', 'dtmf_2833_star.pcap'],
  ['#', 'dtmf_2833_pound.pcap'],
];

function collect(e: InProcessMediaEngine): DtmfEvent[] {
  const got: DtmfEvent[] = [];
  e.on('dtmf', (d) => got.push(d));
  return got;
}

describe('DTMF through an endpoint', () => {
  it("replays sipp's RFC 4733 captures: each yields its digit once (redundant end packets deduplicated)", async () => {
    engine = new InProcessMediaEngine({ portMin: 31300, portMax: 31339 });
    const got = collect(engine);
    const session = await engine.createSession();
    const leg = await answeredLeg(session, { codec: 'PCMU', telephoneEventPt: 101 });
    peers.push(leg.peer);
    for (const [, file] of CAPTURES) {
      // Each capture is a call of its own: a new source (SSRC) with its own timestamps.
      leg.peer.restart();
      const packets = readPcapRtp(`/usr/share/sip-tester/${file}`).filter((p) => p.payloadType === 101);
      expect(packets.length).toBeGreaterThan(3);
      for (const p of packets) {
        leg.peer.sendPacket(101, p.rtpPayload, { marker: p.marker, ts: p.timestamp, seq: p.sequence });
        await sleep(1);
      }
      await sleep(15);
    }
    await leg.peer.waitFor(() => got.length >= CAPTURES.length, 3000, 'twelve digits');
    await sleep(300); // anything reported twice would arrive by now (end timeout 250 ms)
    expect(got.map((d) => d.digit).join('')).toBe('0123456789*#');
    expect(got.every((d) => d.source === 'rfc4733' && d.endpointId === leg.endpointId)).toBe(true);
    expect(got[0]!.durationMs).toBeGreaterThanOrEqual(100);
  });

  it('detects in-band tones from a peer without telephone-event', async () => {
    engine = new InProcessMediaEngine({ portMin: 31340, portMax: 31379 });
    const got = collect(engine);
    const session = await engine.createSession();
    const leg = await answeredLeg(session, { codec: 'PCMA' }, { telephoneEvent: false });
    peers.push(leg.peer);
    expect(leg.localSdp).not.toContain('telephone-event');
    await leg.peer.play(dtmfAudio('159#', { sampleRate: 8000, level: -12 }));
    await leg.peer.waitFor(() => got.length >= 4, 2000, 'four digits');
    await sleep(100);
    expect(got.map((d) => d.digit).join('')).toBe('159#');
    expect(got.every((d) => d.source === 'inband')).toBe(true);
  });

  it('sends RFC 4733 events when negotiated, and in-band tones otherwise', async () => {
    engine = new InProcessMediaEngine({ portMin: 31380, portMax: 31419 });
    const session = await engine.createSession();
    const withTe = await answeredLeg(session, { codec: 'PCMU', telephoneEventPt: 110 });
    const without = await answeredLeg(session, { codec: 'PCMU' }, { telephoneEvent: false });
    peers.push(withTe.peer, without.peer);
    expect(await session.sendDtmf(withTe.endpointId, '42')).toEqual({ method: 'rfc4733' });
    expect(await session.sendDtmf(without.endpointId, '73')).toEqual({ method: 'inband' });
    await sleep(600);

    // Events: one timestamp per digit, the end bit on the last three, event codes 4 then 2.
    const events = withTe.peer.received.filter((p) => p.payloadType === 110);
    const byTs = new Map<number, number[]>();
    for (const e of events) byTs.set(e.ts, [...(byTs.get(e.ts) ?? []), e.payload[0]!]);
    expect([...byTs.values()].map((codes) => codes[0])).toEqual([4, 2]);
    expect(events.filter((e) => (e.payload[1]! & 0x80) !== 0).length).toBe(6);
    // The stream around the events is still one: sequence numbers +1 across audio and events.
    const all = withTe.peer.received;
    for (let i = 1; i < all.length; i++) expect((all[i]!.seq - all[i - 1]!.seq) & 0xffff).toBe(1);

    const digits: string[] = [];
    const detector = new InbandDtmfDetector({ onDigit: (d) => digits.push(d.digit) });
    detector.process(without.peer.heard());
    detector.flush();
    expect(digits.join('')).toBe('73');
  });
});
