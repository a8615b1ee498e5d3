// Replay detection by nonce count. RFC 2617 §3.2.2, kept by RFC 7616 §3.4: the nc
// directive lets the server keep its own copy of the count, and "if the same nc-value
// is seen twice, then the request is a replay."
//
// The server remembers, per nonce, the highest nc it accepted, in a bounded LRU map.
// A bounded map forgets, and forgetting must not reopen replays: the map keeps a
// floor, the latest issue time among nonces evicted for room. A nonce that is not
// in the map but was issued at or before the floor may have been seen and evicted,
// so it is refused (the client gets a stale challenge and a fresh nonce); one issued
// after the floor cannot have been evicted, so it has really never been used.
import { LruMap } from './lru-map.js';
import { ownString } from '../message/scanner.js';

interface Seen {
  nc: number;
  issuedAt: number;
}

/** Entries expired by time are dropped a few at a time as new ones arrive. */
const EXPIRE_PER_INSERT = 2;

export class NonceCounts {
  private readonly seen: LruMap<string, Seen>;
  private floor = -Infinity;

  constructor(
    maxEntries: number,
    private readonly ttlMs: number,
  ) {
    this.seen = new LruMap(maxEntries, (_nonce, s) => {
      if (s.issuedAt > this.floor) this.floor = s.issuedAt;
    });
  }

  get size(): number {
    return this.seen.size;
  }

  /**
   * Accepts `nc` for `nonce` if it is higher than any accepted before, and records it.
   * False means a replay (or a nonce whose history may have been forgotten).
   */
  accept(nonce: string, issuedAt: number, nc: number, now: number): boolean {
    const s = this.seen.get(nonce);
    if (s) {
      if (nc <= s.nc) return false;
      s.nc = nc;
      return true;
    }
    if (issuedAt <= this.floor) return false;
    this.dropExpired(now);
    this.seen.set(ownString(nonce), { nc, issuedAt });
    return true;
  }

  private dropExpired(now: number): void {
    for (let k = 0; k < EXPIRE_PER_INSERT; k++) {
      const oldest = this.seen.oldest();
      // An expired nonce is refused by its timestamp, so its count is no longer
      // needed and dropping it does not raise the floor.
      if (!oldest || now - oldest[1].issuedAt <= this.ttlMs) return;
      this.seen.delete(oldest[0]);
    }
  }
}
