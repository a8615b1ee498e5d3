// A per-input jitter buffer: RTP packets go in as they arrive (out of order, twice, late, in
// bursts), and come out one per packet time, in sequence order, after a small playout delay.
//
// Playout follows the sequence number: RFC 3550 §5.1, "The sequence number increments by one for
// each RTP data packet sent, and may be used by the receiver to detect packet loss and to restore
// packet sequence." A sender that stops during silence (DTX, VAD) does not skip sequence numbers,
// so a missing number is a lost packet, and an empty buffer is either a pause or a delay spike: in
// both cases playout stops and waits to refill to the target depth before resuming, which is what
// makes the buffer grow under jitter and costs nothing across a pause.
//
// Timestamps only drive the jitter estimate that sets the adaptive target (RFC 3550 §6.4.1, the
// estimator of media/rtp/jitter.ts) and the detection of timestamp jumps (a new source behind the
// same SSRC), which restart that estimate.
//
// Memory: the packet ring (packet-ring.ts) and one reused frame object, allocated at construction,
// except the ring's payload storage: taken from a per-thread pool at the first push() and given
// back by release(). push() copies the payload into the ring, pop() hands out a view of it.
// Nothing else allocates.
import { InterarrivalJitter } from '../rtp/jitter.js';
import { PacketRing, type JitterFrame } from './packet-ring.js';

export type { JitterFrame } from './packet-ring.js';

export type JitterMode = 'adaptive' | 'fixed';

export interface JitterBufferOptions {
  /** RTP clock rate of the payload format (8000 for PCMU/PCMA/G.722, 48000 for Opus). */
  clockRate: number;
  /** Packet duration (the peer's ptime), default 20. */
  frameMs?: number;
  /** 'adaptive' (default): the target follows the measured jitter and late packets; 'fixed': always targetMs. */
  mode?: JitterMode;
  /** Playout delay the buffer refills to before playing, default 40 ms; the floor in adaptive mode. */
  targetMs?: number;
  /** Most audio the buffer holds, default 200 ms: beyond it the oldest packets are dropped. */
  maxMs?: number;
  /** Largest payload accepted, default 1280 bytes (a 20 ms L16 frame at 32 kHz; Opus tops out at 1275). */
  maxPayloadBytes?: number;
}

/** Why the last pop() returned null: 'lost' (a packet is missing and later ones wait), or 'empty'. */
export type JitterMiss = 'lost' | 'empty';

export interface JitterStats {
  state: 'idle' | 'buffering' | 'playing';
  mode: JitterMode;
  depthMs: number;
  packets: number;
  targetMs: number;
  jitterMs: number;
  received: number;
  played: number;
  lost: number;
  late: number;
  duplicates: number;
  reordered: number;
  drained: number;
  underruns: number;
  resets: number;
  timestampJumps: number;
  discarded: number;
  oversize: number;
}

// RFC 3550 Appendix A.1 (the reference receiver): MAX_DROPOUT = 3000 and MAX_MISORDER = 100 bound
// the sequence numbers that still belong to the stream; anything further is a restarted source.
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

/** Drain in PLAYING only when the depth exceeds the target by more than this many frames. */
const SLACK_FRAMES = 2;
/** Adaptive mode lowers the late-packet boost by one frame after this many calm pops (10 s at 20 ms). */
const CALM_POPS = 500;
/** A timestamp that moves more than 1 s against the arrival clock is a new source, not jitter. */
const TIMESTAMP_JUMP_S = 1;

const IDLE = 0;
const BUFFERING = 1;
const PLAYING = 2;
const STATE_NAMES = ['idle', 'buffering', 'playing'] as const;

/** Signed distance a → b in 16-bit sequence space (-32768..32767): wraps at 65535 → 0. */
function seqDelta(b: number, a: number): number {
  return (((b - a) & 0xffff) << 16) >> 16;
}

export class JitterBuffer {
  readonly clockRate: number;
  readonly frameMs: number;
  readonly mode: JitterMode;
  readonly baseTargetMs: number;
  readonly maxMs: number;
  readonly maxPayloadBytes: number;
  /** Why the last pop() returned null. */
  lastMiss: JitterMiss = 'empty';

  private readonly maxFrames: number;
  private readonly baseFrames: number;
  private readonly ring: PacketRing;
  private readonly frame: JitterFrame;

  private state = IDLE;
  private nextSeq = 0;
  private highSeq = 0;
  private everPlayed = false;
  private waited = 0;
  private badSeq = -1;
  private haveLast = false;
  private lastTs = 0;
  private lastArrivalMs = 0;
  private readonly jitter: InterarrivalJitter;
  private readonly jumpTs: number;
  private lateBoost = 0;
  private calmPops = 0;

  private received = 0;
  private played = 0;
  private lost = 0;
  private late = 0;
  private duplicates = 0;
  private reordered = 0;
  private drained = 0;
  private underruns = 0;
  private resets = 0;
  private timestampJumps = 0;
  private discarded = 0;
  private oversize = 0;

  constructor(o: JitterBufferOptions) {
    this.clockRate = o.clockRate;
    this.frameMs = o.frameMs ?? 20;
    this.mode = o.mode ?? 'adaptive';
    this.maxMs = o.maxMs ?? 200;
    this.baseTargetMs = o.targetMs ?? 40;
    this.maxPayloadBytes = o.maxPayloadBytes ?? 1280;
    if (!(this.clockRate > 0)) throw new RangeError(`clockRate must be positive, not ${o.clockRate}`);
    if (!(this.frameMs > 0 && this.frameMs <= this.maxMs)) throw new RangeError(`frameMs ${this.frameMs} must be in (0, maxMs]`);
    if (!(this.baseTargetMs >= 0 && this.baseTargetMs <= this.maxMs)) {
      throw new RangeError(`targetMs ${this.baseTargetMs} must be in [0, maxMs ${this.maxMs}]`);
    }
    if (!(this.maxPayloadBytes > 0)) throw new RangeError('maxPayloadBytes must be positive');
    this.jitter = new InterarrivalJitter(this.clockRate);
    this.jumpTs = TIMESTAMP_JUMP_S * this.clockRate;
    this.maxFrames = Math.max(1, Math.floor(this.maxMs / this.frameMs));
    this.baseFrames = Math.max(1, Math.min(this.maxFrames, Math.ceil(this.baseTargetMs / this.frameMs)));
    // Twice the window, so the slots behind it still remember what was played (duplicate detection).
    this.ring = new PacketRing(this.maxFrames * 2 + 1, this.maxPayloadBytes);
    this.frame = this.ring.newFrame();
  }

  /**
   * Takes one received packet (the payload is copied; the caller may reuse its buffer). Returns
   * false when the packet was dropped: late, duplicate, too big, or the first of a possible new
   * source (see the RFC 3550 A.1 note below). Allocates nothing, provided the numbers are small
   * integers: V8 boxes a number above 2^31 or with a fraction when it crosses a call, so pass the
   * timestamp as int32 (DataView.getInt32, or ts | 0; signed or unsigned, only differences count)
   * and the arrival time in whole milliseconds.
   */
  push(seq: number, ts: number, payload: Uint8Array, arrivalMs: number): boolean {
    this.received++;
    seq &= 0xffff;
    ts |= 0;
    if (payload.length > this.maxPayloadBytes) {
      this.oversize++;
      return false;
    }
    if (this.state === IDLE) {
      this.start(seq);
      return this.store(seq, ts, payload, arrivalMs);
    }
    const d = seqDelta(seq, this.nextSeq);
    if (d > MAX_DROPOUT || d < -MAX_MISORDER) {
      // RFC 3550 A.1 (update_seq): on a very large jump, "Two sequential packets -- assume that the
      // other side restarted without telling us so just re-sync (i.e., pretend this was the first
      // packet)." A single stray packet is discarded; we also require the two to be back to back.
      if (seq === this.badSeq) {
        this.badSeq = -1;
        this.resets++;
        this.clear();
        this.start(seq);
        return this.store(seq, ts, payload, arrivalMs);
      }
      this.badSeq = (seq + 1) & 0xffff;
      this.discarded++;
      return false;
    }
    this.badSeq = -1;
    if (d < 0) {
      if (this.state === BUFFERING && !this.everPlayed && seqDelta(this.highSeq, seq) < this.maxFrames) {
        // Overtaken by later packets before playout began: it still has its place in front.
        this.nextSeq = seq;
        return this.store(seq, ts, payload, arrivalMs);
      }
      if (this.ring.consumed(seq)) {
        this.duplicates++;
      } else {
        this.late++;
        this.onLate();
      }
      return false;
    }
    // A burst deeper than maxMs (a stall upstream, or a long outage within MAX_DROPOUT): keep the newest.
    if (d >= this.maxFrames) this.advanceTo((seq - this.maxFrames + 1) & 0xffff);
    return this.store(seq, ts, payload, arrivalMs);
  }

  /**
   * The next packet in sequence, once per packet time (per tick at 20 ms ptime), or null: while
   * (re)filling to the target depth or after the source stopped (lastMiss 'empty': play silence), or
   * when this packet is missing and later ones are here (lastMiss 'lost': conceal it). Allocates nothing.
   */
  pop(): JitterFrame | null {
    if (this.state === PLAYING) {
      if (this.ring.count === 0) {
        // A pause or a delay spike: stop, and refill to the target before playing on, so a spike
        // costs latency (bounded by maxMs and the drain below) instead of a string of losses.
        this.underruns++;
        this.state = BUFFERING;
        this.waited = 0;
        this.lastMiss = 'empty';
        return null;
      }
      if (++this.calmPops >= CALM_POPS && this.lateBoost > 0) {
        this.lateBoost--;
        this.calmPops = 0;
      }
    } else {
      if (this.ring.count === 0) {
        this.lastMiss = 'empty';
        return null;
      }
      // Start at the target depth, or once the oldest packet has waited as long (the last packet
      // of a talkspurt must not wait for a successor that is not coming).
      const target = this.targetFrames();
      if (this.span() < target && ++this.waited <= target) {
        this.lastMiss = 'empty';
        return null;
      }
      this.state = PLAYING;
      this.everPlayed = true;
      this.waited = 0;
    }
    const target = this.targetFrames();
    // After a pause, a burst: drop the oldest so the delay falls back to the target.
    if (this.span() > target + SLACK_FRAMES) this.advanceTo((this.highSeq - target + 1) & 0xffff);

    const seq = this.nextSeq;
    this.nextSeq = (seq + 1) & 0xffff;
    if (this.ring.take(seq, this.frame)) {
      this.played++;
      return this.frame;
    }
    this.lost++;
    this.lastMiss = 'lost';
    return null;
  }

  /** Forgets the stream (the engine calls this when the SSRC changes); counters are kept. */
  reset(): void {
    this.resets++;
    this.clear();
  }

  /**
   * The stream ended: forgets it (counters kept, not counted as a reset) and returns the payload
   * storage to the pool. The buffer stays usable; a later push() takes storage again.
   */
  release(): void {
    this.clear();
    this.ring.release();
  }

  /** The current playout target in ms (fixed, or adaptive: the measured jitter and late packets). */
  get targetMs(): number {
    return this.targetFrames() * this.frameMs;
  }

  /** Interarrival jitter (RFC 3550 §6.4.1) in ms. */
  get jitterMs(): number {
    return this.jitter.ms;
  }

  toJSON(): JitterStats {
    return {
      state: STATE_NAMES[this.state]!,
      mode: this.mode,
      depthMs: this.span() * this.frameMs,
      packets: this.ring.count,
      targetMs: this.targetMs,
      jitterMs: Math.round(this.jitterMs * 100) / 100,
      received: this.received,
      played: this.played,
      lost: this.lost,
      late: this.late,
      duplicates: this.duplicates,
      reordered: this.reordered,
      drained: this.drained,
      underruns: this.underruns,
      resets: this.resets,
      timestampJumps: this.timestampJumps,
      discarded: this.discarded,
      oversize: this.oversize,
    };
  }

  private targetFrames(): number {
    if (this.mode === 'fixed') return this.baseFrames;
    // Three mean deviations of the transit time cover nearly all arrivals, plus the frame in play.
    const byJitter = Math.ceil((3 * this.jitterMs) / this.frameMs) + 1;
    const t = Math.max(this.baseFrames + this.lateBoost, byJitter);
    return t < this.maxFrames ? t : this.maxFrames;
  }

  /** Frames from the next to play to the newest held, holes included (0 when empty). */
  private span(): number {
    return this.ring.count === 0 ? 0 : seqDelta(this.highSeq, this.nextSeq) + 1;
  }

  private start(seq: number): void {
    this.state = BUFFERING;
    this.nextSeq = seq;
    this.highSeq = (seq - 1) & 0xffff;
    this.everPlayed = false;
    this.waited = 0;
  }

  private clear(): void {
    this.ring.clear();
    this.state = IDLE;
    this.everPlayed = false;
    this.waited = 0;
    this.haveLast = false;
    this.jitter.reset();
    this.lateBoost = 0;
    this.calmPops = 0;
  }

  private store(seq: number, ts: number, payload: Uint8Array, arrivalMs: number): boolean {
    if (this.ring.holds(seq)) {
      this.duplicates++;
      return false;
    }
    if (this.ring.count === 0) {
      if (seqDelta(seq, this.highSeq) < 0) this.reordered++;
      this.highSeq = seq;
    } else if (seqDelta(seq, this.highSeq) > 0) {
      this.highSeq = seq;
    } else {
      this.reordered++;
    }
    this.ring.put(seq, ts, payload, arrivalMs);
    this.updateJitter(ts, arrivalMs);
    return true;
  }

  /**
   * Feeds the RFC 3550 §6.4.1 estimator, unless the timestamp moved against the arrival clock by
   * more than TIMESTAMP_JUMP_S (D(i,j) = (Rj - Ri) - (Sj - Si) beyond it): those are the timestamps
   * of another source (a re-INVITE, a transfer behind an SBC that keeps the SSRC and sequence), whose
   * clock has nothing to do with the last one, so the estimate starts over. `ts` is int32.
   */
  private updateJitter(ts: number, arrivalMs: number): void {
    if (this.haveLast) {
      const d = ((arrivalMs - this.lastArrivalMs) * this.clockRate) / 1000 - ((ts - this.lastTs) | 0);
      if (d > this.jumpTs || d < -this.jumpTs) {
        this.timestampJumps++;
        this.jitter.reset();
      }
    }
    this.jitter.update(ts, arrivalMs);
    this.haveLast = true;
    this.lastTs = ts;
    this.lastArrivalMs = arrivalMs;
  }

  private onLate(): void {
    // A packet arrived after its turn: in adaptive mode play one frame later from the next refill on.
    if (this.mode === 'adaptive' && this.lateBoost < this.maxFrames) this.lateBoost++;
    this.calmPops = 0;
  }

  /** Moves the playout point to `seq`, dropping what is held before it (drained) and counting holes as lost. */
  private advanceTo(seq: number): void {
    const skip = seqDelta(seq, this.nextSeq);
    if (skip <= 0) return;
    if (skip >= this.ring.size) {
      // Everything held lies in the skipped range (the window is smaller than the ring).
      const held = this.ring.dropAll();
      this.drained += held;
      this.lost += skip - held;
    } else {
      for (let k = 0; k < skip; k++) {
        if (this.ring.drop((this.nextSeq + k) & 0xffff)) this.drained++;
        else this.lost++;
      }
    }
    this.nextSeq = seq;
    if (this.ring.count === 0) this.highSeq = (seq - 1) & 0xffff;
  }
}
