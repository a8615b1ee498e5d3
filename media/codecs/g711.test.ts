import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { goertzelPower } from '../dsp/goertzel.js';
import { sine } from '../dsp/tone.js';
import {
  PCMA,
  PCMU,
  alawDecode,
  alawDecodeSample,
  alawEncode,
  alawEncodeSample,
  ulawDecode,
  ulawDecodeSample,
  ulawEncode,
  ulawEncodeSample,
} from './g711.js';
import { CodecError } from './codec.js';

const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);
const ALL_SAMPLES = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const sha256 = (a: ArrayBufferView): string =>
  createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

/** Signal-to-noise ratio in dB of `out` against `ref`. */
function snrDb(ref: Int16Array, out: Int16Array): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < ref.length; i++) {
    s += ref[i]! * ref[i]!;
    e += (out[i]! - ref[i]!) ** 2;
  }
  return 10 * Math.log10(s / e);
}

describe('G.711 µ-law (PCMU)', () => {
  it('encodes the reference values (Sun g711.c / ITU-T G.711 table 2)', () => {
    // 0 is the positive-zero code; the extremes take the top codes; 1000 lands in segment 3, step 1.
    const cases: [number, number][] = [
      [0, 0xff], [-1, 0x7e], [32767, 0x80], [-32768, 0x00], [32124, 0x80], [-32124, 0x00],
      [1000, 0xce], [-1000, 0x4e], [2, 0xff], [4, 0xfe], [8, 0xfe], [12, 0xfd], [-4, 0x7e],
    ];
    for (const [x, code] of cases) expect(ulawEncodeSample(x), `encode(${x})`).toBe(code);
  });

  it('decodes every code as ffmpeg and sox do', () => {
    const cases: [number, number][] = [
      [0x00, -32124], [0x7f, 0], [0x80, 32124], [0xff, 0], [0x7e, -8], [0x01, -31100], [0xce, 988],
    ];
    for (const [code, x] of cases) expect(ulawDecodeSample(code), `decode(0x${code.toString(16)})`).toBe(x);
    // sha256 of ffmpeg's and sox's decoding of the codes 0..255 (s16le), identical for both.
    expect(sha256(ulawDecode(ALL_CODES))).toBe('3dab54339e520bb2c924826e3b72a917a2b612e9fd12fc867500f1d983a75827');
  });

  it('round-trips every 16-bit sample within half a step of its segment, and keeps order', () => {
    const decoded = ulawDecode(ulawEncode(ALL_SAMPLES));
    for (let i = 0; i < ALL_SAMPLES.length; i++) {
      const x = ALL_SAMPLES[i]!;
      const mag = Math.min(Math.abs(x), 32635);
      // Segment s spans biased magnitudes (x + 132) in [128·2^s, 256·2^s) in steps of 8·2^s; the
      // 14-bit truncation adds up to 4 (and may tip x into the next segment: take the larger);
      // beyond the clip level the error grows with the overshoot.
      const segOf = (m: number): number => Math.floor(Math.log2((Math.min(m, 32635) + 132) / 128));
      const seg = Math.max(segOf(mag), segOf(Math.abs(decoded[i]!)));
      const bound = (8 << seg) / 2 + 4 + (Math.abs(x) - mag);
      if (Math.abs(decoded[i]! - x) > bound) expect.fail(`x=${x} decoded to ${decoded[i]} (bound ${bound})`);
      if (i > 0 && decoded[i]! < decoded[i - 1]!) expect.fail(`not monotonic at ${x}`);
    }
  });

  it('carries a -10 dBFS tone with about 38 dB SNR, as a logarithmic 8-bit code should', () => {
    const tone = sine(1000, 8000, 8000, -10);
    expect(snrDb(tone, ulawDecode(ulawEncode(tone)))).toBeGreaterThan(35);
    // Still well above 30 dB 30 dB lower down: that is what companding buys over 8-bit linear.
    const quiet = sine(1000, 8000, 8000, -40);
    expect(snrDb(quiet, ulawDecode(ulawEncode(quiet)))).toBeGreaterThan(30);
  });
});

describe('G.711 A-law (PCMA)', () => {
  it('encodes the reference values (Sun g711.c / ITU-T G.711 table 1)', () => {
    const cases: [number, number][] = [
      [0, 0xd5], [-1, 0x55], [32767, 0xaa], [-32768, 0x2a], [1000, 0xfa], [-1000, 0x7a], [8, 0xd5], [16, 0xd4], [-8, 0x55], [-9, 0x55], [-17, 0x54],
    ];
    for (const [x, code] of cases) expect(alawEncodeSample(x), `encode(${x})`).toBe(code);
  });

  it('decodes every code as ffmpeg and sox do', () => {
    const cases: [number, number][] = [
      [0xd5, 8], [0x55, -8], [0xaa, 32256], [0x2a, -32256], [0xfa, 1008], [0x80, 5504], [0x00, -5504],
    ];
    for (const [code, x] of cases) expect(alawDecodeSample(code), `decode(0x${code.toString(16)})`).toBe(x);
    expect(sha256(alawDecode(ALL_CODES))).toBe('e04788d110e58ff8c70c93b8480190d973e3b67876b6119abbaec766cc75c174');
  });

  it('round-trips every 16-bit sample within half a step of its segment, and keeps order', () => {
    const decoded = alawDecode(alawEncode(ALL_SAMPLES));
    for (let i = 0; i < ALL_SAMPLES.length; i++) {
      const x = ALL_SAMPLES[i]!;
      const mag = Math.abs(x);
      // Segments 0 and 1 step by 16, segment s ≥ 1 spans [256·2^(s-1), 256·2^s) in steps of 16·2^(s-1).
      const seg = mag < 512 ? 1 : Math.floor(Math.log2(mag / 256)) + 1;
      const bound = (16 << (seg - 1)) / 2 + 8;
      if (Math.abs(decoded[i]! - x) > bound) expect.fail(`x=${x} decoded to ${decoded[i]} (bound ${bound})`);
      if (i > 0 && decoded[i]! < decoded[i - 1]!) expect.fail(`not monotonic at ${x}`);
    }
  });

  it('carries a -10 dBFS tone with about 38 dB SNR', () => {
    const tone = sine(1000, 8000, 8000, -10);
    expect(snrDb(tone, alawDecode(alawEncode(tone)))).toBeGreaterThan(35);
  });
});

describe('G.711 as an RTP codec', () => {
  it('describes PCMU and PCMA as RFC 3551 assigns them', () => {
    expect([PCMU.payloadType, PCMU.clockRate, PCMU.samplesPerFrame(20), PCMU.maxPayloadBytes(20)]).toEqual([0, 8000, 160, 160]);
    expect([PCMA.payloadType, PCMA.clockRate, PCMA.timestampsPerFrame(30)]).toEqual([8, 8000, 240]);
    expect(() => PCMU.samplesPerFrame(0.01)).toThrow(CodecError);
  });

  it('encodes a 20 ms frame into the caller’s buffer and back, and the far end hears the tone', () => {
    const frame = sine(1000, 8000, 160, -10);
    const payload = new Uint8Array(160);
    const pcm = new Int16Array(160);
    for (const codec of [PCMU, PCMA]) {
      expect(codec.encode(frame, payload)).toBe(160);
      expect(codec.decode(payload, pcm)).toBe(160);
      expect(10 * Math.log10(goertzelPower(pcm, 8000, 1000))).toBeCloseTo(-10, 0);
      expect(goertzelPower(pcm, 8000, 2000)).toBeLessThan(1e-4);
    }
  });

  it('refuses a buffer too small instead of dropping audio', () => {
    expect(() => PCMU.encode(new Int16Array(160), new Uint8Array(159))).toThrow(CodecError);
    expect(() => PCMA.decode(new Uint8Array(160), new Int16Array(80))).toThrow(CodecError);
  });
});
