import { describe, expect, it } from 'vitest';
import { SendStream } from './send-stream.js';

/** seq, ts, ssrc and marker of a 12-byte header. */
function header(p: Uint8Array) {
  const v = new DataView(p.buffer, p.byteOffset, 12);
  return { marker: (p[1]! & 0x80) !== 0, pt: p[1]! & 0x7f, seq: v.getUint16(2), ts: v.getUint32(4), ssrc: v.getUint32(8) };
}

/** A deterministic random: SSRC 0x11223344, first seq 65534 (a wrap soon), first ts 2^32 - 320. */
function stream(): SendStream {
  const values = [0x11223344, 65534, 2 ** 32 - 320];
  return new SendStream({ unitsPerTick: 160, random: () => values.shift()! });
}

function relayed(seq: number, ts: number, ssrc: number, marker = false): Uint8Array {
  const p = new Uint8Array(172);
  const v = new DataView(p.buffer);
  p[0] = 0x80;
  p[1] = (marker ? 0x80 : 0) | 0;
  v.setUint16(2, seq);
  v.setUint32(4, ts);
  v.setUint32(8, ssrc);
  return p;
}

describe('SendStream', () => {
  it('stamps one packet per tick: seq +1 (wrapping), ts +160 (wrapping), one SSRC, marker only on the first', () => {
    const s = stream();
    const got: ReturnType<typeof header>[] = [];
    for (let i = 0; i < 4; i++) {
      s.tick();
      const p = new Uint8Array(12);
      s.writeFrameHeader(p, 8);
      got.push(header(p));
    }
    expect(got.map((h) => h.seq)).toEqual([65534, 65535, 0, 1]);
    expect(got.map((h) => h.ts)).toEqual([2 ** 32 - 320, 2 ** 32 - 160, 0, 160]);
    expect(new Set(got.map((h) => h.ssrc))).toEqual(new Set([0x11223344]));
    expect(got.map((h) => h.marker)).toEqual([true, false, false, false]);
    expect(got.every((h) => h.pt === 8)).toBe(true);
  });

  it('after ticks without a packet (direction forbade sending): seq +1, ts + the ticks elapsed, marker set', () => {
    const s = stream();
    const p = new Uint8Array(12);
    s.tick();
    s.writeFrameHeader(p, 0);
    const first = header(p);
    for (let i = 0; i < 5; i++) s.tick(); // 4 ticks sent nothing, the 5th sends
    s.writeFrameHeader(p, 0);
    const next = header(p);
    expect((next.seq - first.seq) & 0xffff).toBe(1);
    expect((next.ts - first.ts) >>> 0).toBe(5 * 160);
    expect(next.marker).toBe(true);
  });

  it('relayed packets keep their spacing (loss, reordering) and continue the stream across a source change', () => {
    const s = stream();
    const out = new Uint8Array(12);
    s.tick();
    s.writeFrameHeader(out, 0); // a mixed packet first
    const mixed = header(out);
    const a = [relayed(1000, 5000, 7), relayed(1001, 5160, 7), relayed(1003, 5480, 7), relayed(1002, 5320, 7)];
    s.tick();
    const got = a.map((p) => {
      s.rewriteRelayed(p, 0, 7, new DataView(p.buffer).getUint16(2), new DataView(p.buffer).getUint32(4) | 0);
      return header(p);
    });
    // The first relayed packet continues from the mixed one; the rest keep the upstream offsets.
    expect((got[0]!.seq - mixed.seq) & 0xffff).toBe(1);
    expect((got[0]!.ts - mixed.ts) >>> 0).toBe(160);
    expect(got[0]!.marker).toBe(true);
    expect(got.map((h) => (h.seq - got[0]!.seq) & 0xffff)).toEqual([0, 1, 3, 2]);
    expect(got.map((h) => (h.ts - got[0]!.ts) >>> 0)).toEqual([0, 160, 480, 320]);
    expect(new Set(got.map((h) => h.ssrc))).toEqual(new Set([0x11223344]));

    // The upstream restarts with a new SSRC and unrelated numbers: still one stream downstream.
    s.tick();
    const b = relayed(40, 999_999, 8);
    s.rewriteRelayed(b, 0, 8, 40, 999_999);
    const restarted = header(b);
    expect((restarted.seq - got[2]!.seq) & 0xffff).toBe(1);
    expect((restarted.ts - got[2]!.ts) >>> 0).toBe(160);
    expect(restarted.marker).toBe(true);
    expect(s.rebases).toBe(2);
  });

  it('telephone-event packets carry the timestamp of the event start, and move the sequence number', () => {
    const s = stream();
    const p = new Uint8Array(16);
    const seen: ReturnType<typeof header>[] = [];
    for (let i = 0; i < 3; i++) {
      s.tick();
      s.writeEventHeader(p, 101, i === 0, -i * 160);
      seen.push(header(p));
    }
    expect(new Set(seen.map((h) => h.ts)).size).toBe(1);
    expect(seen.map((h) => (h.seq - seen[0]!.seq) & 0xffff)).toEqual([0, 1, 2]);
    expect(seen.map((h) => h.marker)).toEqual([true, false, false]);
    s.tick();
    s.writeFrameHeader(p, 0);
    expect((header(p).ts - seen[0]!.ts) >>> 0).toBe(3 * 160); // audio resumes on the tick's time
  });
});
