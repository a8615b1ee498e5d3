// Replay detection by nonce count. RFC 2617 §3.2.2, kept by RFC 7616 §3.4: the nc
// directive lets the server keep its own copy of the count, and "if the same nc-value
// is seen twice, then the request is a replay."
//
// The server remembers, per nonce, the highest nc it accepted, in a bounded table.
// A bounded table forgets, and forgetting must not reopen replays: the table keeps a
// floor, the latest issue time among nonces evicted for room. A nonce that is not
// in the table but was issued at or before the floor may have been seen and evicted,
// so it is refused (the client gets a stale challenge and a fresh nonce); one issued
// after the floor cannot have been evicted, so it has really never been used.
//
// A nonce is known by what its MAC vouches for (nonce.ts): the time it was issued and the
// issuer's counter. The table keeps those and the count in typed arrays, set-associative
// (a nonce has WAYS slots it may live in; the oldest of them makes room): a registrar
// sees one new nonce per registration, and a Map of strings and objects that each live
// for seconds is what the garbage collector then spends its time copying.

/** Slots per set: a nonce lives in one of these. */
const MAX_WAYS = 8;
const EMPTY = -1;

export class NonceCounts {
  private readonly ways: number;
  private readonly setMask: number;
  /** Issue time per slot (ms), EMPTY when free. */
  private readonly issued: Float64Array;
  private readonly counter: Uint32Array;
  private readonly nc: Uint32Array;
  private floor = -Infinity;
  private live = 0;

  constructor(
    maxEntries: number,
    private readonly ttlMs: number,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    this.ways = Math.min(MAX_WAYS, maxEntries);
    let sets = 1;
    while (sets * this.ways < maxEntries) sets *= 2;
    this.setMask = sets - 1;
    const slots = sets * this.ways;
    this.issued = new Float64Array(slots).fill(EMPTY);
    this.counter = new Uint32Array(slots);
    this.nc = new Uint32Array(slots);
  }

  /** Nonces remembered. */
  get size(): number {
    return this.live;
  }

  /**
   * Accepts `nc` for the nonce issued at `issuedAt` with `counter` if it is higher than
   * any accepted before, and records it. False means a replay (or a nonce whose history
   * may have been forgotten).
   */
  accept(counter: number, issuedAt: number, nc: number, now: number): boolean {
    const base = this.setOf(counter, issuedAt) * this.ways;
    let free = -1;
    let oldest = -1;
    for (let i = base; i < base + this.ways; i++) {
      const t = this.issued[i]!;
      if (t === issuedAt && this.counter[i] === counter) {
        if (nc <= this.nc[i]!) return false;
        this.nc[i] = nc;
        return true;
      }
      if (t !== EMPTY && now - t > this.ttlMs) {
        // An expired nonce is refused by its timestamp, so its count is no longer needed
        // and dropping it does not raise the floor.
        this.issued[i] = EMPTY;
        this.live--;
      }
      if (this.issued[i] === EMPTY) {
        if (free < 0) free = i;
      } else if (oldest < 0 || this.issued[i]! < this.issued[oldest]!) oldest = i;
    }
    if (issuedAt <= this.floor) return false;
    let slot = free;
    if (slot < 0) {
      slot = oldest;
      if (this.issued[slot]! > this.floor) this.floor = this.issued[slot]!;
    } else this.live++;
    this.issued[slot] = issuedAt;
    this.counter[slot] = counter;
    this.nc[slot] = nc;
    return true;
  }

  private setOf(counter: number, issuedAt: number): number {
    // The counter alone spreads one issuer's nonces; the time separates cluster peers' counters.
    const h = Math.imul(counter ^ (issuedAt % 0x1_0000_0000), 0x9e3779b1);
    return (h >>> 16) & this.setMask;
  }
}
