// One G.722 sub-band's ADPCM state: the adaptive quantizer scale and the adaptive predictor
// (ITU-T G.722, blocks 3L/3H "LOGSCL/LOGSCH, SCALEL/SCALEH" and 4L/4H of its block description).
//
// The encoder and the decoder run the very same adaptation on the very same quantised
// difference, which is what keeps them in step without side information. All arithmetic is the
// Recommendation's 16-bit fixed point: products shifted right by 15, sums saturated to 16 bits.
//
//   quantised difference dq ─┬─> RECONS  r = s + dq ──────────┐
//                            ├─> PARREC  p = sz + dq ──┐      │
//                            │                         v      v
//                            │     UPPOL2, UPPOL1 (a1, a2)   FILTEP (2 poles)  ─┐
//                            └─> UPZERO (b1..b6) ───────────> FILTEZ (6 zeros) ─┴─> PREDIC s
//
// Nothing here allocates after construction.

/** Saturates to the 16-bit two's-complement range, as every G.722 adder does. */
export function sat16(x: number): number {
  return x > 32767 ? 32767 : x < -32768 ? -32768 : x;
}

/**
 * Inverse logarithm table of SCALEL/SCALEH: 2048·2^(i/32) rounded, the mantissa of the linear
 * scale factor for the fractional part of the log scale factor.
 */
const ILB = Int16Array.of(
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
  2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
);

/** The adaptive predictor and quantizer scale of one sub-band. */
export class SubBand {
  /** Predictor output (SL / SH). */
  s = 0;
  /** Output of the six-zero section (SZL / SZH). */
  private sz = 0;
  /** Reconstructed signal, one and two samples back (RLT1, RLT2). */
  private r1 = 0;
  private r2 = 0;
  /** Partially reconstructed signal, one and two samples back (PLT1, PLT2). */
  private p1 = 0;
  private p2 = 0;
  /** Pole coefficients (AL1, AL2). */
  private a1 = 0;
  private a2 = 0;
  /** Zero coefficients BL1..BL6 and quantised differences DLT1..DLT6 (index 0 unused). */
  private readonly b = new Int32Array(7);
  private readonly d = new Int32Array(7);
  /** Log-domain quantizer scale factor (NBL / NBH). */
  private nb = 0;
  /** Linear quantizer scale factor (DETL / DETH). */
  det: number;

  constructor(
    /** DETL starts at 32, DETH at 8 (the Recommendation's reset values). */
    private readonly initialDet: number,
    /** NBL is limited to 18432, NBH to 22528. */
    private readonly nbMax: number,
    /** SCALEL shifts by 8 − (NB >> 11), SCALEH by 10 − (NB >> 11). */
    private readonly scaleShift: number,
  ) {
    this.det = initialDet;
  }

  reset(): void {
    this.s = this.sz = this.r1 = this.r2 = this.p1 = this.p2 = this.a1 = this.a2 = this.nb = 0;
    this.b.fill(0);
    this.d.fill(0);
    this.det = this.initialDet;
  }

  /**
   * Blocks 3L/3H: LOGSCL/LOGSCH leak the log scale factor by 127/128 and add the step the
   * code word calls for (`logStep`, from WL or WH); SCALEL/SCALEH turn it into DET.
   */
  adaptScale(logStep: number): void {
    let nb = ((this.nb * 127) >> 7) + logStep;
    if (nb < 0) nb = 0;
    else if (nb > this.nbMax) nb = this.nbMax;
    this.nb = nb;
    const mantissa = ILB[(nb >> 6) & 31]!;
    const shift = this.scaleShift - (nb >> 11);
    this.det = (shift < 0 ? mantissa << -shift : mantissa >> shift) << 2;
  }

  /** Block 4: update the predictor with the quantised difference `dq` and compute the next s. */
  adaptPredictor(dq: number): void {
    const r0 = sat16(this.s + dq); // RECONS
    const p0 = sat16(this.sz + dq); // PARREC
    const neg0 = p0 < 0;
    const neg1 = this.p1 < 0;
    const neg2 = this.p2 < 0;
    const a1 = this.a1;
    const a2 = this.a2;

    // UPPOL2: a2 leaks by 127/128 and moves by ±1/128 with the sign agreement of p0 and p2,
    // and against f(a1) = 4·a1 (limited) when p0 and p1 agree.
    const f = sat16(a1 * 4);
    let wd2 = neg0 === neg1 ? -f : f;
    if (wd2 > 32767) wd2 = 32767;
    let ap2 = (neg0 === neg2 ? 128 : -128) + (wd2 >> 7) + ((a2 * 32512) >> 15);
    if (ap2 > 12288) ap2 = 12288;
    else if (ap2 < -12288) ap2 = -12288;

    // UPPOL1: a1 leaks by 255/256, moves by ±3/256, and stays within ±(1 − 2^-4 − a2) for stability.
    let ap1 = sat16((neg0 === neg1 ? 192 : -192) + ((a1 * 32640) >> 15));
    const limit = sat16(15360 - ap2);
    if (ap1 > limit) ap1 = limit;
    else if (ap1 < -limit) ap1 = -limit;

    // UPZERO: each b leaks by 255/256 and moves by ±1/256 with the sign agreement of dq and
    // the difference it weights; a zero difference only leaks.
    const b = this.b;
    const d = this.d;
    const step = dq === 0 ? 0 : 128;
    const negDq = dq < 0;
    for (let i = 1; i <= 6; i++) {
      b[i] = sat16((d[i]! < 0 === negDq ? step : -step) + ((b[i]! * 32640) >> 15));
    }

    // DELAYA
    for (let i = 6; i > 1; i--) d[i] = d[i - 1]!;
    d[1] = dq;
    this.r2 = this.r1;
    this.r1 = r0;
    this.p2 = this.p1;
    this.p1 = p0;
    this.a1 = ap1;
    this.a2 = ap2;

    // FILTEP: the two-pole section over the reconstructed signal.
    const sp = sat16(((ap1 * sat16(r0 * 2)) >> 15) + ((ap2 * sat16(this.r2 * 2)) >> 15));
    // FILTEZ: the six-zero section over the quantised differences.
    let sz = 0;
    for (let i = 1; i <= 6; i++) sz += (b[i]! * sat16(d[i]! * 2)) >> 15;
    this.sz = sat16(sz);
    // PREDIC
    this.s = sat16(sp + this.sz);
  }
}
