// Per-stream RTCP state (RFC 3550 §6, A.3, A.8): one local sender, one remote source.
//
// Fed by the engine as packets go and come (`onRtpSent`, `onRtpReceived`, `onRtcp`),
// polled on the worker's tick (`poll`) for the next compound report (SR or RR + SDES
// CNAME) when it is due. It keeps what a report block needs — the extended highest
// sequence number, cumulative and interval loss (A.3), interarrival jitter (A.8), LSR and
// DLSR — and turns the report blocks the far end sends about our stream into a round-trip
// time (§6.4.1).
//
// A SIP audio leg has one source each way. When the remote SSRC changes, the receive
// state starts over for the new source (the old one is gone; RFC 3550 §8.2 collisions are
// not a concern for a unicast two-party stream).
//
// Clock: `now()` in milliseconds, monotonic but anchored to the Unix epoch
// (`performance.timeOrigin + performance.now()`), because it stamps SR NTP timestamps and
// measures DLSR and RTT; `random()` in [0, 1) randomises the report interval.
// Per-packet methods allocate nothing; `onRtcp` reads parsed packets (allocated by the
// parser, about once every 5 s); `poll` writes into the caller's buffer.
import { InterarrivalJitter } from './jitter.js';
import { msToNtpShortUnits, ntpFraction, ntpMiddle, ntpSeconds, ntpShort, ntpShortUnitsToMs } from './ntp-time.js';
import type { ReportBlock, RtcpPacket, SenderInfo } from './rtcp.js';
import { writeBye, writeReceiverReport, writeSdesCname, writeSenderReport } from './rtcp-writer.js';
import { SeqResult, SequenceTracker } from './sequence.js';

export interface RtcpSessionOptions {
  /** The SSRC of the stream we send. */
  localSsrc: number;
  /** RTP clock rate of the stream (8000 for G.711/G.722, 48000 for Opus). */
  clockRate: number;
  /** §6.5.1 canonical name, e.g. a per-call random id; at most 255 bytes of UTF-8. */
  cname: string;
  now: () => number;
  random: () => number;
  /** Mean report interval (default 5000 ms, §6.2's minimum). */
  intervalMs?: number;
  /** A.1 probation (default 2; 1 accepts a source on its first packet). */
  minSequential?: number;
}

export const DEFAULT_RTCP_INTERVAL_MS = 5000;

/** One encoder for every session: making a TextEncoder costs more than the rest of a session's set-up. */
const CNAME_ENCODER = new TextEncoder();

/** What the far end last reported about the stream we send. */
export interface RemoteReception {
  fractionLost: number;
  cumulativeLost: number;
  highestSequence: number;
  jitterMs: number;
  atMs: number;
}

export class RtcpSession {
  readonly localSsrc: number;
  readonly clockRate: number;
  readonly sequence: SequenceTracker;
  readonly jitter: InterarrivalJitter;
  remoteSsrc: number | null = null;
  /** Times the remote SSRC changed after the first. */
  ssrcChanges = 0;

  packetsSent = 0;
  /** §6.4.1: "the total number of payload octets (i.e., not including header or padding)". */
  octetsSent = 0;
  private lastSentTimestamp = 0;
  private lastSentAtMs = 0;
  private sentAtLastReport = 0;
  private sentAtReportBefore = 0;

  private expectedPrior = 0;
  private receivedPrior = 0;
  private restartsPrior = 0;
  /** The fraction lost we put in our last report (0-255). */
  lastFractionLost = 0;

  /** LSR bookkeeping: the compact NTP time of the remote's last SR and when it arrived. */
  private lastSrNtp = 0;
  private lastSrArrivalMs = 0;

  /** Round-trip time from the far end's last report block about us (§6.4.1), null before one. */
  rttMs: number | null = null;
  remoteReception: RemoteReception | null = null;
  byeReceived = false;
  reportsSent = 0;
  reportsReceived = 0;

  private nextReportAtMs: number;
  private readonly intervalMs: number;
  private readonly cname: Uint8Array;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Reused for every report: one block about the remote source. */
  private readonly block: ReportBlock = { ssrc: 0, fractionLost: 0, cumulativeLost: 0, highestSequence: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 };
  private readonly blocks: ReportBlock[] = [this.block];
  private readonly info: SenderInfo = { ntpSeconds: 0, ntpFraction: 0, rtpTimestamp: 0, packetCount: 0, octetCount: 0 };

  constructor(o: RtcpSessionOptions) {
    this.localSsrc = o.localSsrc >>> 0;
    this.clockRate = o.clockRate;
    this.cname = CNAME_ENCODER.encode(o.cname);
    if (this.cname.length > 255) throw new RangeError('CNAME is at most 255 bytes');
    this.now = o.now;
    this.random = o.random;
    this.intervalMs = o.intervalMs ?? DEFAULT_RTCP_INTERVAL_MS;
    this.sequence = new SequenceTracker(o.minSequential);
    this.jitter = new InterarrivalJitter(o.clockRate);
    // §6.2: the first compound packet may go out after half the minimum interval, so the
    // far end learns of us sooner.
    this.nextReportAtMs = this.now() + this.randomised(this.intervalMs / 2);
  }

  /** §6.3.1 (simplified): "randomized to a value between 0.5 and 1.5 times the calculated interval". */
  private randomised(mean: number): number {
    return mean * (0.5 + this.random());
  }

  /** Packets received from the current source (A.1's count: duplicates included). */
  get packetsReceived(): number {
    return this.sequence.received;
  }

  /** Packets the current source's sequence numbers say were sent (§6.4.1). */
  get packetsExpected(): number {
    return this.sequence.expected;
  }

  /** Interarrival jitter of the current source, ms. */
  get jitterMs(): number {
    return this.jitter.ms;
  }

  /** Loss runs (gaps) seen, and the sequence numbers they skipped: for a burst estimate. */
  get lossGaps(): number {
    return this.sequence.gaps;
  }
  get lossGapPackets(): number {
    return this.sequence.gapPackets;
  }

  /** When `poll` will next write a report. */
  get nextReportAt(): number {
    return this.nextReportAtMs;
  }

  /** One RTP packet sent: its timestamp and payload size (header and padding excluded). */
  onRtpSent(timestamp: number, payloadBytes: number): void {
    this.packetsSent = (this.packetsSent + 1) >>> 0;
    this.octetsSent = (this.octetsSent + payloadBytes) >>> 0;
    this.lastSentTimestamp = timestamp >>> 0;
    this.lastSentAtMs = this.now();
  }

  /**
   * One RTP packet received (already latched and decrypted). `countJitter` false for
   * packets whose timestamp is not a sampling instant (RFC 4733 events keep the event's
   * start time), which would otherwise read as jitter.
   */
  onRtpReceived(ssrc: number, sequence: number, timestamp: number, arrivalMs: number, countJitter = true): SeqResult {
    ssrc >>>= 0;
    if (this.remoteSsrc !== ssrc) {
      if (this.remoteSsrc !== null) this.ssrcChanges++;
      this.remoteSsrc = ssrc;
      this.sequence.reset();
      this.jitter.reset();
      this.expectedPrior = 0;
      this.receivedPrior = 0;
      this.restartsPrior = this.sequence.restarts;
      this.lastSrNtp = 0;
    }
    const result = this.sequence.update(sequence);
    // Jitter follows arrival order (A.8: "in order of arrival (not necessarily in
    // sequence)"); probation, jumps and duplicates say nothing about the path's timing.
    if (countJitter && (result === SeqResult.InOrder || result === SeqResult.Reordered || result === SeqResult.Restart)) {
      if (result === SeqResult.Restart) this.jitter.reset();
      this.jitter.update(timestamp, arrivalMs);
    }
    return result;
  }

  /** A parsed (compound) RTCP packet from the far end. */
  onRtcp(packets: readonly RtcpPacket[], arrivalMs = this.now()): void {
    this.reportsReceived++;
    for (const p of packets) {
      if (p.type === 'sr' || p.type === 'rr') {
        if (p.type === 'sr' && (this.remoteSsrc === null || p.ssrc === this.remoteSsrc)) {
          this.lastSrNtp = ntpMiddle(p.ntpSeconds, p.ntpFraction);
          this.lastSrArrivalMs = arrivalMs;
        }
        for (const r of p.reports) if (r.ssrc === this.localSsrc) this.onReportAboutUs(r, arrivalMs);
      } else if (p.type === 'bye' && this.remoteSsrc !== null && p.ssrcs.includes(this.remoteSsrc)) {
        this.byeReceived = true;
      }
    }
  }

  /**
   * §6.4.1: the sender records the time A a report block about it arrives and computes
   * "the round-trip propagation delay as (A - LSR - DLSR)", all three in the compact NTP
   * form (1/65536 s).
   */
  private onReportAboutUs(r: ReportBlock, arrivalMs: number): void {
    this.remoteReception = {
      fractionLost: r.fractionLost,
      cumulativeLost: r.cumulativeLost,
      highestSequence: r.highestSequence,
      jitterMs: (r.jitter * 1000) / this.clockRate,
      atMs: arrivalMs,
    };
    // §6.4.1: "If no SR has been received yet, the field is set to zero."

    if (r.lastSr === 0) return;
    const rtt = (ntpShort(arrivalMs) - r.lastSr - r.delaySinceLastSr) | 0;
    // A few units below zero is truncation on a near-zero path; more is a bad report.
    if (rtt >= 0) this.rttMs = ntpShortUnitsToMs(rtt);
    else if (rtt > -66) this.rttMs = 0;
  }

  /** Writes the next compound report into `out` if one is due; returns bytes written (0 if not due). */
  poll(out: Uint8Array, offset = 0): number {
    const now = this.now();
    if (now < this.nextReportAtMs) return 0;
    this.nextReportAtMs = now + this.randomised(this.intervalMs);
    return this.writeReport(out, offset, now) - offset;
  }

  /** Writes a final compound report ending in BYE (§6.6); returns bytes written. */
  writeGoodbye(out: Uint8Array, offset = 0, reason?: Uint8Array): number {
    const o = this.writeReport(out, offset, this.now());
    return writeBye(out, o, [this.localSsrc], reason) - offset;
  }

  /**
   * SR or RR, then SDES CNAME: §6.1 puts a report packet first in every compound packet
   * and requires an SDES packet with a CNAME item in each.
   */
  private writeReport(out: Uint8Array, offset: number, now: number): number {
    const blocks = this.fillReportBlock(now);
    // §6.4: "The SR is issued if a site has sent any data packets during the interval
    // since issuing the last report or the previous one, otherwise the RR is issued."
    const sender = this.packetsSent !== this.sentAtReportBefore;
    this.sentAtReportBefore = this.sentAtLastReport;
    this.sentAtLastReport = this.packetsSent;
    let o: number;
    if (sender) {
      const info = this.info;
      info.ntpSeconds = ntpSeconds(now);
      info.ntpFraction = ntpFraction(now);
      // §6.4.1: the RTP timestamp "corresponds to the same time as the NTP timestamp
      // (above), but in the same units and with the same random offset as the RTP
      // timestamps in data packets" — extrapolated from the last packet sent.
      info.rtpTimestamp = (this.lastSentTimestamp + Math.round(((now - this.lastSentAtMs) * this.clockRate) / 1000)) >>> 0;
      info.packetCount = this.packetsSent;
      info.octetCount = this.octetsSent;
      o = writeSenderReport(out, offset, this.localSsrc, info, this.blocks, blocks);
    } else {
      o = writeReceiverReport(out, offset, this.localSsrc, this.blocks, blocks);
    }
    this.reportsSent++;
    return writeSdesCname(out, o, this.localSsrc, this.cname);
  }

  /** Updates the reused report block about the remote source; returns 1 if it goes in the report, else 0. */
  private fillReportBlock(now: number): number {
    const seq = this.sequence;
    if (this.remoteSsrc === null || !seq.valid) return 0;
    if (seq.restarts !== this.restartsPrior) {
      // A restart re-bases the A.1 counters; the interval starts over with them.
      this.restartsPrior = seq.restarts;
      this.expectedPrior = 0;
      this.receivedPrior = 0;
    }
    // A.3: fraction lost over the interval since the last report.
    const expected = seq.expected;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = seq.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = seq.received;
    const lostInterval = expectedInterval - receivedInterval;
    this.lastFractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    // §6.4: one block for each source "from which this receiver has received RTP data
    // packets since the last report".
    if (receivedInterval <= 0) return 0;
    const b = this.block;
    b.ssrc = this.remoteSsrc;
    b.fractionLost = this.lastFractionLost > 255 ? 255 : this.lastFractionLost;
    b.cumulativeLost = seq.lost;
    b.highestSequence = seq.extendedMax >>> 0;
    b.jitter = this.jitter.units >>> 0;
    if (this.lastSrNtp !== 0) {
      b.lastSr = this.lastSrNtp;
      b.delaySinceLastSr = msToNtpShortUnits(now - this.lastSrArrivalMs);
    } else {
      b.lastSr = 0;
      b.delaySinceLastSr = 0;
    }
    return 1;
  }

  toJSON(): Record<string, unknown> {
    const s = this.sequence;
    return {
      localSsrc: this.localSsrc,
      remoteSsrc: this.remoteSsrc,
      sent: { packets: this.packetsSent, octets: this.octetsSent },
      received: {
        packets: s.received,
        expected: s.expected,
        lost: s.lost,
        fractionLost: this.lastFractionLost / 256,
        jitterMs: this.jitter.ms,
        reordered: s.reordered,
        duplicates: s.duplicates,
        restarts: s.restarts,
      },
      rttMs: this.rttMs,
      remote: this.remoteReception && {
        fractionLost: this.remoteReception.fractionLost / 256,
        cumulativeLost: this.remoteReception.cumulativeLost,
        jitterMs: this.remoteReception.jitterMs,
      },
      ssrcChanges: this.ssrcChanges,
      reportsSent: this.reportsSent,
      reportsReceived: this.reportsReceived,
      byeReceived: this.byeReceived,
    };
  }
}
