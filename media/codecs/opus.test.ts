import { describe, expect, it } from 'vitest';
import { goertzelPower, rms } from '../dsp/goertzel.js';
import { ToneGenerator } from '../dsp/tone.js';
import { CodecError } from './codec.js';
import { createCodec } from './index.js';

/** Sends `frames` 20 ms frames of a tone through one Opus stream; returns what the far end decodes and the payload sizes. */
function roundTrip(frequency: number, sampleRate: number, frames: number): { out: Int16Array; sizes: number[] } {
  const codec = createCodec('opus', { sampleRate });
  const tone = new ToneGenerator({ frequencies: [frequency], sampleRate, level: -10 });
  const n = codec.samplesPerFrame(20);
  const frame = new Int16Array(n);
  const payload = new Uint8Array(codec.maxPayloadBytes(20));
  const out = new Int16Array(n * frames);
  const sizes: number[] = [];
  for (let k = 0; k < frames; k++) {
    tone.fill(frame);
    const bytes = codec.encode(frame, payload);
    sizes.push(bytes);
    expect(codec.decode(payload.subarray(0, bytes), out.subarray(k * n))).toBe(n);
  }
  return { out, sizes };
}

describe('Opus (RFC 7587, libopus)', () => {
  it('carries a 1 kHz tone at 48 kHz: same frequency, same level, nothing else', () => {
    const { out } = roundTrip(1000, 48000, 25);
    const settled = out.subarray(5 * 960); // past the codec's look-ahead and start-up
    const level = 10 * Math.log10(goertzelPower(settled, 48000, 1000));
    expect(level).toBeGreaterThan(-11.5);
    expect(level).toBeLessThan(-8.5);
    // Energy away from the tone is small: all of the RMS is the tone's.
    expect(goertzelPower(settled, 48000, 1500)).toBeLessThan(1e-4);
    expect(rms(settled)).toBeCloseTo(Math.sqrt(0.1 / 2), 2);
  });

  it('spends about the configured 32 kbit/s on it', () => {
    const { sizes } = roundTrip(1000, 48000, 25);
    const mean = sizes.slice(5).reduce((a, b) => a + b, 0) / 20;
    expect(mean).toBeGreaterThan(40); // > 16 kbit/s
    expect(mean).toBeLessThan(120); // < 48 kbit/s
  });

  it('runs natively at 16 kHz for wideband legs, still with a 48 kHz RTP clock', () => {
    const codec = createCodec('opus', { sampleRate: 16000 });
    expect([codec.clockRate, codec.sampleRate, codec.samplesPerFrame(20), codec.timestampsPerFrame(20)]).toEqual([48000, 16000, 320, 960]);
    const { out } = roundTrip(1000, 16000, 25);
    expect(10 * Math.log10(goertzelPower(out.subarray(5 * 320), 16000, 1000))).toBeGreaterThan(-11.5);
  });

  it('announces itself as RFC 7587 requires: opus/48000/2, dynamic payload type', () => {
    const c = createCodec('OPUS');
    expect([c.name, c.clockRate, c.rtpmapChannels, c.channels, c.payloadType, c.staticPayloadType]).toEqual(['opus', 48000, 2, 1, 111, false]);
    expect(c.fmtp).toBe('minptime=10;useinbandfec=1');
    expect(createCodec('opus', { fec: false }).fmtp).toBe('minptime=10');
  });

  it('refuses frames Opus cannot encode and buffers too small', () => {
    const c = createCodec('opus');
    expect(() => c.samplesPerFrame(25)).toThrow(CodecError);
    expect(() => c.encode(new Int16Array(1000), new Uint8Array(1500))).toThrow(CodecError);
    const payload = new Uint8Array(1500);
    const n = c.encode(new Int16Array(960), payload);
    expect(() => c.decode(payload.subarray(0, n), new Int16Array(480))).toThrow(CodecError);
    expect(() => createCodec('opus', { complexity: 11 })).toThrow(CodecError);
  });

  it('starts over after reset: the same input gives the same packet as a fresh stream', () => {
    const tone = new ToneGenerator({ frequencies: [700], sampleRate: 48000, level: -10 });
    const frame = new Int16Array(960);
    tone.fill(frame);
    const fresh = createCodec('opus');
    const first = new Uint8Array(1500);
    const n = fresh.encode(frame, first);
    const reused = createCodec('opus');
    const scratch = new Uint8Array(1500);
    for (let i = 0; i < 3; i++) reused.encode(new Int16Array(960).fill(1000 * i), scratch);
    reused.reset();
    const again = new Uint8Array(1500);
    expect(reused.encode(frame, again)).toBe(n);
    expect(again.subarray(0, n)).toEqual(first.subarray(0, n));
  });
});
