// Sample-rate conversion of a whole prompt at load time, from whatever rate the file has
// (22050 Hz from espeak-ng, 44100 Hz music…) to the rate a player sends at (8, 16 or 48 kHz).
//
// Between the telephony rates the shared streaming Resampler (media/dsp/resample.ts) does it,
// with its filter delay removed so a prompt starts on its first sample and loops stay in step.
// Other ratios go through band-limited interpolation (J. O. Smith, "Digital Audio Resampling"):
// each output sample at input time t is  y(t) = Σ_k x[k]·2fc·sinc(2fc·(t − k))·w(t − k),
// a Kaiser-windowed sinc read from a table, with the cut-off fc below the lower Nyquist frequency.
//
//      x[k] ─┬─┬─┬─┬─┬─┬─┬─     input samples (from Hz)
//               ▲ t = n·from/to  output sample n; taps within ±ZERO_CROSSINGS/(2fc) of t
//
// Both run in slices with a turn of the event loop between them, so converting minutes of music
// never delays a media tick by more than a slice (a few ms). Allocation: the output array and a
// slice buffer per conversion; this is load-time code, never called per frame.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Resampler } from '../dsp/resample.js';

const TELEPHONY_RATES = new Set([8000, 16000, 48000]);

/** Sinc zero crossings on each side of the centre: longer = steeper cut-off, more work. */
const ZERO_CROSSINGS = 12;
/** Table points per zero crossing (linear interpolation between them). */
const TABLE_RESOLUTION = 512;
/** Kaiser β ≈ 7: about 70 dB of stop-band attenuation. */
const KAISER_BETA = 7;
/** Cut-off as a fraction of the lower Nyquist frequency, leaving room for the transition band. */
const ROLLOFF = 0.9;
/** Output samples per slice between event-loop turns. */
const SLICE = 8000;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x / 2) * (x / 2);
  for (let k = 1; k < 60; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** sinc(u)·kaiser(u / ZERO_CROSSINGS) for u = i / TABLE_RESOLUTION, u in [0, ZERO_CROSSINGS]. */
function windowedSincTable(): Float64Array {
  const n = ZERO_CROSSINGS * TABLE_RESOLUTION;
  const table = new Float64Array(n + 2);
  const i0 = besselI0(KAISER_BETA);
  for (let i = 0; i <= n; i++) {
    const u = i / TABLE_RESOLUTION;
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    const r = u / ZERO_CROSSINGS;
    table[i] = (sinc * besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r)))) / i0;
  }
  return table;
}

/** `input` at `from` Hz as the same sound at `to` Hz: Math.round(input.length · to / from) samples. */
export async function convertRate(input: Int16Array, from: number, to: number): Promise<Int16Array> {
  if (from === to) return input;
  if (TELEPHONY_RATES.has(from) && TELEPHONY_RATES.has(to)) return viaResampler(input, from, to);
  return bandLimited(input, from, to);
}

async function viaResampler(input: Int16Array, from: number, to: number): Promise<Int16Array> {
  const r = new Resampler(from, to);
  const outLength = Math.round((input.length * to) / from);
  const out = new Int16Array(outLength);
  // One second of input per slice: a whole number of 20 ms frames, so no fractional phase.
  const slice = from;
  const buf = new Int16Array(r.maxOutputLength(slice));
  const zeros = new Int16Array(slice);
  let skip = r.delay;
  let written = 0;
  // The input, then silence to flush the filter's last `delay` samples out.
  const passes = Math.ceil(input.length / slice) + Math.ceil((r.delay * from) / to / slice) + 1;
  for (let p = 0; p < passes && written < outLength; p++) {
    const start = p * slice;
    const chunk = start < input.length ? input.subarray(start, Math.min(input.length, start + slice)) : zeros;
    const n = r.processInto(chunk, buf);
    const drop = Math.min(skip, n);
    skip -= drop;
    const take = Math.min(n - drop, outLength - written);
    out.set(buf.subarray(drop, drop + take), written);
    written += take;
    await nextTurn();
  }
  return out;
}

async function bandLimited(input: Int16Array, from: number, to: number): Promise<Int16Array> {
  const table = windowedSincTable();
  const outLength = Math.round((input.length * to) / from);
  const out = new Int16Array(outLength);
  const step = from / to;
  // Cut-off in cycles per input sample; half the filter's span in input samples.
  const fc = (ROLLOFF * Math.min(from, to)) / from / 2;
  const scale = 2 * fc;
  const halfWidth = ZERO_CROSSINGS / scale;
  const last = input.length - 1;
  for (let n0 = 0; n0 < outLength; n0 += SLICE) {
    const n1 = Math.min(outLength, n0 + SLICE);
    for (let n = n0; n < n1; n++) {
      const t = n * step;
      const k0 = Math.max(0, Math.ceil(t - halfWidth));
      const k1 = Math.min(last, Math.floor(t + halfWidth));
      let acc = 0;
      for (let k = k0; k <= k1; k++) {
        const x = (t > k ? t - k : k - t) * scale * TABLE_RESOLUTION;
        const i = x | 0;
        acc += input[k]! * (table[i]! + (table[i + 1]! - table[i]!) * (x - i));
      }
      const s = Math.round(acc * scale);
      out[n] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
    }
    await nextTurn();
  }
  return out;
}
