import { describe, expect, it } from 'vitest';
import { OutputClock } from './output-clock.js';

/** A RandomUint32 that returns the given values in turn (SSRC, first seq, first ts). */
function fixed(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe('OutputClock', () => {
  it('starts at the injected random SSRC, sequence number and timestamp', () => {
    const c = new OutputClock({ samplesPerFrame: 160, random: fixed(0xdeadbeef, 0x1234_abcd, 0xfffffff0) });
    const s = c.next();
    expect(c.ssrc).toBe(0xdeadbeef);
    expect(s).toEqual({ seq: 0xabcd, ts: 0xfffffff0, marker: false });
  });

  it('advances seq by 1 and ts by one frame on every call, across both wraps, with the marker never set', () => {
    const c = new OutputClock({ samplesPerFrame: 160, random: fixed(7, 65530, 0xffffff00) });
    let prev = { ...c.next() };
    for (let i = 0; i < 20; i++) {
      const s = c.next();
      expect(s.seq).toBe((prev.seq + 1) % 65536);
      expect(s.ts).toBe((prev.ts + 160) % 2 ** 32);
      expect(s.marker).toBe(false);
      prev = { ...s };
    }
    expect(prev.seq).toBe(14); // 65530 + 20, wrapped
    expect(prev.ts).toBe((0xffffff00 + 20 * 160) % 2 ** 32);
  });

  it('returns one reused object (nothing allocated per packet)', () => {
    const c = new OutputClock({ samplesPerFrame: 960 });
    expect(c.next()).toBe(c.next());
    expect(c.current).toBe(c.next());
  });

  it('gives separate clocks separate random streams by default', () => {
    const a = new OutputClock({ samplesPerFrame: 160 });
    const b = new OutputClock({ samplesPerFrame: 160 });
    expect([a.ssrc, a.next().seq, a.current.ts]).not.toEqual([b.ssrc, b.next().seq, b.current.ts]);
  });

  it('writes marker, seq, ts and SSRC into an RTP header in network order and leaves the rest alone', () => {
    const c = new OutputClock({ samplesPerFrame: 160, random: fixed(0xcafebabe, 0x0102, 0xfedcba98) });
    const packet = Uint8Array.of(0x80, 0x80 | 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xd5, 0xd5);
    c.next();
    c.writeHeader(packet);
    expect([...packet]).toEqual([0x80, 8, 0x01, 0x02, 0xfe, 0xdc, 0xba, 0x98, 0xca, 0xfe, 0xba, 0xbe, 0xd5, 0xd5]);
    c.next();
    const at4 = new Uint8Array(16);
    c.writeHeader(at4, 4);
    expect(new DataView(at4.buffer).getUint16(6)).toBe(0x0103);
    expect(new DataView(at4.buffer).getUint32(8)).toBe(0xfedcbb38);
  });

  it('refuses a nonsensical frame size', () => {
    expect(() => new OutputClock({ samplesPerFrame: 0 })).toThrow(RangeError);
    expect(() => new OutputClock({ samplesPerFrame: 1.5 })).toThrow(RangeError);
  });
});
