import { describe, expect, it } from 'vitest';
import { goertzelPower, rms as rmsOf } from './goertzel.js';
import { Resampler, ResampleError, resample } from './resample.js';

/** A sine at `level` of full scale. */
function tone(freq: number, rate: number, samples: number, level = 0.5): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(level * 32767 * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** Amplitude (fraction of full scale) of `freq` in samples[start..]. */
function amplitudeAt(samples: Int16Array, rate: number, freq: number, start = 0): number {
  return Math.sqrt(goertzelPower(samples, rate, freq, start));
}

function rms(samples: Int16Array, start = 0): number {
  return rmsOf(samples.subarray(start));
}

const RATES = [8000, 16000, 48000];

describe('Resampler', () => {
  it('carries a 1 kHz tone 8k → 48k → 8k at the same frequency and level', () => {
    const input = tone(1000, 8000, 8000); // 1 s, amplitude 0.5
    const up = resample(input, 8000, 48000);
    expect(up.length).toBe(48000);
    const skipUp = 960; // past the filter's lead-in
    expect(amplitudeAt(up, 48000, 1000, skipUp)).toBeCloseTo(0.5, 2);
    // Nothing else: the images of 1 kHz around 8 and 16 kHz are filtered out.
    expect(amplitudeAt(up, 48000, 7000, skipUp)).toBeLessThan(0.001);
    expect(amplitudeAt(up, 48000, 9000, skipUp)).toBeLessThan(0.001);

    const back = resample(up, 48000, 8000);
    expect(back.length).toBe(8000);
    const skip = 160;
    expect(amplitudeAt(back, 8000, 1000, skip)).toBeCloseTo(0.5, 2);
    // All the energy is at 1 kHz: total RMS equals the tone's RMS (0.5/√2).
    expect(rms(back, skip)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    // A neighbouring frequency is absent (the tone did not move).
    expect(amplitudeAt(back, 8000, 1100, skip)).toBeLessThan(0.005);
  });

  it('keeps a tone in every direction between 8, 16 and 48 kHz', () => {
    for (const from of RATES) {
      for (const to of RATES) {
        const input = tone(1000, from, from / 2);
        const out = resample(input, from, to);
        expect(out.length, `${from}→${to}`).toBe(to / 2);
        expect(amplitudeAt(out, to, 1000, to / 50), `${from}→${to}`).toBeCloseTo(0.5, 2);
      }
    }
  });

  it('does not fold a 5 kHz tone into the 8 kHz band when going 48k → 8k', () => {
    const loud = tone(5000, 48000, 48000, 0.9);
    const out = resample(loud, 48000, 8000);
    // 5 kHz would alias to 3 kHz; anything there must be far below hearing it over a call.
    const alias = amplitudeAt(out, 8000, 3000, 160);
    expect(20 * Math.log10(alias / 0.9)).toBeLessThan(-60);
    expect(rms(out, 160)).toBeLessThan(0.9 * 0.001);
    // The same for 16k → 8k (5 kHz would land on 3 kHz) and 48k → 16k (11 kHz → 5 kHz).
    expect(amplitudeAt(resample(tone(5000, 16000, 16000, 0.9), 16000, 8000), 8000, 3000, 160)).toBeLessThan(0.9e-3);
    expect(amplitudeAt(resample(tone(11000, 48000, 48000, 0.9), 48000, 16000), 16000, 5000, 320)).toBeLessThan(0.9e-3);
  });

  it('passes 3 kHz (inside the telephone band) almost untouched when going 48k → 8k', () => {
    const out = resample(tone(3000, 48000, 48000), 48000, 8000);
    expect(amplitudeAt(out, 8000, 3000, 160)).toBeGreaterThan(0.5 * 0.97);
  });

  it('gives the same samples frame by frame as in one call (no clicks at frame edges)', () => {
    for (const from of RATES) {
      for (const to of RATES) {
        const input = tone(440, from, from / 5); // 200 ms, 10 frames of 20 ms
        const whole = new Resampler(from, to).process(input);
        const streamed = new Resampler(from, to);
        const frame = from / 50;
        const parts: number[] = [];
        const out = new Int16Array(streamed.maxOutputLength(frame));
        for (let off = 0; off < input.length; off += frame) {
          const n = streamed.processInto(input.subarray(off, off + frame), out);
          expect(n).toBe(to / 50);
          parts.push(...out.subarray(0, n));
        }
        expect(Int16Array.from(parts), `${from}→${to}`).toEqual(whole);
      }
    }
  });

  it('gives the same samples for odd chunk sizes, including chunks shorter than the filter', () => {
    const input = tone(700, 48000, 4800);
    const whole = resample(input, 48000, 8000);
    const r = new Resampler(48000, 8000);
    const parts: number[] = [];
    const sizes = [1, 7, 100, 5, 333, 2, 961];
    let off = 0;
    for (let k = 0; off < input.length; k++) {
      const size = sizes[k % sizes.length]!;
      parts.push(...r.process(input.subarray(off, off + size)));
      off += size;
    }
    expect(Int16Array.from(parts)).toEqual(whole);
  });

  it('reset() starts a new stream as if freshly made', () => {
    const r = new Resampler(8000, 16000);
    const a = r.process(tone(1000, 8000, 160));
    r.process(tone(300, 8000, 333));
    r.reset();
    expect(r.process(tone(1000, 8000, 160))).toEqual(a);
  });

  it('passes samples through unchanged at equal rates and clips instead of wrapping', () => {
    const input = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
    expect(resample(input, 16000, 16000)).toEqual(input);
    // A full-scale step overshoots (Gibbs ringing) after filtering; it must saturate, not wrap
    // round to a negative click.
    const step = new Int16Array(400).map((_, i) => (i < 80 ? -32768 : 32767));
    const r = new Resampler(8000, 48000);
    const out = r.process(step);
    const settled = out.subarray(80 * 6 + r.delay);
    expect(Math.min(...settled)).toBeGreaterThan(20000);
    expect(Math.max(...settled)).toBe(32767);
  });

  it('refuses rates it does not support', () => {
    expect(() => new Resampler(44100, 8000)).toThrow(ResampleError);
  });
});
