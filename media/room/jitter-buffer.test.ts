import { describe, expect, it } from 'vitest';
import { JitterBuffer, type JitterBufferOptions } from './jitter-buffer.js';

/** A one-byte payload carrying the low byte of the sequence number, so a popped frame shows which packet it is. */
function payloadOf(seq: number): Uint8Array {
  return Uint8Array.of(seq & 0xff, (seq >> 8) & 0xff);
}

function jb(o: Partial<JitterBufferOptions> = {}): JitterBuffer {
  return new JitterBuffer({ clockRate: 8000, mode: 'fixed', ...o });
}

/** Pushes packet `seq` as sent at `ts = seq·160` (mod 2^32) and arriving at `arrivalMs`. */
function push(b: JitterBuffer, seq: number, arrivalMs = 0, ts = (seq & 0xffff) * 160): boolean {
  return b.push(seq & 0xffff, ts >>> 0, payloadOf(seq), arrivalMs);
}

/** Pops `n` times and returns what came out: the sequence number read back from the payload, or null. */
function popN(b: JitterBuffer, n: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const f = b.pop();
    if (f === null) out.push(null);
    else {
      expect(f.payload[0]! | (f.payload[1]! << 8)).toBe(f.seq);
      out.push(f.seq);
    }
  }
  return out;
}

describe('JitterBuffer', () => {
  it('holds packets until the target depth (40 ms), then plays them in order, one per pop', () => {
    const b = jb();
    expect(b.pop()).toBeNull();
    expect(b.lastMiss).toBe('empty');
    push(b, 100);
    expect(b.pop()).toBeNull(); // 20 ms held, target 40
    push(b, 101);
    expect(popN(b, 1)).toEqual([100]);
    push(b, 102);
    expect(popN(b, 1)).toEqual([101]);
    push(b, 103);
    expect(popN(b, 2)).toEqual([102, 103]);
    expect(b.toJSON()).toMatchObject({ played: 4, lost: 0, late: 0, duplicates: 0, reordered: 0, targetMs: 40 });
  });

  it('puts reordered packets back in sequence and counts them', () => {
    const b = jb({ targetMs: 120 });
    for (const s of [10, 12, 11, 14, 13, 15]) push(b, s);
    expect(popN(b, 6)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(b.toJSON()).toMatchObject({ reordered: 2, lost: 0, played: 6 });
  });

  it('accepts a packet overtaken before playout began, and plays it first', () => {
    const b = jb();
    push(b, 21);
    push(b, 20);
    expect(popN(b, 2)).toEqual([20, 21]);
  });

  it('drops duplicates, whether the first copy is still held or already played', () => {
    const b = jb();
    push(b, 1);
    expect(push(b, 1)).toBe(false);
    push(b, 2);
    expect(popN(b, 1)).toEqual([1]);
    expect(push(b, 1)).toBe(false);
    expect(popN(b, 1)).toEqual([2]);
    expect(b.toJSON()).toMatchObject({ duplicates: 2, late: 0, played: 2 });
  });

  it('conceals a missing packet as lost, and drops it as late when it turns up after its turn', () => {
    const b = jb({ targetMs: 80 });
    for (const s of [1, 2, 4, 5]) push(b, s);
    expect(popN(b, 2)).toEqual([1, 2]);
    expect(b.pop()).toBeNull();
    expect(b.lastMiss).toBe('lost');
    expect(push(b, 3)).toBe(false);
    expect(popN(b, 2)).toEqual([4, 5]);
    expect(b.toJSON()).toMatchObject({ lost: 1, late: 1, played: 4 });
  });

  it('plays across the 16-bit sequence wrap, reordered at the wrap', () => {
    const b = jb({ targetMs: 120 });
    for (const s of [65533, 65534, 0, 65535, 1, 2]) push(b, s);
    expect(popN(b, 6)).toEqual([65533, 65534, 65535, 0, 1, 2]);
    expect(b.toJSON()).toMatchObject({ reordered: 1, lost: 0, late: 0 });
  });

  it('reports a late packet across the wrap as late, not as a new source', () => {
    const b = jb();
    push(b, 65534);
    push(b, 65535);
    expect(popN(b, 1)).toEqual([65534]);
    push(b, 1);
    expect(popN(b, 1)).toEqual([65535]);
    push(b, 2);
    expect(popN(b, 1)).toEqual([null]);
    expect(push(b, 0)).toBe(false);
    expect(popN(b, 2)).toEqual([1, 2]);
    expect(b.toJSON()).toMatchObject({ late: 1, lost: 1, resets: 0, discarded: 0 });
  });

  it('restarts on a new source (a jump beyond MAX_DROPOUT confirmed by the next packet), and ignores a single stray', () => {
    const b = jb();
    for (let s = 1000; s < 1004; s++) push(b, s);
    expect(popN(b, 2)).toEqual([1000, 1001]);
    expect(push(b, 30000)).toBe(false); // a stray: discarded
    push(b, 1004);
    expect(popN(b, 3)).toEqual([1002, 1003, 1004]);
    // The new source: 40000 is discarded, 40001 confirms it and the stream starts over there.
    expect(push(b, 40000)).toBe(false);
    expect(push(b, 40001)).toBe(true);
    push(b, 40002);
    expect(popN(b, 3)).toEqual([40001, 40002, null]);
    expect(b.toJSON()).toMatchObject({ resets: 1, discarded: 2, late: 0 });
  });

  it('restarts on a large backward jump too (a source restarting at a lower sequence number)', () => {
    const b = jb();
    for (let s = 5000; s < 5003; s++) push(b, s);
    popN(b, 2);
    push(b, 100);
    push(b, 101);
    push(b, 102);
    expect(popN(b, 2)).toEqual([101, 102]);
    expect(b.toJSON()).toMatchObject({ resets: 1 });
  });

  it('drains a burst after a pause back to the target depth, keeping the newest', () => {
    const b = jb();
    let t = 0;
    for (let s = 0; s < 5; s++) {
      push(b, s, (t += 20));
      b.pop();
    }
    // A 300 ms stall, then 15 packets at once.
    expect(popN(b, 5).filter((x) => x !== null)).toEqual([4]);
    expect(b.toJSON().underruns).toBe(1);
    for (let s = 5; s < 20; s++) push(b, s, t + 300);
    expect(popN(b, 2)).toEqual([18, 19]);
    expect(b.toJSON()).toMatchObject({ drained: 13, lost: 0 });
  });

  it('never holds more than maxMs: a burst deeper than that keeps the newest packets', () => {
    const b = jb({ maxMs: 200 });
    for (let s = 0; s < 30; s++) push(b, s);
    expect(b.toJSON().depthMs).toBeLessThanOrEqual(200);
    expect(b.toJSON().drained).toBe(20);
  });

  it('plays a lone last packet after it has waited the target (no successor is coming)', () => {
    const b = jb();
    push(b, 7);
    expect(popN(b, 3)).toEqual([null, null, 7]);
  });

  it('counts a timestamp jump (a new source behind the same sequence) without losing a packet', () => {
    const b = jb({ mode: 'adaptive' });
    push(b, 1, 0, 160);
    push(b, 2, 20, 320);
    push(b, 3, 40, 9_000_000);
    push(b, 4, 60, 9_000_160);
    expect(popN(b, 4)).toEqual([1, 2, 3, 4]);
    expect(b.toJSON()).toMatchObject({ timestampJumps: 1, lost: 0 });
    expect(b.jitterMs).toBeLessThan(1);
  });

  it('copies the payload: the caller may reuse its receive buffer', () => {
    const b = jb();
    const buf = Uint8Array.of(1, 2, 3);
    b.push(1, 160, buf, 0);
    buf.fill(9);
    b.push(2, 320, buf, 20);
    expect([...b.pop()!.payload]).toEqual([1, 2, 3]);
    expect([...b.pop()!.payload]).toEqual([9, 9, 9]);
  });

  it('refuses payloads larger than maxPayloadBytes', () => {
    const b = jb({ maxPayloadBytes: 160 });
    expect(b.push(1, 0, new Uint8Array(161), 0)).toBe(false);
    expect(b.toJSON().oversize).toBe(1);
  });

  it('adaptive: the target follows the measured jitter, while a fixed buffer stays at its target', () => {
    const adaptive = jb({ mode: 'adaptive' });
    const fixed = jb({ mode: 'fixed' });
    // Every other packet 30 ms late: |D| = 30 ms for each pair, so J tends to 30 ms.
    for (let s = 0; s < 200; s++) {
      const arrival = s * 20 + (s % 2 === 0 ? 0 : 30);
      push(adaptive, s, arrival);
      push(fixed, s, arrival);
      adaptive.pop();
      fixed.pop();
    }
    expect(adaptive.jitterMs).toBeGreaterThan(25);
    expect(adaptive.targetMs).toBeGreaterThanOrEqual(100);
    expect(adaptive.targetMs).toBeLessThanOrEqual(200);
    expect(fixed.targetMs).toBe(40);
  });

  it('adaptive: a late packet raises the target by one frame', () => {
    const b = jb({ mode: 'adaptive' });
    push(b, 1, 20);
    push(b, 2, 40);
    expect(popN(b, 1)).toEqual([1]);
    push(b, 4, 80);
    expect(popN(b, 2)).toEqual([2, null]);
    expect(b.targetMs).toBe(40);
    push(b, 3, 100);
    expect(b.targetMs).toBe(60);
  });

  it('forgets the stream on reset() (the engine saw a new SSRC)', () => {
    const b = jb();
    push(b, 10);
    push(b, 11);
    b.reset();
    expect(b.pop()).toBeNull();
    push(b, 500);
    push(b, 501);
    expect(popN(b, 2)).toEqual([500, 501]);
    expect(b.toJSON().resets).toBe(1);
  });

  it('handles a 10 ms ptime: twice the packets for the same depth', () => {
    const b = jb({ frameMs: 10 });
    for (const s of [1, 2, 3]) push(b, s);
    expect(popN(b, 1)).toEqual([null]);
    push(b, 4);
    expect(popN(b, 1)).toEqual([1]);
    expect(b.toJSON().depthMs).toBe(30);
  });
});
