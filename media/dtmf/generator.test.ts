import { describe, expect, it } from 'vitest';
import { DtmfGenerator, dtmfAudio } from './generator.js';
import { dominantFrequency, hasTone, isSilent, toneLevelDbfs } from '../../test/helpers/tone-analysis.js';

const RATE = 8000;
const ALL = [697, 770, 852, 941, 1209, 1336, 1477, 1633];

describe('DtmfGenerator', () => {
  it('plays each digit as its Q.23 row and column tones, and nothing else', () => {
    const cases: [string, number, number][] = [
      ['1', 697, 1209],
      ['5', 770, 1336],
      ['9', 852, 1477],
      ['*', 941, 1209],
      ['0', 941, 1336],
      ['#', 941, 1477],
      ['D', 941, 1633],
    ];
    for (const [digit, row, column] of cases) {
      const tone = dtmfAudio(digit, { sampleRate: RATE }).subarray(0, 800);
      for (const f of ALL) expect(hasTone(tone, RATE, f, -20), `${digit} at ${f} Hz`).toBe(f === row || f === column);
      expect(toneLevelDbfs(tone, RATE, row)).toBeCloseTo(-10, 0);
      expect(toneLevelDbfs(tone, RATE, column)).toBeCloseTo(-10, 0);
    }
  });

  it('gives each digit 100 ms of tone then 100 ms of silence, by default', () => {
    const audio = dtmfAudio('12', { sampleRate: RATE });
    expect(audio.length).toBe(3200);
    expect(hasTone(audio.subarray(0, 800), RATE, 1209, -12)).toBe(true);
    expect(isSilent(audio.subarray(800, 1600), -90)).toBe(true);
    expect(hasTone(audio.subarray(1600, 2400), RATE, 1336, -12)).toBe(true);
    expect(hasTone(audio.subarray(1600, 2400), RATE, 1209, -40)).toBe(false);
    expect(isSilent(audio.subarray(2400), -90)).toBe(true);
  });

  it('joins 20 ms frames seamlessly and reports when it has gone idle', () => {
    const g = new DtmfGenerator({ sampleRate: RATE });
    g.enqueue('7');
    const frames: Int16Array[] = [];
    const playing: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      const f = new Int16Array(160).fill(1234);
      playing.push(g.fill(f));
      frames.push(f);
    }
    expect(playing).toEqual([...Array(10).fill(true), false, false]);
    expect(g.busy).toBe(false);
    const joined = new Int16Array(1600);
    frames.slice(0, 10).forEach((f, i) => joined.set(f, i * 160));
    expect(joined).toEqual(dtmfAudio('7', { sampleRate: RATE }));
    expect(isSilent(frames[11]!, -90)).toBe(true); // idle frames are overwritten with silence
  });

  it('honours level, per-call timing and sample rate', () => {
    const g = new DtmfGenerator({ sampleRate: 16000, level: -20 });
    g.enqueue('3', { toneMs: 60, gapMs: 40 });
    const out = new Int16Array(1600);
    g.fill(out);
    expect(dominantFrequency(out.subarray(0, 960), 16000)).toBeGreaterThan(690);
    expect(toneLevelDbfs(out.subarray(0, 960), 16000, 1477, 60)).toBeCloseTo(-20, 0);
    expect(isSilent(out.subarray(960), -90)).toBe(true);
  });

  it('cancel() silences at once; bad digits are refused before anything is queued', () => {
    const g = new DtmfGenerator({ sampleRate: RATE });
    expect(() => g.enqueue('12z')).toThrow(RangeError);
    expect(g.busy).toBe(false);
    g.enqueue('123');
    g.fill(new Int16Array(160));
    g.cancel();
    const out = new Int16Array(160);
    expect(g.fill(out)).toBe(false);
    expect(isSilent(out, -90)).toBe(true);
  });
});
