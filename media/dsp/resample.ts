// Sample-rate conversion between the telephony rates (8, 16 and 48 kHz, any direction).
//
// A rational polyphase FIR: conceptually the input is zero-stuffed by L, low-pass filtered at
// the lower rate's Nyquist frequency, and every M-th sample kept (L/M = to/from in lowest
// terms). Only the taps that meet non-zero samples are computed, so an output sample costs
// K = TAPS_PER_PHASE × max(1, M) multiply-adds (48 when upsampling, 48·M when downsampling).
//
//   input  x[j]  (from Hz)       ─┐
//   upsampled index t = j·L       │  output n sits at t = n·M; phase p = t mod L picks the
//   sub-filter h_p[i] = h[p + iL] ─┘  sub-filter; y[n] = Σ_i h_p[i] · x[⌊t/L⌋ − i]
//
// The prototype is a Kaiser-windowed sinc: pass band to 0.8 of the lower Nyquist frequency
// (3.2 kHz at 8 kHz), stop band from that Nyquist frequency on (4 kHz), ≈ 75 dB down there, so
// a 5 kHz tone at 48 kHz does not fold into the 8 kHz band audibly. The filter is causal and
// linear-phase: output lags input by (N − 1)/2 samples at the upsampled rate (≈ 3 ms).
//
// Allocation: the constructor builds the filter and a working buffer. process() allocates its
// result array; processInto() allocates nothing once the working buffer has grown to the
// largest input seen (a 20 ms frame never grows it past the first call).

/** Taps per polyphase branch, counted at the lower of the two rates (see the header). */
const TAPS_PER_PHASE = 48;
/** Kaiser β for ≈ 75 dB stop-band attenuation: β = 0.1102·(A − 8.7) (Kaiser's formula). */
const KAISER_BETA = 0.1102 * (75 - 8.7);
/** Pass-band edge as a fraction of the lower Nyquist frequency; the stop band starts at 1.0. */
const PASS_EDGE = 0.8;

const SUPPORTED_RATES = new Set([8000, 16000, 48000]);

export class ResampleError extends Error {
  override name = 'ResampleError';
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (power series; converges fast for x ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x / 2) * (x / 2);
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Polyphase coefficients, laid out branch by branch: coef[p·K + i] = h[p + i·L]. Each branch is
 * scaled to unit DC gain, so a constant input comes out at the same constant on every phase
 * (no "comb" ripple at the upsampled rate) and levels are kept in both directions.
 */
function designPolyphase(L: number, M: number, K: number): Float64Array {
  const N = K * L;
  // Cutoff (6 dB point) halfway through the transition band, in cycles per upsampled sample.
  const lowerNyquist = 0.5 / Math.max(L, M);
  const cutoff = lowerNyquist * (1 + PASS_EDGE) / 2;
  const centre = (N - 1) / 2;
  const i0Beta = besselI0(KAISER_BETA);
  const h = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    const x = k - centre;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const r = x / centre;
    const window = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[k] = sinc * window;
  }
  const coef = new Float64Array(N);
  for (let p = 0; p < L; p++) {
    let sum = 0;
    for (let i = 0; i < K; i++) sum += h[p + i * L]!;
    for (let i = 0; i < K; i++) coef[p * K + i] = h[p + i * L]! / sum;
  }
  return coef;
}

/**
 * A streaming resampler for one audio stream. Feed consecutive chunks of any length (usually
 * 20 ms frames); the filter state carries across chunks, so chunked output equals the output
 * of one call over the concatenated input, sample for sample.
 */
export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  private readonly L: number;
  private readonly M: number;
  /** Taps per branch, in input samples. */
  private readonly K: number;
  private readonly coef: Float64Array;
  /** The last K − 1 input samples, followed by the current chunk. */
  private work: Int16Array;
  /** Input index (relative to the current chunk) and phase of the next output sample. */
  private pos = 0;
  private phase = 0;

  constructor(fromRate: number, toRate: number) {
    if (!SUPPORTED_RATES.has(fromRate) || !SUPPORTED_RATES.has(toRate)) {
      throw new ResampleError(`unsupported resampling ${fromRate} → ${toRate} Hz (supported: 8000, 16000, 48000)`);
    }
    this.fromRate = fromRate;
    this.toRate = toRate;
    const g = gcd(fromRate, toRate);
    this.L = toRate / g;
    this.M = fromRate / g;
    // Downsampling by M spreads the same low-rate span over M times as many input samples.
    this.K = fromRate === toRate ? 1 : TAPS_PER_PHASE * this.M;
    this.coef = fromRate === toRate ? Float64Array.of(1) : designPolyphase(this.L, this.M, this.K);
    this.work = new Int16Array(this.K - 1 + 960);
  }

  /** The most output samples `processInto` can write for `inputLength` input samples. */
  maxOutputLength(inputLength: number): number {
    return Math.floor(((inputLength + 1) * this.L) / this.M) + 1;
  }

  /** Output lag of the filter, in output samples (rounded down). */
  get delay(): number {
    return Math.floor((this.K * this.L - 1) / 2 / this.M);
  }

  /** Resamples the next chunk of the stream into a new array. */
  process(input: Int16Array): Int16Array {
    const out = new Int16Array(this.maxOutputLength(input.length));
    const n = this.processInto(input, out);
    return n === out.length ? out : out.slice(0, n);
  }

  /**
   * Resamples the next chunk of the stream into `out` (at least `maxOutputLength(input.length)`
   * long) and returns the number of samples written. With chunk lengths that are whole multiples
   * of M (every 20 ms frame at these rates) exactly input.length·L/M samples come out.
   */
  processInto(input: Int16Array, out: Int16Array): number {
    const { L, M, K, coef } = this;
    const hist = K - 1;
    const inLen = input.length;
    if (this.work.length < hist + inLen) {
      const grown = new Int16Array(hist + inLen);
      grown.set(this.work.subarray(0, hist));
      this.work = grown;
    }
    const work = this.work;
    work.set(input, hist);

    let pos = this.pos;
    let phase = this.phase;
    let n = 0;
    const cap = out.length;
    while (pos < inLen) {
      if (n >= cap) throw new ResampleError(`output buffer too small (${cap} samples)`);
      // x[pos − i] lives at work[hist + pos − i]; walk the branch from newest sample back.
      const newest = hist + pos;
      const base = phase * K;
      let acc = 0;
      for (let i = 0; i < K; i++) acc += coef[base + i]! * work[newest - i]!;
      const s = Math.round(acc);
      out[n++] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
      phase += M;
      while (phase >= L) {
        phase -= L;
        pos++;
      }
    }
    this.pos = pos - inLen;
    this.phase = phase;
    // Keep the newest K − 1 samples (some may come from the previous history when inLen < K − 1).
    work.copyWithin(0, inLen, inLen + hist);
    return n;
  }

  /** Forgets the stream: history back to silence, phase back to the start. */
  reset(): void {
    this.work.fill(0);
    this.pos = 0;
    this.phase = 0;
  }
}

/**
 * Resamples a whole signal in one call (a fresh Resampler over `input`). The output starts with
 * the filter's lag (`new Resampler(from, to).delay` samples of lead-in) and has
 * input.length·to/from samples when input.length is a multiple of from/gcd(from, to).
 */
export function resample(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  return new Resampler(fromRate, toRate).process(input);
}
