import { describe, expect, it } from 'vitest';
import { goertzelPower } from './goertzel.js';
import { ToneGenerator, sine } from './tone.js';

const RATE = 8000;

function maxStep(samples: Int16Array): number {
  let max = 0;
  for (let i = 1; i < samples.length; i++) max = Math.max(max, Math.abs(samples[i]! - samples[i - 1]!));
  return max;
}

describe('ToneGenerator', () => {
  it('is phase-continuous across fill() calls: frames of any size join into the same waveform', () => {
    const frequencies = [697, 1209];
    const whole = new Int16Array(1600);
    new ToneGenerator({ frequencies, sampleRate: RATE }).fill(whole);

    const gen = new ToneGenerator({ frequencies, sampleRate: RATE });
    const joined = new Int16Array(1600);
    const sizes = [160, 37, 1, 160, 242];
    for (let at = 0, k = 0; at < joined.length; k++) {
      const frame = new Int16Array(Math.min(sizes[k % sizes.length]!, joined.length - at));
      gen.fill(frame);
      joined.set(frame, at);
      at += frame.length;
    }
    expect(joined).toEqual(whole);
  });

  it('has no jump at 20 ms frame edges larger than the steepest step inside a frame', () => {
    const gen = new ToneGenerator({ frequencies: [1000], sampleRate: RATE, level: 0 });
    const frames = [new Int16Array(160), new Int16Array(160), new Int16Array(160)];
    for (const f of frames) gen.fill(f);
    const inside = maxStep(frames[0]!);
    for (let k = 1; k < frames.length; k++) {
      const edge = Math.abs(frames[k]![0]! - frames[k - 1]![159]!);
      expect(edge).toBeLessThanOrEqual(inside);
    }
    // A 1 kHz sine at 8 kHz moves at most A·2·sin(π/8) ≈ 0.77·A per sample; a phase reset would not.
    expect(inside).toBeLessThan(0.78 * 32767);
  });

  it('plays each component at the requested level (-10 dBFS default)', () => {
    const out = new Int16Array(800); // 100 ms: fine enough to tell 350 Hz from 440 Hz
    new ToneGenerator({ frequencies: [350, 440], sampleRate: RATE }).fill(out);
    expect(10 * Math.log10(goertzelPower(out, RATE, 350))).toBeCloseTo(-10, 0);
    expect(10 * Math.log10(goertzelPower(out, RATE, 440))).toBeCloseTo(-10, 0);
    expect(goertzelPower(out, RATE, 620)).toBeLessThan(0.001);
  });

  it('respects the on/off cadence across frames: sound for onMs, exact silence for offMs, repeating', () => {
    const gen = new ToneGenerator({ frequencies: [440, 480], sampleRate: RATE, onMs: 100, offMs: 300 });
    const out = new Int16Array(2 * 3200 + 800); // two 400 ms cycles and the next burst
    for (let at = 0; at < out.length; at += 160) gen.fill(out.subarray(at, at + 160));
    for (const burst of [0, 3200, 6400]) {
      // 100 ms on = 800 samples: tone in the burst, nothing before or after it.
      expect(goertzelPower(out, RATE, 440, burst + 40, burst + 760)).toBeGreaterThan(0.08);
    }
    expect(out.subarray(800, 3200).some((s) => s !== 0)).toBe(false);
    expect(out.subarray(4000, 6400).some((s) => s !== 0)).toBe(false);
    // Every burst is the same waveform (restarted at phase 0).
    expect(out.subarray(3200, 4000)).toEqual(out.subarray(0, 800));
  });

  it('fades burst edges instead of clicking', () => {
    const out = new Int16Array(1600);
    new ToneGenerator({ frequencies: [1000], sampleRate: RATE, level: 0, onMs: 100, offMs: 100 }).fill(out);
    expect(Math.abs(out[799]!)).toBeLessThan(2000);
    expect(Math.abs(out[1]!)).toBeLessThan(2000);
  });

  it('is continuous when offMs is omitted or 0', () => {
    for (const o of [{ onMs: 100 }, { onMs: 100, offMs: 0 }, {}]) {
      const out = new Int16Array(2400);
      new ToneGenerator({ frequencies: [1000], sampleRate: RATE, ...o }).fill(out);
      expect(goertzelPower(out, RATE, 1000, 1600, 2400)).toBeGreaterThan(0.09);
    }
  });

  it('clips rather than wraps a sum above full scale', () => {
    const out = new Int16Array(400);
    new ToneGenerator({ frequencies: [500, 1000, 1500], sampleRate: RATE, level: 0 }).fill(out);
    expect(Math.max(...out)).toBe(32767);
    // Wrapping would flip a peak to a large negative value right after a large positive one.
    expect(maxStep(out)).toBeLessThan(65535 * 0.9);
  });

  it('fills a [start, end) range exactly like a separate frame', () => {
    const a = new ToneGenerator({ frequencies: [941, 1336], sampleRate: RATE, onMs: 50, offMs: 30 });
    const b = new ToneGenerator({ frequencies: [941, 1336], sampleRate: RATE, onMs: 50, offMs: 30 });
    const whole = new Int16Array(1000);
    a.fill(whole);
    const ranged = new Int16Array(1000).fill(7);
    for (let at = 0; at < 1000; at += 125) b.fill(ranged, at, at + 125);
    expect(ranged).toEqual(whole);
    const guard = new Int16Array(10).fill(7);
    new ToneGenerator({ frequencies: [1000], sampleRate: RATE }).fill(guard, 2, 5);
    expect([guard[0], guard[1], guard[5], guard[9]]).toEqual([7, 7, 7, 7]);
  });

  it('stays on frequency and level after ten minutes of 20 ms frames', () => {
    const gen = new ToneGenerator({ frequencies: [1000], sampleRate: RATE, level: -10 });
    const frame = new Int16Array(160);
    for (let i = 0; i < 30_000; i++) gen.fill(frame);
    const out = new Int16Array(800);
    gen.fill(out);
    expect(10 * Math.log10(goertzelPower(out, RATE, 1000))).toBeCloseTo(-10, 1);
    // 600 s × 1,000 Hz is a whole number of cycles: ten minutes on, the samples match the first frame's.
    const fresh = new Int16Array(800);
    new ToneGenerator({ frequencies: [1000], sampleRate: RATE, level: -10 }).fill(fresh);
    for (let i = 0; i < 800; i++) expect(Math.abs(out[i]! - fresh[i]!)).toBeLessThanOrEqual(1);
  });

  it('reset() restarts the waveform', () => {
    const gen = new ToneGenerator({ frequencies: [697], sampleRate: RATE });
    const a = new Int16Array(160);
    const b = new Int16Array(160);
    gen.fill(a);
    gen.fill(b);
    expect(b).not.toEqual(a);
    gen.reset();
    gen.fill(b);
    expect(b).toEqual(a);
  });

  it('refuses a frequency at or above Nyquist', () => {
    expect(() => new ToneGenerator({ frequencies: [4000], sampleRate: RATE })).toThrow(RangeError);
  });
});

describe('sine', () => {
  it('makes a sine of the requested peak level starting at phase 0', () => {
    const s = sine(1000, RATE, 8);
    expect(s[0]).toBe(0);
    expect(s[2]).toBe(Math.round(32767 * Math.pow(10, -10 / 20))); // the peak, a quarter period in
    expect(sine(1000, 48000, 480, -6).length).toBe(480);
  });
});
