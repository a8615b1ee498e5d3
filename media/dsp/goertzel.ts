// Energy measurements over 16-bit PCM: the Goertzel filter (the power at one frequency) and RMS.
//
// The Goertzel recurrence  s[n] = x[n] + 2cos(ω)·s[n-1] − s[n-2]  leaves, after N samples,
//   |X(ω)|² = s[N-1]² + s[N-2]² − 2cos(ω)·s[N-1]·s[N-2]
// where X(ω) is the DTFT of the block at ω = 2πf/fs. Unlike an FFT bin, f need not be a multiple
// of fs/N: DTMF and call-progress frequencies (697 Hz, 1209 Hz, 440 Hz…) never are.
//
// Nothing here allocates: the functions read the caller's samples in place, so detectors may call
// them on every 10/20 ms block of every call.

/** 1 / 32768: maps Int16 samples onto [-1, 1). */
const INV_FULL_SCALE = 1 / 32768;

/**
 * Power at `frequency` in samples[start, end), normalised so that a full-scale sine at exactly that
 * frequency gives ~1.0 (the square of its peak amplitude, 0..1) and silence gives 0. A sine at
 * -10 dBFS gives ~0.1, at -20 dBFS ~0.01: 10·log10(power) is the tone's level in dBFS.
 *
 * The result is the squared magnitude scaled by (2/N)², so it does not depend on the block length;
 * frequency resolution does (the main lobe is about 2·fs/N wide: 100 Hz for 160 samples at 8 kHz).
 * Allocates nothing.
 */
export function goertzelPower(
  samples: Int16Array,
  sampleRate: number,
  frequency: number,
  start = 0,
  end: number = samples.length,
): number {
  const from = Math.max(0, start | 0);
  const to = Math.min(samples.length, end | 0);
  const n = to - from;
  if (n <= 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = samples[i]! * INV_FULL_SCALE + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const magnitudeSquared = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // |X| of a sine of amplitude A over N samples is ≈ A·N/2; (2|X|/N)² is therefore ≈ A².
  const power = (4 * magnitudeSquared) / (n * n);
  return power > 0 ? power : 0; // rounding can leave -1e-17 for silence
}

/**
 * Root mean square of the samples as a fraction of full scale (0..1). A full-scale square wave is
 * 1.0; a full-scale sine is ~0.707 (so RMS in dBFS of a sine reads 3 dB below its peak level).
 * Allocates nothing.
 */
export function rms(samples: Int16Array): number {
  const n = samples.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = samples[i]!;
    sum += v * v;
  }
  return Math.sqrt(sum / n) * INV_FULL_SCALE;
}
