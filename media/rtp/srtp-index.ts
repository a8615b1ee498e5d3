// The SRTP packet index: a 32-bit rollover counter (ROC) the packet does not carry, and
// the 16-bit RTP sequence number it does. RFC 3711 §3.3.1: "i = 2^16 * ROC + SEQ".
//
// The receiver guesses which ROC a packet belongs to from the highest sequence number it
// has authenticated, s_l, with Appendix A's rule:
//
//   if (s_l < 32768)
//      if (SEQ - s_l > 32768) set v to (ROC-1) mod 2^32
//      else set v to ROC
//   else
//      if (s_l - 32768 > SEQ) set v to (ROC+1) mod 2^32
//      else set v to ROC
//
// and, only once the packet has authenticated (§3.3.1), moves ROC and s_l forward.
// A packet index is at most 48 bits, which a double holds exactly.

const TWO_16 = 65536;

/** Per-SSRC index state, one for each direction and SSRC. */
export class SrtpIndexState {
  roc = 0;
  /** s_l, the highest sequence number seen with the current ROC. */
  highestSeq = 0;
  started = false;

  /** Appendix A's guess of the ROC for `seq`: -1 for a packet from before ROC 0 (unusable). */
  guessRoc(seq: number): number {
    if (!this.started) return 0;
    const sl = this.highestSeq;
    if (sl < 32768) return seq - sl > 32768 ? this.roc - 1 : this.roc;
    return sl - 32768 > seq ? (this.roc + 1) >>> 0 : this.roc;
  }

  /** The 48-bit index for `seq` under the guessed ROC `v`. */
  static index(v: number, seq: number): number {
    return v * TWO_16 + seq;
  }

  /** After authentication only (§3.3.1): moves ROC and s_l forward when the packet is the newest. */
  commit(v: number, seq: number): void {
    if (!this.started) {
      // The first packet of a stream sets s_l, with ROC 0 (§3.3.1).
      this.started = true;
      this.roc = v;
      this.highestSeq = seq;
      return;
    }
    if (v === ((this.roc + 1) >>> 0)) {
      this.roc = v;
      this.highestSeq = seq;
    } else if (v === this.roc && seq > this.highestSeq) {
      this.highestSeq = seq;
    }
  }
}
