// Receive-side sequence number tracking, RFC 3550 Appendix A.1, plus duplicate and
// reordering counters A.1 does not keep.
//
// A.1's state machine decides, per packet, whether the source is valid yet (probation),
// whether the 16-bit sequence number wrapped (cycles), and whether a large jump is a
// source that restarted (two sequential packets after the jump) or a stray packet. The
// counters it keeps (base, extended max, received) give RFC 3550 §6.4.1's loss figures.
//
// Everything is numbers in fields: `update()` allocates nothing.

const RTP_SEQ_MOD = 1 << 16;
/** A.1: "MAX_DROPOUT = 3000" — a forward jump up to this is loss, not a restart. */
export const MAX_DROPOUT = 3000;
/** A.1: "MAX_MISORDER = 100" — a backward step up to this is a late packet. */
export const MAX_MISORDER = 100;
/** A.1: "MIN_SEQUENTIAL = 2" — packets in sequence before a new source is valid. */
export const MIN_SEQUENTIAL = 2;

/** How far back duplicates are recognised (a bitmap of the last 128 extended numbers). */
const HISTORY = 128;

/** What one packet was, for the caller deciding whether to play it. */
export const SeqResult = {
  /** Next in order (or after a gap). */
  InOrder: 0,
  /** Behind the highest seen, not seen before: late but usable. */
  Reordered: 1,
  /** Seen before (within the last 128): drop it. */
  Duplicate: 2,
  /** The source is still on probation (A.1): not yet valid, not counted. */
  Probation: 3,
  /** A big jump: dropped unless the next packet confirms a restart. */
  Jump: 4,
  /** The packet after a jump followed it: the source restarted (new sender or SSRC reuse); state reset. */
  Restart: 5,
} as const;
export type SeqResult = (typeof SeqResult)[keyof typeof SeqResult];

export class SequenceTracker {
  /** A.1 fields. */
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation: number;
  /** Packets counted by A.1 (duplicates included, as A.1 counts them). */
  received = 0;
  private started = false;

  /** Our additions: late arrivals, duplicates, restarts, and loss bursts (gaps). */
  reordered = 0;
  duplicates = 0;
  restarts = 0;
  /** Forward gaps seen (a run of one or more missing numbers counts once). */
  gaps = 0;
  /** Numbers skipped by those gaps (late arrivals later fill some of them). */
  gapPackets = 0;
  /** Packets dropped as isolated jumps. */
  jumps = 0;

  private readonly seen = new Uint32Array(HISTORY / 32);

  constructor(private readonly minSequential = MIN_SEQUENTIAL) {
    this.probation = minSequential;
  }

  /** A source is valid once probation is over (A.1). */
  get valid(): boolean {
    return this.started && this.probation === 0;
  }

  /** A.1: "the extended highest sequence number received": cycles plus the highest number. */
  get extendedMax(): number {
    return this.cycles + this.maxSeq;
  }

  /** §6.4.1: expected = extended max - base + 1. */
  get expected(): number {
    return this.valid ? this.extendedMax - this.baseSeq + 1 : 0;
  }

  /** A.3: "lost = expected - received" (negative when duplicates outnumber losses). */
  get lost(): number {
    return this.expected - this.received;
  }

  /** Forgets the source (a new SSRC): the next packet starts probation again. */
  reset(): void {
    this.started = false;
    this.probation = this.minSequential;
    this.received = 0;
    this.seen.fill(0);
  }

  /** Feeds one packet's sequence number. */
  update(seq: number): SeqResult {
    if (!this.started) {
      // A.1: "init_seq(s, seq); s->max_seq = seq - 1; s->probation = MIN_SEQUENTIAL;"
      this.initSeq(seq);
      this.maxSeq = (seq - 1) & 0xffff;
      this.probation = this.minSequential;
      this.started = true;
    }
    const udelta = (seq - this.maxSeq) & 0xffff;

    // A.1: "Source is not valid until MIN_SEQUENTIAL packets with sequential sequence
    // numbers have been received."
    if (this.probation > 0) {
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          this.received++;
          this.mark(this.extendedMax);
          return SeqResult.InOrder;
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return SeqResult.Probation;
    }

    if (udelta < MAX_DROPOUT) {
      if (udelta === 0) {
        this.received++;
        this.duplicates++;
        return SeqResult.Duplicate;
      }
      // A.1: "in order, with permissible gap"; "if (seq < s->max_seq) ... wrapped".
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      const previous = this.extendedMax;
      this.maxSeq = seq;
      if (udelta > 1) {
        this.gaps++;
        this.gapPackets += udelta - 1;
      }
      this.advance(previous, this.extendedMax);
      this.received++;
      return SeqResult.InOrder;
    }

    if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A.1: "the sequence number made a very large jump".
      if (seq === this.badSeq) {
        // A.1: "Two sequential packets -- assume that the other side restarted without
        // telling us so just re-sync (i.e., pretend this was the first packet)."
        this.initSeq(seq);
        this.restarts++;
        this.received++;
        this.mark(this.extendedMax);
        return SeqResult.Restart;
      }
      this.badSeq = (seq + 1) & 0xffff;
      this.jumps++;
      return SeqResult.Jump;
    }

    // A.1: "duplicate or reordered packet" — counted as received there; told apart here.
    this.received++;
    const back = RTP_SEQ_MOD - udelta;
    const ext = this.extendedMax - back;
    if (back < HISTORY && ext >= this.baseSeq) {
      if (this.isMarked(ext)) {
        this.duplicates++;
        return SeqResult.Duplicate;
      }
      this.mark(ext);
    }
    this.reordered++;
    return SeqResult.Reordered;
  }

  /** A.1 init_seq. */
  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.seen.fill(0);
  }

  /** Clears the history bits of the numbers skipped between `from` and `to`, marks `to`. */
  private advance(from: number, to: number): void {
    const steps = Math.min(to - from, HISTORY);
    for (let i = 1; i < steps; i++) this.unmark(to - i);
    this.mark(to);
  }

  private mark(ext: number): void {
    const bit = ext & (HISTORY - 1);
    this.seen[bit >>> 5]! |= 1 << (bit & 31);
  }

  private unmark(ext: number): void {
    const bit = ext & (HISTORY - 1);
    this.seen[bit >>> 5]! &= ~(1 << (bit & 31));
  }

  private isMarked(ext: number): boolean {
    const bit = ext & (HISTORY - 1);
    return (this.seen[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  toJSON(): Record<string, number | boolean> {
    return {
      valid: this.valid,
      extendedMax: this.extendedMax,
      expected: this.expected,
      received: this.received,
      lost: this.lost,
      reordered: this.reordered,
      duplicates: this.duplicates,
      gaps: this.gaps,
      jumps: this.jumps,
      restarts: this.restarts,
    };
  }
}
