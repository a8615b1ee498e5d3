import { describe, expect, it } from 'vitest';
import { CodecError } from './codec.js';
import { createCodec } from './index.js';
import { l16DecodeInto, l16EncodeInto } from './l16.js';

describe('L16', () => {
  it('puts samples on the wire most significant byte first, two’s complement', () => {
    const out = new Uint8Array(8);
    expect(l16EncodeInto(Int16Array.of(0x1234, -2, 32767, -32768), out)).toBe(8);
    expect([...out]).toEqual([0x12, 0x34, 0xff, 0xfe, 0x7f, 0xff, 0x80, 0x00]);
  });

  it('reads them back, every 16-bit value, and ignores a stray odd byte', () => {
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const wire = new Uint8Array(2 * all.length + 1);
    l16EncodeInto(all, wire);
    wire[wire.length - 1] = 0x55;
    const back = new Int16Array(all.length);
    expect(l16DecodeInto(wire, back)).toBe(all.length);
    let mismatches = 0;
    for (let i = 0; i < all.length; i++) if (back[i] !== all[i]) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('runs at 8, 16 and 48 kHz with the RTP clock equal to the sample rate, as a dynamic type', () => {
    for (const [rate, pt] of [[8000, 97], [16000, 98], [48000, 99]] as const) {
      const c = createCodec('L16', { sampleRate: rate });
      expect([c.clockRate, c.sampleRate, c.payloadType, c.staticPayloadType]).toEqual([rate, rate, pt, false]);
      expect(c.samplesPerFrame(20)).toBe(rate / 50);
      expect(c.timestampsPerFrame(20)).toBe(rate / 50);
      expect(c.maxPayloadBytes(20)).toBe(rate / 25);
    }
    expect(createCodec('L16', { sampleRate: 16000, payloadType: 120 }).payloadType).toBe(120);
    expect(() => createCodec('L16', { sampleRate: 44100 })).toThrow(CodecError);
    expect(() => createCodec('L16')).toThrow(CodecError);
  });
});
