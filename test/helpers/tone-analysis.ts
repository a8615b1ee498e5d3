// What does the far end hear? Frequency and level checks on received audio, for integration tests
// of the mixer, player and codecs: assert by frequency and energy, never by bytes.
//
// Levels are dBFS in the AES17 sense: a sine whose peak is full scale reads 0 dBFS, so a sine made
// with ToneGenerator/sine() at level L reads L here too (RMS-based levels are +3 dB over raw RMS).
import { goertzelPower, rms } from '../../media/dsp/goertzel.js';

/** Level of the whole signal, dBFS (AES17: full-scale sine = 0); -Infinity for digital silence. */
export function levelDbfs(samples: Int16Array): number {
  const r = rms(samples);
  return r === 0 ? -Infinity : 20 * Math.log10(r * Math.SQRT2);
}

/** True when the signal is no louder than maxDbfs overall (default -50 dBFS). */
export function isSilent(samples: Int16Array, maxDbfs = -50): boolean {
  return levelDbfs(samples) <= maxDbfs;
}

/**
 * The strongest frequency in the signal, Hz (0 for silence). A Hann-windowed FFT over the longest
 * power-of-two stretch (up to 2^16 samples) from the middle of the buffer, refined by parabolic
 * interpolation between bins: good to a few Hz for a steady tone.
 */
export function dominantFrequency(samples: Int16Array, rate: number): number {
  let n = 1;
  while (n * 2 <= samples.length && n < 65536) n *= 2;
  if (n < 64) throw new Error(`need at least 64 samples to find a frequency, got ${samples.length}`);
  const offset = (samples.length - n) >> 1;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = samples[offset + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  fft(re, im);
  const mag = new Float64Array(n / 2);
  let best = 1;
  for (let k = 1; k < n / 2; k++) {
    mag[k] = Math.hypot(re[k]!, im[k]!);
    if (mag[k]! > mag[best]!) best = k;
  }
  if (mag[best]! === 0) return 0;
  let delta = 0;
  if (best > 1 && best < n / 2 - 1) {
    // Parabola through the log magnitudes of the peak bin and its neighbours.
    const a = Math.log(mag[best - 1]! + 1e-12);
    const b = Math.log(mag[best]! + 1e-12);
    const c = Math.log(mag[best + 1]! + 1e-12);
    const denominator = a - 2 * b + c;
    if (denominator !== 0) delta = (0.5 * (a - c)) / denominator;
  }
  return ((best + delta) * rate) / n;
}

/**
 * Level of `frequency` in the signal, dBFS: the loudest it is in any 50 ms window (the whole buffer
 * if shorter), measured by a Goertzel filter (about ±20 Hz wide at 50 ms). -Infinity if never present.
 */
export function toneLevelDbfs(samples: Int16Array, rate: number, frequency: number, windowMs = 50): number {
  // No audio at all: nothing is heard (and a zero-length window would never advance).
  if (samples.length === 0) return -Infinity;
  const window = Math.min(samples.length, Math.max(1, Math.round((windowMs * rate) / 1000)));
  let best = 0;
  for (let start = 0; start + window <= samples.length; start += window) {
    best = Math.max(best, goertzelPower(samples, rate, frequency, start, start + window));
  }
  return best === 0 ? -Infinity : 10 * Math.log10(best);
}

/**
 * True when `frequency` is heard at minDbfs or louder (default -40) in at least one 50 ms window.
 * "Any window" makes !hasTone() a strict check: a tone that must not be heard is absent throughout.
 */
export function hasTone(samples: Int16Array, rate: number, frequency: number, minDbfs = -40): boolean {
  return toneLevelDbfs(samples, rate, frequency) >= minDbfs;
}

/** In-place iterative radix-2 FFT (n a power of two). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const wr = Math.cos(step * k);
        const wi = Math.sin(step * k);
        const a = start + k;
        const b = a + size / 2;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}
