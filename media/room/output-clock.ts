// One participant's outgoing RTP stream clock: the SSRC, sequence number and timestamp of the
// packet the engine sends on each tick.
//
// The far end sees one source that never pauses, whatever happens on our side (silence, loss on
// the inputs, a prompt replacing a caller, a room rate change): its jitter buffer never has to
// resynchronise and its loss counters never move because of us.
import { randomInt } from 'node:crypto';

/** A uniformly random integer in [0, 2^32). Injected so tests pick the starting point (a wrap in 500 ticks). */
export type RandomUint32 = () => number;

export const cryptoRandomUint32: RandomUint32 = () => randomInt(0, 0x1_0000_0000);

/** The header fields of the next packet; one object per clock, rewritten by every next(). */
export interface RtpStamp {
  seq: number;
  ts: number;
  marker: boolean;
}

export interface OutputClockOptions {
  /**
   * How far the RTP timestamp moves per 20 ms tick, in RTP clock units: 160 for PCMU/PCMA and
   * G.722 (whose RTP clock is 8000 though it carries 16 kHz audio, RFC 3551 §4.5.2), 960 for Opus.
   */
  samplesPerFrame: number;
  random?: RandomUint32;
}

export class OutputClock {
  /**
   * RFC 3550 §5.1: "This identifier SHOULD be chosen randomly, with the intent that no two
   * synchronization sources within the same RTP session will have the same SSRC identifier."
   * Chosen once; it does not change when what the participant hears changes.
   */
  readonly ssrc: number;
  readonly samplesPerFrame: number;
  private readonly stamp: RtpStamp;
  /** seq and ts as int32 too: small integers V8 never boxes, for writeHeader. */
  private seqNow: number;
  private tsNow: number;
  private readonly ssrcI32: number;
  private frames = 0;
  private readonly firstSeq: number;
  private readonly firstTs: number;

  constructor(o: OutputClockOptions) {
    if (!Number.isInteger(o.samplesPerFrame) || o.samplesPerFrame <= 0 || o.samplesPerFrame > 0xffff) {
      throw new RangeError(`samplesPerFrame must be a positive integer, not ${o.samplesPerFrame}`);
    }
    const random = o.random ?? cryptoRandomUint32;
    this.samplesPerFrame = o.samplesPerFrame;
    this.ssrc = random() >>> 0;
    this.ssrcI32 = this.ssrc | 0;
    // RFC 3550 §5.1: "The initial value of the sequence number SHOULD be random (unpredictable)"
    // and "The initial value of the timestamp SHOULD be random, as for the sequence number."
    this.firstSeq = random() & 0xffff;
    this.firstTs = random() >>> 0;
    // next() advances before it returns, so start one frame back: the first packet carries firstSeq/firstTs.
    this.seqNow = (this.firstSeq - 1) & 0xffff;
    this.tsNow = (this.firstTs - this.samplesPerFrame) | 0;
    this.stamp = { seq: this.seqNow, ts: this.tsNow >>> 0, marker: false };
  }

  /**
   * The stamp for this tick's packet. Call exactly once per tick, whether the frame carries speech,
   * silence or concealment: RFC 3550 §5.1, "The sequence number increments by one for each RTP data
   * packet sent", and for the timestamp "The sampling instant MUST be derived from a clock that
   * increments monotonically and linearly in time". Returns the same object every time (allocates
   * nothing): copy what you keep.
   *
   * The marker bit stays 0. RFC 3551 §4.1: "Applications without silence suppression MUST set the
   * marker bit to zero." We send a packet on every tick, silence included, so we have no talkspurts.
   */
  next(): RtpStamp {
    this.seqNow = (this.seqNow + 1) & 0xffff;
    this.tsNow = (this.tsNow + this.samplesPerFrame) | 0;
    const s = this.stamp;
    s.seq = this.seqNow;
    s.ts = this.tsNow >>> 0;
    this.frames++;
    return s;
  }

  /**
   * Writes the current stamp into an RTP header in place: the marker bit, the sequence number,
   * the timestamp and the SSRC (network byte order), touching nothing else. Allocates nothing.
   *
   *    0                   1                   2                   3
   *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
   *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   *   |                           timestamp                           |
   *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   *   |           synchronization source (SSRC) identifier            |
   *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
   *                                              (RFC 3550 §5.1)
   */
  writeHeader(packet: Uint8Array, offset = 0): void {
    const seq = this.seqNow;
    const ts = this.tsNow;
    const ssrc = this.ssrcI32;
    packet[offset + 1] = packet[offset + 1]! & 0x7f;
    packet[offset + 2] = seq >>> 8;
    packet[offset + 3] = seq & 0xff;
    packet[offset + 4] = (ts >>> 24) & 0xff;
    packet[offset + 5] = (ts >>> 16) & 0xff;
    packet[offset + 6] = (ts >>> 8) & 0xff;
    packet[offset + 7] = ts & 0xff;
    packet[offset + 8] = (ssrc >>> 24) & 0xff;
    packet[offset + 9] = (ssrc >>> 16) & 0xff;
    packet[offset + 10] = (ssrc >>> 8) & 0xff;
    packet[offset + 11] = ssrc & 0xff;
  }

  /** The stamp last returned by next() (before the first call: one frame before the first packet). */
  get current(): Readonly<RtpStamp> {
    return this.stamp;
  }

  toJSON(): { ssrc: number; firstSeq: number; firstTs: number; seq: number; ts: number; frames: number } {
    return {
      ssrc: this.ssrc,
      firstSeq: this.firstSeq,
      firstTs: this.firstTs,
      seq: this.stamp.seq,
      ts: this.stamp.ts,
      frames: this.frames,
    };
  }
}
