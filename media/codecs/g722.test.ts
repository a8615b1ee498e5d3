import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { goertzelPower } from '../dsp/goertzel.js';
import { sine } from '../dsp/tone.js';
import { CodecError } from './codec.js';
import { G722Decoder } from './g722-decoder.js';
import { G722Encoder } from './g722-encoder.js';
import { createCodec } from './index.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/media/g722/', import.meta.url));
const NAMES = ['sweep', 'speechlike', 'loud'];

function pcm(file: string): Int16Array {
  const b = readFileSync(FIXTURES + file);
  const out = new Int16Array(b.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = b.readInt16LE(2 * i);
  return out;
}
const bytes = (file: string): Uint8Array => new Uint8Array(readFileSync(FIXTURES + file));

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

describe('G.722 against ffmpeg', () => {
  for (const name of NAMES) {
    it(`encodes ${name} to ffmpeg's bytes`, () => {
      const input = pcm(`${name}.s16`);
      const ref = bytes(`${name}.g722`);
      const enc = new G722Encoder();
      const out = new Uint8Array(input.length / 2);
      let n = 0;
      for (let off = 0; off < input.length; off += 320) n += enc.encodeInto(input.subarray(off, off + 320), out.subarray(n));
      expect(n).toBe(ref.length);
      expect(firstDifference(out, ref)).toBe(-1);
    });

    it(`decodes ${name} to ffmpeg's samples`, () => {
      const payload = bytes(`${name}.g722`);
      const ref = pcm(`${name}.dec.s16`);
      const dec = new G722Decoder();
      const out = new Int16Array(payload.length * 2);
      let n = 0;
      for (let off = 0; off < payload.length; off += 160) n += dec.decodeInto(payload.subarray(off, off + 160), out.subarray(n));
      expect(n).toBe(ref.length);
      expect(firstDifference(out, ref)).toBe(-1);
    });
  }
});

/** Best SNR (dB) of `out` against `ref` over delays 0..maxDelay (the QMF pair delays the signal). */
function alignedSnrDb(ref: Int16Array, out: Int16Array, maxDelay: number): { snr: number; delay: number } {
  let best = { snr: -Infinity, delay: -1 };
  for (let d = 0; d <= maxDelay; d++) {
    let s = 0;
    let e = 0;
    for (let i = 320; i + d < out.length; i++) {
      s += ref[i]! ** 2;
      e += (out[i + d]! - ref[i]!) ** 2;
    }
    const snr = 10 * Math.log10(s / e);
    if (snr > best.snr) best = { snr, delay: d };
  }
  return best;
}

function throughG722(input: Int16Array): Int16Array {
  const codec = createCodec('G722');
  const payload = new Uint8Array(codec.maxPayloadBytes(20));
  const out = new Int16Array(input.length);
  const frame = codec.samplesPerFrame(20);
  for (let off = 0; off < input.length; off += frame) {
    const n = codec.encode(input.subarray(off, off + frame), payload);
    codec.decode(payload.subarray(0, n), out.subarray(off, off + frame));
  }
  return out;
}

describe('G.722 as the far end hears it', () => {
  it('carries a 1 kHz tone and a 6 kHz tone (beyond narrowband) at their level', () => {
    for (const f of [1000, 6000]) {
      const out = throughG722(sine(f, 16000, 16000, -10));
      const level = 10 * Math.log10(goertzelPower(out, 16000, f, 1600));
      expect(level, `${f} Hz`).toBeGreaterThan(-11);
      expect(level, `${f} Hz`).toBeLessThan(-9);
      // Nothing at the mirror frequency across the 4 kHz band split (8000 − f).
      expect(goertzelPower(out, 16000, 8000 - f, 1600), `${f} Hz`).toBeLessThan(1e-4);
    }
  });

  it('keeps speech-like audio and a sweep clearly above the coding noise', () => {
    for (const name of ['sweep', 'speechlike']) {
      const input = pcm(`${name}.s16`);
      const { snr, delay } = alignedSnrDb(input, throughG722(input), 40);
      expect(delay, name).toBe(22); // the QMF pair's delay, as ffmpeg's encoder also reports
      expect(snr, name).toBeGreaterThan(name === 'sweep' ? 22 : 28);
    }
  });

  it('gives the same bytes frame by frame as in one call, and again after reset', () => {
    const input = pcm('speechlike.s16').subarray(0, 3200);
    const whole = new Uint8Array(1600);
    const enc = new G722Encoder();
    enc.encodeInto(input, whole);
    const framed = new Uint8Array(1600);
    const enc2 = new G722Encoder();
    for (let off = 0; off < input.length; off += 320) enc2.encodeInto(input.subarray(off, off + 320), framed.subarray(off / 2));
    expect(framed).toEqual(whole);
    enc.reset();
    const again = new Uint8Array(1600);
    enc.encodeInto(input, again);
    expect(again).toEqual(whole);
  });

  it('keeps separate streams apart: two codecs from the factory do not share state', () => {
    const a = createCodec('G722');
    const b = createCodec('G722');
    const frame = sine(440, 16000, 320, -10);
    const pa = new Uint8Array(160);
    const pb = new Uint8Array(160);
    a.encode(frame, pa);
    a.encode(frame, pa); // a is one frame further along
    b.encode(frame, pb);
    const pFresh = new Uint8Array(160);
    createCodec('G722').encode(frame, pFresh);
    expect(pb).toEqual(pFresh);
    expect(pa).not.toEqual(pb);
  });

  it('describes itself with the RFC 3551 clock-rate quirk and refuses half a sample pair', () => {
    const c = createCodec('g722');
    expect([c.payloadType, c.clockRate, c.sampleRate]).toEqual([9, 8000, 16000]);
    expect([c.samplesPerFrame(20), c.timestampsPerFrame(20), c.maxPayloadBytes(20)]).toEqual([320, 160, 160]);
    expect(() => c.encode(new Int16Array(321), new Uint8Array(200))).toThrow(CodecError);
    expect(() => c.decode(new Uint8Array(160), new Int16Array(319))).toThrow(CodecError);
  });
});
