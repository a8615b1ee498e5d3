// Per-stream RTCP state: the reports two ends exchange, read back through the parser as
// the far end would, with an injected clock and randomness.
import { describe, expect, it } from 'vitest';
import { ntpShortUnitsToMs } from './ntp-time.js';
import { parseRtcp, type ReceiverReport, type RtcpPacket, type SenderReport } from './rtcp.js';
import { RtcpSession, type RtcpSessionOptions } from './rtcp-session.js';

class FakeClock {
  constructor(public ms: number) {}
  now = (): number => this.ms;
}

function session(clock: FakeClock, o: Partial<RtcpSessionOptions> = {}): RtcpSession {
  return new RtcpSession({ localSsrc: 0xaaaa0001, clockRate: 8000, cname: 'a@switchboard', now: clock.now, random: () => 0.5, minSequential: 1, ...o });
}

/** Polls once the report is due (moving the clock there) and parses what was written. */
function report(s: RtcpSession, clock: FakeClock): RtcpPacket[] {
  clock.ms = Math.max(clock.ms, s.nextReportAt);
  const out = new Uint8Array(1500);
  const n = s.poll(out);
  expect(n).toBeGreaterThan(0);
  const parsed = parseRtcp(out.subarray(0, n));
  if (!parsed.ok) throw new Error(parsed.reason);
  expect(parsed.compound).toBe(true);
  return parsed.packets;
}

const blockOf = (ps: RtcpPacket[]) => (ps[0] as SenderReport | ReceiverReport).reports[0];

describe('RtcpSession reports', () => {
  it('reports the loss fraction and cumulative loss of a sequence with gaps (A.3)', () => {
    const clock = new FakeClock(1_700_000_000_000);
    const s = session(clock);
    // 100 packets, every tenth missing: 10 lost of 100 expected.
    for (let i = 0; i < 100; i++) if (i % 10 !== 5) s.onRtpReceived(0xbbbb0002, 1000 + i, 160 * i, clock.ms + 20 * i);
    const first = blockOf(report(s, clock))!;
    expect(first).toMatchObject({ ssrc: 0xbbbb0002, fractionLost: Math.floor((10 * 256) / 100), cumulativeLost: 10, highestSequence: 1099 });
    // The next interval loses nothing: the fraction drops to 0, the cumulative count stays.
    for (let i = 100; i < 150; i++) s.onRtpReceived(0xbbbb0002, 1000 + i, 160 * i, clock.ms + 20 * i);
    expect(blockOf(report(s, clock))).toMatchObject({ fractionLost: 0, cumulativeLost: 10, highestSequence: 1149 });
  });

  it('carries the A.8 jitter of the arrivals it saw, in timestamp units', () => {
    const clock = new FakeClock(1_700_000_000_000);
    const s = session(clock);
    [0, 20, 45, 60, 80, 110].forEach((ms, i) => s.onRtpReceived(0xbbbb0002, 7 + i, 160 * i, 5000 + ms));
    expect(blockOf(report(s, clock))!.jitter).toBe(9);
  });

  it('sends an SR with the packet and payload octet counts and an extrapolated RTP timestamp', () => {
    const clock = new FakeClock(1_700_000_000_000);
    const s = session(clock);
    for (let i = 0; i < 50; i++) {
      s.onRtpSent(1000 + 160 * i, 160);
      clock.ms += 20;
    }
    // The last packet went out 20 ms ago, so the SR's RTP time is one frame further on.
    clock.ms = Math.max(clock.ms, s.nextReportAt);
    const since = clock.ms - (1_700_000_000_000 + 49 * 20);
    const [sr] = report(s, clock) as [SenderReport];
    expect(sr).toMatchObject({ type: 'sr', ssrc: 0xaaaa0001, packetCount: 50, octetCount: 8000, reports: [] });
    expect(sr.rtpTimestamp).toBe(1000 + 160 * 49 + since * 8);
    // NTP seconds since 1900 for the clock's Unix time.
    expect(sr.ntpSeconds).toBe(Math.floor(clock.ms / 1000) + 2_208_988_800);
  });

  it('falls back to an RR once it has not sent for two report intervals (§6.4)', () => {
    const clock = new FakeClock(0);
    const s = session(clock);
    s.onRtpSent(0, 160);
    expect(report(s, clock)[0]!.type).toBe('sr');
    expect(report(s, clock)[0]!.type).toBe('sr');
    expect(report(s, clock)[0]!.type).toBe('rr');
  });

  it('writes SDES with our CNAME after the report, and a BYE last when leaving', () => {
    const clock = new FakeClock(0);
    const s = session(clock);
    expect(report(s, clock).map((p) => p.type)).toEqual(['rr', 'sdes']);
    const out = new Uint8Array(200);
    const n = s.writeGoodbye(out, 0, Buffer.from('bye'));
    const parsed = parseRtcp(out.subarray(0, n));
    expect(parsed.ok && parsed.packets.map((p) => p.type)).toEqual(['rr', 'sdes', 'bye']);
    const far = session(clock, { localSsrc: 5 });
    far.onRtpReceived(0xaaaa0001, 1, 0, 0);
    far.onRtcp(parsed.ok ? parsed.packets : []);
    expect(far.byeReceived).toBe(true);
  });
});

describe('RTT from an SR/RR exchange (§6.4.1)', () => {
  it('is A - LSR - DLSR: 80 ms of network, not the 200 ms the far end held the SR', () => {
    // Two ends whose clocks disagree by 12.345 s: RTT needs neither to agree.
    const clockA = new FakeClock(1_700_000_000_000);
    const clockB = new FakeClock(1_700_000_012_345);
    const a = session(clockA);
    const b = session(clockB, { localSsrc: 0xbbbb0002 });
    const oneWay = 40;
    const advance = (ms: number): void => {
      clockA.ms += ms;
      clockB.ms += ms;
    };

    // A sends media (so its report is an SR); B receives it.
    for (let i = 0; i < 10; i++) {
      a.onRtpSent(160 * i, 160);
      b.onRtpReceived(0xaaaa0001, i, 160 * i, clockB.ms + oneWay);
      advance(20);
    }
    advance(a.nextReportAt - clockA.ms);
    const out = new Uint8Array(1500);
    const sr = parseRtcp(out.subarray(0, a.poll(out)));
    if (!sr.ok || sr.packets[0]!.type !== 'sr') throw new Error('no SR');

    advance(oneWay);
    b.onRtcp(sr.packets, clockB.ms);
    advance(200); // B's report goes out 200 ms after the SR arrived
    const rr = parseRtcp(out.subarray(0, b.poll(out)));
    if (!rr.ok) throw new Error(rr.reason);
    const block = blockOf(rr.packets)!;
    expect(block.ssrc).toBe(0xaaaa0001);
    expect(block.lastSr).not.toBe(0);
    expect(ntpShortUnitsToMs(block.delaySinceLastSr)).toBeCloseTo(200, 1);

    advance(oneWay);
    a.onRtcp(rr.packets, clockA.ms);
    expect(a.rttMs).not.toBeNull();
    expect(a.rttMs!).toBeCloseTo(2 * oneWay, 1);
  });

  it('reports no RTT while the far end has not seen an SR (LSR = 0)', () => {
    const clock = new FakeClock(0);
    const a = session(clock);
    a.onRtcp([{ type: 'rr', ssrc: 9, reports: [{ ssrc: 0xaaaa0001, fractionLost: 64, cumulativeLost: 3, highestSequence: 9, jitter: 80, lastSr: 0, delaySinceLastSr: 0 }] }]);
    expect(a.rttMs).toBeNull();
    // What the far end says about our stream is kept: a quarter lost, 10 ms of jitter.
    expect(a.toJSON()).toMatchObject({ remote: { fractionLost: 0.25, cumulativeLost: 3, jitterMs: 10 } });
  });
});

describe('report interval (§6.2, simplified)', () => {
  it('sends the first report after half the interval, later ones at 0.5-1.5 times it, randomised', () => {
    const clock = new FakeClock(10_000);
    const low = session(clock, { random: () => 0 });
    const high = session(clock, { random: () => 0.999 });
    expect(low.nextReportAt).toBe(10_000 + 1250);
    expect(high.nextReportAt).toBeCloseTo(10_000 + 3747.5, 6);
    expect(low.poll(new Uint8Array(200))).toBe(0);
    clock.ms = 11_250;
    expect(low.poll(new Uint8Array(200))).toBeGreaterThan(0);
    expect(low.nextReportAt).toBe(11_250 + 2500);
    clock.ms = high.nextReportAt;
    high.poll(new Uint8Array(200));
    expect(high.nextReportAt - clock.ms).toBeCloseTo(7495, 6);
  });
});

describe('source changes', () => {
  it('starts the receive statistics over for a new SSRC', () => {
    const clock = new FakeClock(0);
    const s = session(clock);
    for (let i = 0; i < 20; i += 2) s.onRtpReceived(1, i, 160 * i, 20 * i);
    expect(s.sequence.lost).toBe(9);
    for (let i = 0; i < 5; i++) s.onRtpReceived(2, 30000 + i, 0, 400 + 20 * i);
    expect([s.remoteSsrc, s.ssrcChanges, s.sequence.lost, s.sequence.received]).toEqual([2, 1, 0, 5]);
    expect(blockOf(report(s, clock))).toMatchObject({ ssrc: 2, fractionLost: 0, cumulativeLost: 0 });
  });
});
