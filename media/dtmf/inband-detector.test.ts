import { describe, expect, it } from 'vitest';
import { InbandDtmfDetector, fewestBlocks, type DetectedDigit } from './inband-detector.js';
import { dtmfAudio } from './generator.js';
import { ToneGenerator, sine } from '../dsp/tone.js';
import { resample } from '../dsp/resample.js';
import { alawDecode, alawEncode, ulawDecode, ulawEncode } from '../codecs/g711.js';

const RATE = 8000;
const ALL_DIGITS = '0123456789*#ABCD';

/** Runs audio through a detector in frames of `frame` samples; returns the digits reported. */
function detect(audio: Int16Array, o: { sampleRate?: number; frame?: number } = {}): DetectedDigit[] {
  const got: DetectedDigit[] = [];
  const d = new InbandDtmfDetector({ sampleRate: o.sampleRate ?? RATE, onDigit: (x) => got.push(x) });
  const frame = o.frame ?? 160;
  for (let at = 0; at < audio.length; at += frame) d.process(audio.subarray(at, Math.min(audio.length, at + frame)));
  d.flush();
  return got;
}
const digitsOf = (audio: Int16Array, o?: { sampleRate?: number; frame?: number }): string =>
  detect(audio, o)
    .map((d) => d.digit)
    .join('');

/** Deterministic white noise (xorshift32), Gaussian-ish by summing 4 uniforms, at `levelDbfs` RMS (AES17). */
function noise(samples: number, levelDbfs: number, seed = 0x9e3779b9): Int16Array {
  let s = seed >>> 0;
  const uniform = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000 - 0.5;
  };
  const target = 32767 * Math.pow(10, levelDbfs / 20) * Math.SQRT1_2; // RMS of a sine at that peak level
  const out = new Int16Array(samples);
  const scale = target / Math.sqrt(4 / 12);
  for (let i = 0; i < samples; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round((uniform() + uniform() + uniform() + uniform()) * scale)));
  return out;
}

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mix(a: Int16Array, b: Int16Array): Int16Array {
  return a.map((v, i) => Math.max(-32768, Math.min(32767, v + (b[i] ?? 0))));
}

/** A tone pair with separately chosen levels and frequencies, `ms` long. */
function pair(row: number, column: number, rowDbfs: number, columnDbfs: number, ms: number, rate = RATE): Int16Array {
  const n = Math.round((ms * rate) / 1000);
  return mix(sine(row, rate, n, rowDbfs), sine(column, rate, n, columnDbfs));
}

const silence = (ms: number, rate = RATE): Int16Array => new Int16Array(Math.round((ms * rate) / 1000));

describe('InbandDtmfDetector', () => {
  it('detects all sixteen digits, in order, once each, with their durations', () => {
    const got = detect(dtmfAudio(ALL_DIGITS, { sampleRate: RATE }));
    expect(got.map((d) => d.digit).join('')).toBe(ALL_DIGITS);
    for (const [i, d] of got.entries()) {
      // Measured in whole 13.25 ms blocks: a 100 ms tone fills 6 or 7 of them.
      expect(d.durationMs).toBeGreaterThanOrEqual(79.5);
      expect(d.durationMs).toBeLessThanOrEqual(100);
      expect(Math.abs(d.startSample - i * 1600)).toBeLessThan(2 * 106);
    }
  });

  it('detects digits that went through G.711 µ-law and A-law', () => {
    const audio = dtmfAudio('159#*0D', { sampleRate: RATE });
    expect(digitsOf(ulawDecode(ulawEncode(audio)))).toBe('159#*0D');
    expect(digitsOf(alawDecode(alawEncode(audio)))).toBe('159#*0D');
  });

  it('detects digits at -20 and -30 dBFS, through µ-law too', () => {
    for (const level of [-20, -30]) {
      const audio = dtmfAudio('2468', { sampleRate: RATE, level });
      expect(digitsOf(audio), `${level} dBFS`).toBe('2468');
      expect(digitsOf(ulawDecode(ulawEncode(audio))), `${level} dBFS µ-law`).toBe('2468');
    }
  });

  it('ignores tones too quiet to be DTMF (-45 dBFS)', () => {
    expect(digitsOf(dtmfAudio('2468', { sampleRate: RATE, level: -45 }))).toBe('');
  });

  it('detects digits under noise 20 dB below them', () => {
    const audio = dtmfAudio('3690', { sampleRate: RATE, level: -20 });
    expect(digitsOf(mix(audio, noise(audio.length, -40)))).toBe('3690');
  });

  it('hears no digits in white noise, a 1 kHz tone, or a speech-like harmonic glide', () => {
    for (const level of [-6, -20, -35]) expect(digitsOf(noise(5 * RATE, level, 12345 + level)), `noise ${level}`).toBe('');
    expect(digitsOf(sine(1000, RATE, 5 * RATE, -10))).toBe('');
    // A voiced sound: 30 harmonics of a pitch gliding 90 → 260 Hz, louder around 700 and 1200 Hz
    // (formants near DTMF frequencies), 5 s.
    const n = 5 * RATE;
    const voice = new Int16Array(n);
    let phase = 0;
    for (let i = 0; i < n; i++) {
      const f0 = 90 + (170 * i) / n;
      phase += (2 * Math.PI * f0) / RATE;
      let v = 0;
      for (let h = 1; h <= 30 && h * f0 < 3800; h++) {
        const f = h * f0;
        const formants = Math.exp(-(((f - 700) / 150) ** 2)) + Math.exp(-(((f - 1200) / 200) ** 2)) + 0.1;
        v += formants * Math.sin(h * phase);
      }
      voice[i] = Math.round(v * 4000);
    }
    expect(digitsOf(voice)).toBe('');
  });

  it('hears no digit in a lone row or column tone, or in two tones of the same group', () => {
    expect(digitsOf(sine(697, RATE, RATE, -10))).toBe('');
    expect(digitsOf(sine(1336, RATE, RATE, -10))).toBe('');
    expect(digitsOf(pair(697, 852, -10, -10, 1000))).toBe('');
  });

  it('always detects 40 ms tones with 40 ms gaps, wherever they fall in the blocks', () => {
    for (let shift = 0; shift < 106; shift += 7) {
      const audio = concat(new Int16Array(shift), dtmfAudio('1234', { sampleRate: RATE, toneMs: 40, gapMs: 40 }));
      expect(digitsOf(audio), `shifted by ${shift} samples`).toBe('1234');
    }
  });

  it('rejects blips shorter than two blocks (20 ms)', () => {
    for (let shift = 0; shift < 106; shift += 13) {
      const audio = concat(new Int16Array(shift), pair(770, 1336, -10, -10, 20), silence(100));
      expect(digitsOf(audio), `shifted by ${shift} samples`).toBe('');
    }
  });

  it('reports one press across 10 ms dropouts, two presses across a 40 ms pause, wherever they fall', () => {
    const eight = (ms: number): Int16Array => pair(852, 1336, -10, -10, ms);
    for (let shift = 0; shift < 106; shift += 5) {
      const lead = new Int16Array(shift);
      const dropouts = concat(lead, eight(100), silence(10), eight(30), silence(10), eight(30), silence(10), eight(100), silence(100));
      expect(digitsOf(dropouts), `dropouts, shifted by ${shift}`).toBe('8');
      const twice = concat(lead, eight(100), silence(40), eight(100), silence(100));
      expect(digitsOf(twice), `pause, shifted by ${shift}`).toBe('88');
    }
  });

  it('hears no digit when two keys of a column are pressed at once', () => {
    // 697 and 770 Hz 4 dB apart with 1209 Hz: "1" and "4" at once is neither.
    const both = mix(pair(697, 1209, -10, -10, 200), sine(770, RATE, 1600, -14));
    expect(digitsOf(concat(both, silence(60)))).toBe('');
  });

  it('reports a change of key without a pause as two digits', () => {
    expect(digitsOf(concat(pair(697, 1209, -10, -10, 100), pair(697, 1336, -10, -10, 100), silence(100)))).toBe('12');
  });

  it('accepts reverse twist up to 8 dB and forward twist up to 4 dB, not more', () => {
    const press = (rowDbfs: number, columnDbfs: number): string => digitsOf(concat(pair(770, 1477, rowDbfs, columnDbfs, 100), silence(60)));
    expect(press(-10, -17)).toBe('6'); // row 7 dB louder
    expect(press(-13, -10)).toBe('6'); // column 3 dB louder
    expect(press(-10, -20)).toBe(''); // row 10 dB louder
    expect(press(-16, -10)).toBe(''); // column 6 dB louder
  });

  it('accepts frequencies off by 1% + 2 Hz, and rejects them 3.5% off (ITU-T Q.24 non-operate)', () => {
    for (const sign of [-1, 1]) {
      for (const [row, column, digit] of [[941, 1633, 'D'], [697, 1209, '1'], [852, 1477, '9']] as const) {
        const near = (f: number): number => f + sign * (0.01 * f + 2);
        const far = (f: number): number => f + sign * 0.035 * f;
        expect(digitsOf(concat(pair(near(row), near(column), -10, -10, 100), silence(60))), `${digit} ${sign}`).toBe(digit);
        expect(digitsOf(concat(pair(far(row), far(column), -10, -10, 100), silence(60))), `${digit} ${sign}`).toBe('');
      }
    }
  });

  it('counts blocks correctly however a stretch falls across them', () => {
    const brute = (span: number, overlap: number, block: number): number => {
      let fewest = Infinity;
      for (let a = 0; a < block; a++) {
        let count = 0;
        for (let s = 0; s < a + span + block; s += block) if (Math.min(s + block, a + span) - Math.max(s, a) >= overlap) count++;
        fewest = Math.min(fewest, count);
      }
      return fewest;
    };
    for (const [span, overlap] of [[320, 85], [320, 22], [160, 85], [80, 22], [1, 1], [107, 1], [500, 106]] as const) {
      expect(fewestBlocks(span, overlap, 106), `${span}/${overlap}`).toBe(brute(span, overlap, 106));
    }
  });

  it('gives the same digits whatever the frame size', () => {
    const audio = dtmfAudio('A1B2', { sampleRate: RATE });
    for (const frame of [1, 80, 160, 333]) expect(digitsOf(audio, { frame })).toBe('A1B2');
  });

  it('works at 16 and 48 kHz, on generated and resampled audio', () => {
    expect(digitsOf(dtmfAudio('147*', { sampleRate: 16000 }), { sampleRate: 16000, frame: 320 })).toBe('147*');
    expect(digitsOf(resample(dtmfAudio('369#', { sampleRate: RATE }), RATE, 48000), { sampleRate: 48000, frame: 960 })).toBe('369#');
  });

  it('reports the key being held via current and onDigitStart, then the digit on release', () => {
    const events: string[] = [];
    const d = new InbandDtmfDetector({ onDigit: (x) => events.push(`end ${x.digit}`), onDigitStart: (x) => events.push(`start ${x}`) });
    const tone = pair(941, 1209, -10, -10, 100);
    d.process(tone);
    expect(d.current).toBe('*');
    expect(events).toEqual(['start *']);
    d.process(silence(60));
    expect(events).toEqual(['start *', 'end *']);
    expect(d.current).toBeNull();
  });

  it('needs at least 8 kHz audio', () => {
    expect(() => new InbandDtmfDetector({ sampleRate: 4000, onDigit: () => {} })).toThrow(RangeError);
  });

  it('hears a continuous dial-tone-like pair (350 + 440 Hz) and ringback (440 + 480 Hz) as no digit', () => {
    for (const frequencies of [[350, 440], [440, 480]]) {
      const out = new Int16Array(2 * RATE);
      new ToneGenerator({ frequencies, sampleRate: RATE, level: -10 }).fill(out);
      expect(digitsOf(out)).toBe('');
    }
  });
});
