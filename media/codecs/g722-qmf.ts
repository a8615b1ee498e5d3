// The G.722 quadrature mirror filters (ITU-T G.722 transmit and receive QMF, coefficients of its table 11).
//
// A 24-tap QMF pair splits 16 kHz audio into a 0–4 kHz and a 4–8 kHz band, each at 8 kHz, and
// the receive QMF puts them back together. Both directions compute the same two sums over the
// last 24 values of a delay line, so one class serves both:
//
//   window w[0..23], oldest first, w[23] newest
//   A = Σ h(2i)   · w[23 − 2i]        (i = 0..11)
//   B = Σ h(2i+1) · w[22 − 2i]
//   transmit: push x(j−1), x(j)  → low = (A + B) >> 14, high = (A − B) >> 14
//   receive:  push rL + rH, rL − rH → out(j−1) = A >> 11, out(j) = B >> 11
//
// The Recommendation works on 14-bit PCM; we take and give 16-bit samples, so the shifts are 2
// larger on the way in (16-bit full scale maps onto the sub-band range ±16384 the ADPCM expects)
// and 1 smaller on the way out, as ffmpeg does.

/** h(0..23) = the Recommendation's table 11; only h(2i) is listed, h is symmetric: h(2i+1) = h(22 − 2i). */
const H_EVEN = Int32Array.of(3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11);

/** A 24-value delay line, written twice so the newest 24 values are always contiguous (no shifting). */
export class QmfDelayLine {
  private readonly line = new Int32Array(48);
  /** Slot of the oldest value; the window is line[at .. at + 23]. */
  private at = 0;
  /** Sum A of the last `sums()` call. */
  a = 0;
  /** Sum B of the last `sums()` call. */
  b = 0;

  push(v: number): void {
    this.line[this.at] = v;
    this.line[this.at + 24] = v;
    this.at = this.at === 23 ? 0 : this.at + 1;
  }

  /** Computes A and B (see the header) over the newest 24 values into `this.a`, `this.b`. */
  sums(): void {
    const w = this.line;
    const o = this.at;
    let a = 0;
    let b = 0;
    for (let i = 0; i < 12; i++) {
      a += H_EVEN[i]! * w[o + 23 - 2 * i]!;
      b += H_EVEN[11 - i]! * w[o + 22 - 2 * i]!;
    }
    this.a = a;
    this.b = b;
  }

  reset(): void {
    this.line.fill(0);
    this.at = 0;
    this.a = this.b = 0;
  }
}
