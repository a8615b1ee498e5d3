// The storage behind a jitter buffer: a ring of fixed-size payload slots indexed by sequence
// number (slot = seq & mask). Each slot remembers which packet it last held and whether that
// packet is still waiting or was consumed (played or dropped), which is how a copy arriving
// later is told apart from a late packet.
//
// Memory: nothing until the first put(), which allocates the per-slot bookkeeping (~1 KB) and
// takes the payload storage (slots × maxPayloadBytes: 40 KB for a default jitter buffer) from a
// per-thread pool (payload-pool.ts) that release() returns it to. Most legs never store a packet
// (a relayed bridge bypasses the jitter buffer, a call without RTP receives nothing), and the
// others give their storage back when they end, so a worker setting up hundreds of calls a second
// does not allocate (and collect) 40 KB per leg. put() copies the payload into its slot and take()
// hands out a view of it, cached per slot and re-made only when the payload length changes (never
// for constant-size codecs such as G.711 or L16).

/** A packet handed out by the ring; one object, rewritten by every take(). */
export interface JitterFrame {
  seq: number;
  /** The RTP timestamp, unsigned. */
  ts: number;
  arrivalMs: number;
  /** A view into the ring: valid until the next push() or pop() of the buffer that owns it. */
  payload: Uint8Array;
}

import { acquirePayloadStorage, releasePayloadStorage } from './payload-pool.js';

const EMPTY = 0;
const HELD = 1;
const CONSUMED = 2;
const NO_PAYLOAD = new Uint8Array(0);
const NO_INT32 = new Int32Array(0);
const NO_FLOAT64 = new Float64Array(0);

export class PacketRing {
  /** Number of slots: a power of two. */
  readonly size: number;
  readonly maxPayloadBytes: number;
  /** Packets held (waiting to be taken). */
  count = 0;
  private readonly mask: number;
  // Per slot; empty until the first put() (an empty array answers "not held" to every question).
  private seqs: Int32Array = NO_INT32;
  private states: Uint8Array = NO_PAYLOAD;
  private stamps: Int32Array = NO_INT32;
  private arrivals: Float64Array = NO_FLOAT64;
  private lengths: Int32Array = NO_INT32;
  /** Null until the first put(), and again after release(). */
  private storage: Uint8Array | null = null;
  /** Per slot, the view take() last handed out (rebuilt when the storage or the length changes). */
  private views: (Uint8Array | undefined)[] = [];

  /** At least `minSlots` slots of `maxPayloadBytes` each. */
  constructor(minSlots: number, maxPayloadBytes: number) {
    let size = 2;
    while (size < minSlots) size *= 2;
    this.size = size;
    this.mask = size - 1;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  private allocate(): void {
    const size = this.size;
    this.seqs = new Int32Array(size).fill(-1);
    this.states = new Uint8Array(size);
    this.stamps = new Int32Array(size);
    this.arrivals = new Float64Array(size);
    this.lengths = new Int32Array(size);
  }

  /** Whether the payload storage is held (from the first put() until release()). */
  get allocated(): boolean {
    return this.storage !== null;
  }

  /** Whether packet `seq` is held. */
  holds(seq: number): boolean {
    const slot = seq & this.mask;
    return this.states[slot] === HELD && this.seqs[slot] === seq;
  }

  /** Whether packet `seq` was held and has been played or dropped since. */
  consumed(seq: number): boolean {
    const slot = seq & this.mask;
    return this.states[slot] === CONSUMED && this.seqs[slot] === seq;
  }

  /** Stores packet `seq` (`ts` as int32), replacing whatever its slot held. */
  put(seq: number, ts: number, payload: Uint8Array, arrivalMs: number): void {
    const slot = seq & this.mask;
    if (this.states[slot] === HELD) this.count--;
    let storage = this.storage;
    if (storage === null) {
      if (this.states.length === 0) this.allocate();
      storage = acquirePayloadStorage(this.size * this.maxPayloadBytes);
      this.storage = storage;
      this.views = [];
    }
    storage.set(payload, slot * this.maxPayloadBytes);
    this.lengths[slot] = payload.length;
    this.seqs[slot] = seq;
    this.stamps[slot] = ts;
    this.arrivals[slot] = arrivalMs;
    this.states[slot] = HELD;
    this.count++;
  }

  /** Hands packet `seq` out through `frame` and marks it consumed; false when it is not held. */
  take(seq: number, frame: JitterFrame): boolean {
    const slot = seq & this.mask;
    if (this.states[slot] !== HELD || this.seqs[slot] !== seq) return false;
    this.states[slot] = CONSUMED;
    this.count--;
    const len = this.lengths[slot]!;
    let view = this.views[slot];
    if (view === undefined || view.length !== len) {
      // A held packet means put() ran: the storage is there.
      const at = slot * this.maxPayloadBytes;
      view = this.storage!.subarray(at, at + len);
      this.views[slot] = view;
    }
    frame.seq = seq;
    frame.ts = this.stamps[slot]! >>> 0;
    frame.arrivalMs = this.arrivals[slot]!;
    frame.payload = view;
    return true;
  }

  /** Drops packet `seq` unplayed; false when it is not held. */
  drop(seq: number): boolean {
    const slot = seq & this.mask;
    if (this.states[slot] !== HELD || this.seqs[slot] !== seq) return false;
    this.states[slot] = CONSUMED;
    this.count--;
    return true;
  }

  /** Drops every held packet; returns how many there were. */
  dropAll(): number {
    const n = this.count;
    for (let i = 0; i < this.size; i++) if (this.states[i] === HELD) this.states[i] = CONSUMED;
    this.count = 0;
    return n;
  }

  /** Forgets everything, including what was consumed. */
  clear(): void {
    this.states.fill(EMPTY);
    this.seqs.fill(-1);
    this.count = 0;
  }

  /**
   * Forgets everything and gives the payload storage back to the pool (the stream ended). The ring
   * stays usable: a later put() takes storage again. Views handed out before are then stale.
   */
  release(): void {
    this.clear();
    const storage = this.storage;
    if (storage === null) return;
    this.storage = null;
    this.views = [];
    releasePayloadStorage(storage);
  }

  /** A frame object to pass to take(). */
  newFrame(): JitterFrame {
    return { seq: 0, ts: 0, arrivalMs: 0, payload: NO_PAYLOAD };
  }
}
