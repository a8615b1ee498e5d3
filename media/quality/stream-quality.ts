// Per-leg quality: jitter (ms), loss (%), RTT, E-model MOS and one-way-audio, from the
// counters the RTP/RTCP state keeps.
//
// A processor fed twice over: `onInboundFrame(rms)` for each decoded inbound frame (when
// the engine decodes; optional) and `update(now, counters)` on a slower tick (about once a
// second) with cumulative counters — an RtcpSession satisfies `StreamCounters` as it is.
// Counters that go backwards (a new SSRC, a restarted source) are taken as starting over,
// so the totals here cover the whole leg. Nothing allocates after construction but
// `toJSON()`'s result.
//
// The MOS is computed twice: over the whole leg (`mos`) and over consecutive windows of
// `windowMs` (`mosLast`, and the worst window in `mosMin`), because an average over an
// hour hides the minute that was unusable.
import { type CodecImpairment, codecImpairment, estimateQuality } from './e-model.js';
import { DEFAULT_ONE_WAY_THRESHOLD_MS, detectOneWayAudio, type OneWayAudioInput, type OneWayAudioVerdict } from './one-way-audio.js';

/** Cumulative counters of one leg's RTP streams. */
export interface StreamCounters {
  readonly packetsReceived: number;
  readonly packetsExpected: number;
  readonly packetsSent: number;
  readonly jitterMs: number;
  readonly rttMs: number | null;
  /** Runs of lost packets and the packets in them (for BurstR); treated as random loss when absent. */
  readonly lossGaps?: number;
  readonly lossGapPackets?: number;
}

export interface StreamQualityOptions {
  /** SDP encoding name, for the E-model's Ie and Bpl. */
  codec: string;
  /** When media started (answer time), in the clock `update` is given. */
  startedAtMs: number;
  /** Packetisation time, part of the one-way delay (default 20 ms). */
  ptimeMs?: number;
  /** Receive jitter buffer depth, part of the one-way delay (default 40 ms). */
  jitterBufferMs?: number;
  /** Window for the interval MOS (default 10 s). */
  windowMs?: number;
  /** How long a direction must be quiet for a one-way verdict (default 10 s). */
  oneWayThresholdMs?: number;
  /** RMS (0-1 of full scale) at or above which an inbound frame counts as voice (default -50 dBFS). */
  voiceRms?: number;
  /** Overrides the codec table. */
  impairment?: CodecImpairment;
}

/** Count difference since the last reading; a counter that went backwards restarted from 0. */
function delta(now: number, before: number): number {
  return now >= before ? now - before : now;
}

export class StreamQuality {
  /** Totals over the leg. */
  expected = 0;
  received = 0;
  sent = 0;
  private gaps = 0;
  private gapPackets = 0;
  private prevExpected = 0;
  private prevReceived = 0;
  private prevSent = 0;
  private prevGaps = 0;
  private prevGapPackets = 0;

  jitterMs = 0;
  rttMs: number | null = null;
  lossPercent = 0;
  burstRatio = 1;
  oneWayDelayMs: number;
  r: number | null = null;
  mos: number | null = null;
  mosLast: number | null = null;
  mosMin: number | null = null;
  oneWayAudio: OneWayAudioVerdict = 'pending';

  private expectInbound = true;
  private expectOutbound = true;
  private lastInboundMs: number | null = null;
  private lastOutboundMs: number | null = null;
  private lastVoiceMs: number | null = null;
  private voiceMeasured = false;
  private voiceFrames = 0;
  private voiceFramesSeen = 0;
  private windowAtMs: number;
  private windowExpected = 0;
  private windowReceived = 0;

  private readonly impairment: CodecImpairment;
  private readonly startedAtMs: number;
  private readonly ptimeMs: number;
  private readonly jitterBufferMs: number;
  private readonly windowMs: number;
  private readonly thresholdMs: number;
  private readonly voiceRms: number;
  private readonly oneWayInput: OneWayAudioInput;

  constructor(o: StreamQualityOptions) {
    this.impairment = o.impairment ?? codecImpairment(o.codec);
    this.startedAtMs = o.startedAtMs;
    this.ptimeMs = o.ptimeMs ?? 20;
    this.jitterBufferMs = o.jitterBufferMs ?? 40;
    this.windowMs = o.windowMs ?? 10_000;
    this.thresholdMs = o.oneWayThresholdMs ?? DEFAULT_ONE_WAY_THRESHOLD_MS;
    this.voiceRms = o.voiceRms ?? 10 ** (-50 / 20);
    this.windowAtMs = o.startedAtMs;
    this.oneWayDelayMs = this.ptimeMs + this.jitterBufferMs;
    this.oneWayInput = {
      nowMs: o.startedAtMs,
      startedAtMs: o.startedAtMs,
      lastInboundMs: null,
      lastOutboundMs: null,
      lastInboundVoiceMs: undefined,
      expectInbound: true,
      expectOutbound: true,
      thresholdMs: this.thresholdMs,
    };
  }

  /** One decoded inbound frame's RMS level (0-1 of full scale). Once called, silence is watched. */
  onInboundFrame(rms: number): void {
    this.voiceMeasured = true;
    if (rms >= this.voiceRms) this.voiceFrames++;
  }

  /** What the negotiated direction allows (hold makes one side silent on purpose). */
  setDirection(expectInbound: boolean, expectOutbound: boolean): void {
    this.expectInbound = expectInbound;
    this.expectOutbound = expectOutbound;
  }

  /** Takes a reading of the leg's counters at `nowMs`. */
  update(nowMs: number, c: StreamCounters): void {
    const dExpected = delta(c.packetsExpected, this.prevExpected);
    const dReceived = delta(c.packetsReceived, this.prevReceived);
    const dSent = delta(c.packetsSent, this.prevSent);
    this.expected += dExpected;
    this.received += dReceived;
    this.sent += dSent;
    this.gaps += delta(c.lossGaps ?? 0, this.prevGaps);
    this.gapPackets += delta(c.lossGapPackets ?? 0, this.prevGapPackets);
    this.prevExpected = c.packetsExpected;
    this.prevReceived = c.packetsReceived;
    this.prevSent = c.packetsSent;
    this.prevGaps = c.lossGaps ?? 0;
    this.prevGapPackets = c.lossGapPackets ?? 0;
    if (dReceived > 0) this.lastInboundMs = nowMs;
    if (dSent > 0) this.lastOutboundMs = nowMs;
    if (this.voiceFrames !== this.voiceFramesSeen) {
      this.voiceFramesSeen = this.voiceFrames;
      this.lastVoiceMs = nowMs;
    }

    this.jitterMs = c.jitterMs;
    if (c.rttMs !== null) this.rttMs = c.rttMs;
    // Network delay one way is half the RTT (0 until RTCP has measured one).
    this.oneWayDelayMs = (this.rttMs ?? 0) / 2 + this.jitterBufferMs + this.ptimeMs;
    this.lossPercent = lossPercent(this.expected, this.received);
    this.burstRatio = this.estimateBurstRatio();
    if (this.expected > 0) {
      const q = estimateQuality({ impairment: this.impairment, lossPercent: this.lossPercent, oneWayDelayMs: this.oneWayDelayMs, burstRatio: this.burstRatio });
      this.r = q.r;
      this.mos = q.mos;
    }
    if (nowMs - this.windowAtMs >= this.windowMs) this.closeWindow(nowMs);

    const i = this.oneWayInput;
    i.nowMs = nowMs;
    i.lastInboundMs = this.lastInboundMs;
    i.lastOutboundMs = this.lastOutboundMs;
    i.lastInboundVoiceMs = this.voiceMeasured ? this.lastVoiceMs : undefined;
    i.expectInbound = this.expectInbound;
    i.expectOutbound = this.expectOutbound;
    this.oneWayAudio = detectOneWayAudio(i);
  }

  /**
   * G.107's BurstR = 1 / (p + q) for a two-state loss model, with p the chance a received
   * packet is followed by a loss (gaps / received) and q the chance a lost one is followed
   * by a received one (gaps / lost). Random loss gives p + q = 1.
   */
  private estimateBurstRatio(): number {
    if (this.gaps === 0 || this.gapPackets === 0 || this.received === 0) return 1;
    return Math.max(1, 1 / (this.gaps / this.received + this.gaps / this.gapPackets));
  }

  private closeWindow(nowMs: number): void {
    const expected = this.expected - this.windowExpected;
    if (expected > 0) {
      const loss = lossPercent(expected, this.received - this.windowReceived);
      const { mos } = estimateQuality({ impairment: this.impairment, lossPercent: loss, oneWayDelayMs: this.oneWayDelayMs, burstRatio: this.burstRatio });
      this.mosLast = mos;
      this.mosMin = this.mosMin === null ? mos : Math.min(this.mosMin, mos);
    }
    this.windowAtMs = nowMs;
    this.windowExpected = this.expected;
    this.windowReceived = this.received;
  }

  toJSON(): Record<string, unknown> {
    return {
      mos: round(this.mos, 2),
      mosLast: round(this.mosLast, 2),
      mosMin: round(this.mosMin, 2),
      rFactor: round(this.r, 1),
      lossPercent: round(this.lossPercent, 2),
      jitterMs: round(this.jitterMs, 2),
      rttMs: round(this.rttMs, 1),
      oneWayDelayMs: round(this.oneWayDelayMs, 1),
      burstRatio: round(this.burstRatio, 2),
      packetsExpected: this.expected,
      packetsReceived: this.received,
      packetsLost: Math.max(0, this.expected - this.received),
      packetsSent: this.sent,
      oneWayAudio: this.oneWayAudio,
    };
  }
}

function lossPercent(expected: number, received: number): number {
  return expected > 0 ? (Math.max(0, expected - received) * 100) / expected : 0;
}

function round(v: number | null, digits: number): number | null {
  if (v === null) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
