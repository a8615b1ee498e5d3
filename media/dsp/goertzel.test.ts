import { describe, expect, it } from 'vitest';
import { goertzelPower, rms } from './goertzel.js';
import { sine } from './tone.js';

const RATE = 8000;

describe('goertzelPower', () => {
  it('finds a -10 dBFS 1 kHz sine at 1000 Hz and not at 1400 Hz', () => {
    const tone = sine(1000, RATE, 160, -10);
    const at1000 = goertzelPower(tone, RATE, 1000);
    const at1400 = goertzelPower(tone, RATE, 1400);
    expect(at1000).toBeCloseTo(0.1, 2); // -10 dBFS = 0.1 of full-scale power
    expect(at1400).toBeLessThan(at1000 / 1000);
  });

  it('reads a full-scale sine as ~1.0 at off-bin telephony frequencies, whatever the block length', () => {
    for (const f of [697, 941, 1209, 1633]) {
      for (const n of [80, 160, 205]) {
        const tone = sine(f, RATE, n, 0);
        expect(goertzelPower(tone, RATE, f)).toBeGreaterThan(0.97);
        expect(goertzelPower(tone, RATE, f)).toBeLessThan(1.03);
      }
    }
  });

  it('gives 0 for silence and for an empty window', () => {
    expect(goertzelPower(new Int16Array(160), RATE, 1000)).toBe(0);
    expect(goertzelPower(sine(1000, RATE, 160), RATE, 1000, 50, 50)).toBe(0);
  });

  it('measures only the [start, end) window', () => {
    const buf = new Int16Array(320);
    buf.set(sine(770, RATE, 160, -20), 160);
    expect(goertzelPower(buf, RATE, 770, 0, 160)).toBe(0);
    expect(goertzelPower(buf, RATE, 770, 160, 320)).toBeCloseTo(0.01, 3);
    expect(goertzelPower(buf, RATE, 770, 160)).toBeCloseTo(0.01, 3);
  });
});

describe('rms', () => {
  it('is 0 for silence, 0.5 for a half-scale DC level, ~0.707 of the peak for a sine', () => {
    expect(rms(new Int16Array(160))).toBe(0);
    expect(rms(new Int16Array(0))).toBe(0);
    expect(rms(new Int16Array(160).fill(16384))).toBeCloseTo(0.5, 6);
    expect(rms(sine(1000, RATE, 800, 0))).toBeCloseTo(Math.SQRT1_2, 3);
    expect(rms(sine(1000, RATE, 800, -20))).toBeCloseTo(0.1 * Math.SQRT1_2, 3);
  });
});
