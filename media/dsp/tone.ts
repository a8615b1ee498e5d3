// Tone synthesis: sums of sines (DTMF pairs, dial tone 350+440 Hz, ringback 440+480 Hz…) with an
// optional on/off cadence, generated frame by frame for the mixer and the player.
//
// Levels are in dBFS per frequency component, peak-referenced (0 dBFS = a sine whose peak is full
// scale), because telephone tone plans specify each component separately ("350 Hz and 440 Hz, each
// at -13 dBm0"). A sum that would exceed full scale is clipped, never wrapped.

/** Full-scale amplitude of a 16-bit sample. */
const FULL_SCALE = 32767;
const TWO_PI = 2 * Math.PI;
/** Length of the fade at each burst edge of a cadenced tone; a hard edge is an audible click. */
const EDGE_RAMP_MS = 2;

export interface ToneOptions {
  /** Component frequencies in Hz (each below sampleRate / 2). */
  frequencies: number[];
  sampleRate: number;
  /** Level of each component in dBFS (peak-referenced). Default -10. */
  level?: number;
  /** Cadence: milliseconds on. Omit (or omit offMs) for a continuous tone. */
  onMs?: number;
  /** Cadence: milliseconds off. Omit (or 0) for a continuous tone. */
  offMs?: number;
}

/** Peak amplitude (in Int16 units) of a component at `level` dBFS. */
function amplitudeOf(level: number): number {
  return FULL_SCALE * Math.pow(10, level / 20);
}

/**
 * A tone source. fill() writes the next out.length samples, continuing exactly where the previous
 * call stopped (phase and cadence position are state), so 20 ms frames join with no discontinuity.
 *
 * A cadenced tone starts every burst at phase 0 and fades in and out over 2 ms (or a quarter of the
 * burst, if shorter), so bursts neither click nor splatter energy into neighbouring frequencies.
 *
 * Allocates in the constructor (a few small Float64Arrays), and in fill() only when a frame is
 * longer than any before it (more than 160 samples); steady-state fill() allocates nothing.
 */
export class ToneGenerator {
  // Each component is a unit phasor (cos φ, sin φ) turned by its per-sample rotation: four
  // multiplications per sample instead of a Math.sin, renormalised once per fill() so rounding
  // cannot make its amplitude drift however long the tone plays.
  private readonly rotationCos: Float64Array;
  private readonly rotationSin: Float64Array;
  private readonly phasorCos: Float64Array;
  private readonly phasorSin: Float64Array;
  private readonly amplitude: number;
  /** 0 = continuous. */
  private readonly onSamples: number;
  private readonly offSamples: number;
  private readonly rampSamples: number;
  /** Position in the current on+off cycle, in samples. */
  private position = 0;
  /** Scratch for summing the components; sized to the largest frame seen (160 samples up front). */
  private mix = new Float64Array(160);

  constructor(o: ToneOptions) {
    if (!(o.sampleRate > 0)) throw new RangeError(`sampleRate must be positive, got ${o.sampleRate}`);
    for (const f of o.frequencies) {
      if (!(f >= 0 && f < o.sampleRate / 2)) {
        throw new RangeError(`tone frequency ${f} Hz is outside 0..${o.sampleRate / 2} Hz`);
      }
    }
    this.rotationCos = Float64Array.from(o.frequencies, (f) => Math.cos((TWO_PI * f) / o.sampleRate));
    this.rotationSin = Float64Array.from(o.frequencies, (f) => Math.sin((TWO_PI * f) / o.sampleRate));
    this.phasorCos = new Float64Array(o.frequencies.length).fill(1);
    this.phasorSin = new Float64Array(o.frequencies.length);
    this.amplitude = amplitudeOf(o.level ?? -10);
    const on = Math.max(0, Math.round(((o.onMs ?? 0) * o.sampleRate) / 1000));
    const off = Math.max(0, Math.round(((o.offMs ?? 0) * o.sampleRate) / 1000));
    const cadenced = o.onMs !== undefined && off > 0;
    this.onSamples = cadenced ? on : 0;
    this.offSamples = cadenced ? off : 0;
    const ramp = Math.round((EDGE_RAMP_MS * o.sampleRate) / 1000);
    this.rampSamples = cadenced ? Math.min(ramp, Math.floor(on / 4)) : 0;
  }

  /** Restart from the beginning of the cadence, at phase 0. */
  reset(): void {
    this.position = 0;
    this.restartPhase();
  }

  private restartPhase(): void {
    this.phasorCos.fill(1);
    this.phasorSin.fill(0);
  }

  /**
   * Writes the next samples into out[start, end) (default: all of out). Allocates nothing; the
   * range form lets callers fill part of a frame without making a subarray view.
   */
  fill(out: Int16Array, start = 0, end: number = out.length): void {
    if (this.offSamples === 0) {
      this.synthesize(out, start, end, -1);
      return;
    }
    const cycle = this.onSamples + this.offSamples;
    let i = start;
    while (i < end) {
      if (this.position < this.onSamples) {
        if (this.position === 0) this.restartPhase();
        const n = Math.min(end - i, this.onSamples - this.position);
        this.synthesize(out, i, i + n, this.position);
        this.position += n;
        i += n;
      } else {
        const n = Math.min(end - i, cycle - this.position);
        out.fill(0, i, i + n);
        this.position += n;
        i += n;
      }
      if (this.position >= cycle) this.position = 0;
    }
  }

  /**
   * Sums the components into out[from, to). burstPosition is the index within the current burst of
   * out[from] (for the edge fades), or -1 for a continuous tone.
   */
  private synthesize(out: Int16Array, from: number, to: number, burstPosition: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.mix.length < n) this.mix = new Float64Array(Math.max(n, 2 * this.mix.length)); // first big frame only
    const mix = this.mix;
    mix.fill(0, 0, n);
    // One component at a time, its phasor in locals: the inner loop is four multiplications and an add.
    for (let k = 0; k < this.rotationCos.length; k++) {
      let c = this.phasorCos[k]!;
      let s = this.phasorSin[k]!;
      const rc = this.rotationCos[k]!;
      const rs = this.rotationSin[k]!;
      for (let i = 0; i < n; i++) {
        mix[i] = mix[i]! + s;
        const next = c * rc - s * rs;
        s = s * rc + c * rs;
        c = next;
      }
      // One Newton step towards |phasor| = 1: rounding adds ~1e-16 per sample, this takes it away.
      const g = 1.5 - 0.5 * (c * c + s * s);
      this.phasorCos[k] = c * g;
      this.phasorSin[k] = s * g;
    }
    const gain = this.amplitude;
    const ramp = this.rampSamples;
    for (let i = 0; i < n; i++) {
      let g = gain;
      if (ramp > 0 && burstPosition >= 0) {
        const p = burstPosition + i;
        const edge = Math.min(p, this.onSamples - 1 - p);
        if (edge < ramp) g *= 0.5 - 0.5 * Math.cos((Math.PI * (edge + 0.5)) / ramp);
      }
      const sample = Math.round(mix[i]! * g);
      out[from + i] = sample > FULL_SCALE ? FULL_SCALE : sample < -32768 ? -32768 : sample;
    }
  }
}

/**
 * `samples` samples of a sine at `frequency`, starting at phase 0, at `level` dBFS (peak-referenced,
 * default -10 like ToneGenerator). Allocates the returned array: meant for tests, fixtures and
 * one-off prompts, not for per-frame use (use ToneGenerator.fill there).
 */
export function sine(frequency: number, sampleRate: number, samples: number, level = -10): Int16Array {
  const out = new Int16Array(samples);
  new ToneGenerator({ frequencies: [frequency], sampleRate, level }).fill(out);
  return out;
}
