import { describe, expect, it } from 'vitest';
import { goertzelPower } from '../dsp/goertzel.js';
import { Resampler } from '../dsp/resample.js';
import { sine } from '../dsp/tone.js';
import { CODEC_NAMES, CodecError, codecInfo, codecName, createCodec } from './index.js';

describe('codec registry', () => {
  it('finds codecs by SDP encoding name, case-insensitively (RFC 4855 §3)', () => {
    expect(codecName('pcmu')).toBe('PCMU');
    expect(codecName('Opus')).toBe('opus');
    expect(codecName('g722')).toBe('G722');
    expect(codecName('G729')).toBeUndefined();
    expect(() => createCodec('G729')).toThrow(CodecError);
    expect(() => codecInfo('telephone-event')).toThrow(CodecError);
  });

  it('gives what SDP needs for each codec at 20 ms', () => {
    const rows = CODEC_NAMES.map((name) => {
      const info = codecInfo(name, { sampleRate: 16000 });
      const c = createCodec(name, { sampleRate: 16000 });
      return [name, info.payloadType, info.staticPayloadType, info.clockRate, c.samplesPerFrame(20), c.timestampsPerFrame(20)];
    });
    expect(rows).toEqual([
      ['PCMU', 0, true, 8000, 160, 160],
      ['PCMA', 8, true, 8000, 160, 160],
      ['G722', 9, true, 8000, 320, 160],
      ['opus', 111, false, 48000, 320, 960],
      ['L16', 98, false, 16000, 320, 320],
    ]);
  });

  it('reports a negotiated payload type instead of the default', () => {
    expect(createCodec('PCMU', { payloadType: 0 }).payloadType).toBe(0);
    expect(createCodec('G722', { payloadType: 9 }).payloadType).toBe(9);
    expect(createCodec('opus', { payloadType: 96 }).payloadType).toBe(96);
    expect(codecInfo('opus', { payloadType: 109 }).payloadType).toBe(109);
  });

  it('carries a 1 kHz tone through every codec, fed at the codec’s own rate via the resampler', () => {
    for (const name of CODEC_NAMES) {
      const codec = createCodec(name, { sampleRate: 48000 });
      const rate = codec.sampleRate;
      const source = sine(1000, 48000, 48000 / 2, -10); // 500 ms at 48 kHz, the mixer's rate
      const input = new Resampler(48000, rate).process(source);
      const n = codec.samplesPerFrame(20);
      const payload = new Uint8Array(codec.maxPayloadBytes(20));
      const out = new Int16Array(input.length);
      for (let off = 0; off + n <= input.length; off += n) {
        const bytes = codec.encode(input.subarray(off, off + n), payload);
        codec.decode(payload.subarray(0, bytes), out.subarray(off, off + n));
      }
      const settled = out.subarray(rate / 10);
      const level = 10 * Math.log10(goertzelPower(settled, rate, 1000));
      expect(level, name).toBeGreaterThan(-11.5);
      expect(level, name).toBeLessThan(-8.5);
      expect(goertzelPower(settled, rate, 1700), name).toBeLessThan(1e-4);
    }
  });
});
