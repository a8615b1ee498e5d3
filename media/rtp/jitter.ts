// Interarrival jitter, RFC 3550 §6.4.1 and Appendix A.8.
//
// §6.4.1: "If Si is the RTP timestamp from packet i, and Ri is the time of arrival in RTP
// timestamp units for packet i, then for two packets i and j, D may be expressed as
//     D(i,j) = (Rj - Ri) - (Sj - Si) = (Rj - Sj) - (Ri - Si)
// The interarrival jitter SHOULD be calculated continuously as each data packet i is
// received from source SSRC_n, using this difference D for that packet and the previous
// packet i-1 in order of arrival (not necessarily in sequence), according to the formula
//     J(i) = J(i-1) + (|D(i-1,i)| - J(i-1))/16"
//
// Arrival times come from the caller's clock in milliseconds (fractions allowed) and are
// converted to timestamp units here; the RTP timestamp difference is taken modulo 2^32 so
// a timestamp wrap is not a 2^32 jump. Two numbers of state, no allocation.

export class InterarrivalJitter {
  /** J in RTP timestamp units, as a real number (A.8's floating-point form). */
  private j = 0;
  private lastArrival = 0;
  private lastTimestamp = 0;
  private primed = false;
  private readonly unitsPerMs: number;

  constructor(readonly clockRate: number) {
    this.unitsPerMs = clockRate / 1000;
  }

  /** Feeds one packet: its RTP timestamp and when it arrived (ms, any monotonic origin). */
  update(timestamp: number, arrivalMs: number): void {
    const arrival = arrivalMs * this.unitsPerMs;
    if (this.primed) {
      // (Rj - Ri) - (Sj - Si); `| 0` makes the timestamp step a signed 32-bit difference.
      let d = arrival - this.lastArrival - ((timestamp - this.lastTimestamp) | 0);
      if (d < 0) d = -d;
      // A.8: "s->jitter += (1./16.) * ((double)d - s->jitter);"
      this.j += (d - this.j) / 16;
    }
    this.lastArrival = arrival;
    this.lastTimestamp = timestamp >>> 0;
    this.primed = true;
  }

  /** The value an RTCP report block carries: J truncated to an integer of timestamp units. */
  get units(): number {
    return Math.floor(this.j);
  }

  /** J in milliseconds. */
  get ms(): number {
    return this.j / this.unitsPerMs;
  }

  /** Starts over (a new source): the next packet only sets the reference point. */
  reset(): void {
    this.j = 0;
    this.primed = false;
  }
}
