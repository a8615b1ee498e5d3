// Replay protection for SRTP and SRTCP, RFC 3711 §3.3.2.
//
// The receiver keeps a Replay List of the indices of recently received and authenticated
// packets, as a sliding window of at least 64 (§3.3.2). A packet whose index is already in
// the list, or too old for the window, is refused before any decryption.
//
// A bitmap over the last `size` indices (a ring keyed by index mod size) plus the highest
// index accepted. Indices are up to 48 bits (SRTP) and are kept as plain numbers.

export const ReplayCheck = {
  Fresh: 0,
  /** Already received. */
  Replayed: 1,
  /** Older than the window: cannot tell, so refused (§3.3.2). */
  TooOld: 2,
} as const;
export type ReplayCheck = (typeof ReplayCheck)[keyof typeof ReplayCheck];

export const DEFAULT_REPLAY_WINDOW = 128;

export class ReplayWindow {
  private readonly bits: Uint32Array;
  private highest = -1;

  constructor(readonly size = DEFAULT_REPLAY_WINDOW) {
    if (size < 64 || size % 32 !== 0) throw new RangeError('the replay window is a multiple of 32, at least 64 (RFC 3711 §3.3.2)');
    this.bits = new Uint32Array(size / 32);
  }

  /** May a packet with this index be accepted (checked before authentication)? */
  check(index: number): ReplayCheck {
    if (index > this.highest) return ReplayCheck.Fresh;
    if (this.highest - index >= this.size) return ReplayCheck.TooOld;
    return this.has(index) ? ReplayCheck.Replayed : ReplayCheck.Fresh;
  }

  /** Records an index after the packet authenticated. */
  accept(index: number): void {
    if (index > this.highest) {
      const steps = this.highest < 0 ? this.size : Math.min(index - this.highest, this.size);
      for (let i = 1; i < steps; i++) this.clear(index - i);
      this.highest = index;
    }
    const bit = index % this.size;
    this.bits[bit >>> 5]! |= 1 << (bit & 31);
  }

  private has(index: number): boolean {
    const bit = index % this.size;
    return (this.bits[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  private clear(index: number): void {
    if (index < 0) return;
    const bit = index % this.size;
    this.bits[bit >>> 5]! &= ~(1 << (bit & 31));
  }
}
