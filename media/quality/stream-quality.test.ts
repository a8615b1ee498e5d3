// StreamQuality reading a real RtcpSession's counters through a simulated call: what the
// stats API would show for a clean leg, a lossy one, a bursty one, a one-way one and a
// silent one.
import { describe, expect, it } from 'vitest';
import { RtcpSession } from '../rtp/rtcp-session.js';
import { StreamQuality } from './stream-quality.js';

interface Leg {
  session: RtcpSession;
  quality: StreamQuality;
  nowMs: number;
}

function leg(): Leg {
  const l: Leg = { nowMs: 1_000_000, session: null!, quality: null! };
  l.session = new RtcpSession({ localSsrc: 1, clockRate: 8000, cname: 'q', now: () => l.nowMs, random: () => 0.5, minSequential: 1 });
  l.quality = new StreamQuality({ codec: 'PCMU', startedAtMs: l.nowMs });
  return l;
}

/**
 * Runs `seconds` of 20 ms frames. `arrives(i)` decides whether inbound packet i arrives,
 * `sends` whether we send, `rms(i)` the decoded level; the quality is read once a second.
 */
function run(l: Leg, seconds: number, o: { arrives?: (i: number) => boolean; sends?: boolean; rms?: (i: number) => number; ssrc?: number; firstSeq?: number } = {}): void {
  const frames = seconds * 50;
  const base = o.firstSeq ?? 0;
  for (let i = 0; i < frames; i++) {
    l.nowMs += 20;
    if (o.sends ?? true) l.session.onRtpSent(160 * i, 160);
    if (o.arrives?.(i) ?? true) {
      l.session.onRtpReceived(o.ssrc ?? 99, (base + i) & 0xffff, 160 * (base + i), l.nowMs);
      if (o.rms) l.quality.onInboundFrame(o.rms(i));
    }
    if (i % 50 === 49) l.quality.update(l.nowMs, l.session);
  }
}

describe('StreamQuality', () => {
  it('shows a clean G.711 leg at MOS ≈ 4.4 with no loss and two-way audio', () => {
    const l = leg();
    run(l, 15);
    expect(l.quality.toJSON()).toMatchObject({ mos: 4.41, lossPercent: 0, packetsReceived: 750, packetsSent: 750, oneWayAudio: 'ok' });
  });

  it('shows 5 % random loss as 5 % and a MOS near 3.9', () => {
    const l = leg();
    run(l, 20, { arrives: (i) => i % 20 !== 7 });
    const q = l.quality.toJSON();
    expect(q.lossPercent).toBeCloseTo(5, 1);
    expect(q.burstRatio).toBe(1);
    expect(q.mos as number).toBeGreaterThan(3.85);
    expect(q.mos as number).toBeLessThan(3.95);
  });

  it('rates the same loss in bursts of five lower, with a burst ratio above 1', () => {
    const random = leg();
    run(random, 20, { arrives: (i) => i % 20 !== 7 });
    const bursty = leg();
    run(bursty, 20, { arrives: (i) => (i + 50) % 100 < 95 });
    expect(bursty.quality.lossPercent).toBeCloseTo(5, 1);
    // Ten runs of five lost among 950 received: BurstR = 1 / (10/950 + 10/50) = 4.75,
    // Ie,eff = 95·5 / (5/4.75 + 25.1) = 18.2 instead of 15.8 for random loss.
    expect(bursty.quality.burstRatio).toBeCloseTo(4.75, 2);
    expect(bursty.quality.mos!).toBeCloseTo(3.82, 2);
    expect(bursty.quality.mos!).toBeLessThan(random.quality.mos! - 0.05);
  });

  it('keeps the worst window: ten clean seconds then ten at 20 % loss', () => {
    const l = leg();
    run(l, 10);
    expect(l.quality.mosMin).toBeCloseTo(4.41, 2);
    run(l, 10, { arrives: (i) => i % 5 !== 0, firstSeq: 500 });
    expect(l.quality.mosLast!).toBeLessThan(2.8);
    expect(l.quality.mosMin).toBe(l.quality.mosLast);
    // The whole-call figure sits in between: 10 % over the call.
    expect(l.quality.lossPercent).toBeCloseTo(10, 1);
  });

  it('takes the RTT from RTCP into the one-way delay: 400 ms of RTT adds 200 ms', () => {
    const l = leg();
    run(l, 2);
    l.quality.update(l.nowMs, { packetsReceived: l.session.packetsReceived, packetsExpected: l.session.packetsExpected, packetsSent: l.session.packetsSent, jitterMs: 0, rttMs: 400 });
    expect(l.quality.toJSON()).toMatchObject({ rttMs: 400, oneWayDelayMs: 260 });
    expect(l.quality.mos!).toBeLessThan(4.3);
  });

  it('notices one-way audio: we send, nothing arrives for 10 s', () => {
    const l = leg();
    run(l, 5);
    expect(l.quality.oneWayAudio).toBe('pending');
    run(l, 6);
    expect(l.quality.oneWayAudio).toBe('ok');
    run(l, 10, { arrives: () => false, firstSeq: 550 });
    expect(l.quality.oneWayAudio).toBe('no-inbound');
    // Not when the far end is on hold on purpose.
    l.quality.setDirection(false, true);
    l.quality.update(l.nowMs, l.session);
    expect(l.quality.oneWayAudio).toBe('ok');
  });

  it('notices the other way round: packets arrive, we send none', () => {
    const l = leg();
    run(l, 12, { sends: false });
    expect(l.quality.oneWayAudio).toBe('no-outbound');
  });

  it('notices a leg that receives packets of silence, and recovers when speech arrives', () => {
    const l = leg();
    run(l, 12, { rms: () => 0.0001 });
    expect(l.quality.oneWayAudio).toBe('inbound-silence');
    run(l, 1, { rms: () => 0.1, firstSeq: 600 });
    expect(l.quality.oneWayAudio).toBe('ok');
  });

  it('keeps counting across a source change, when the session\'s counters start over', () => {
    const l = leg();
    run(l, 5, { arrives: (i) => i % 10 !== 5 });
    run(l, 5, { ssrc: 1234, firstSeq: 40000 });
    const q = l.quality.toJSON();
    expect(q.packetsReceived).toBe(225 + 250);
    expect(q.packetsLost).toBe(25);
    expect(l.session.ssrcChanges).toBe(1);
  });
});
