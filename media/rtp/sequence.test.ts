// Receive-side sequence tracking (RFC 3550 A.1) and jitter (A.8): what a receiver counts
// as lost, late, duplicated or restarted, and the jitter a known arrival pattern gives.
import { describe, expect, it } from 'vitest';
import { InterarrivalJitter } from './jitter.js';
import { SeqResult, SequenceTracker } from './sequence.js';

const names = Object.fromEntries(Object.entries(SeqResult).map(([k, v]) => [v, k]));
function feed(t: SequenceTracker, seqs: number[]): string[] {
  return seqs.map((s) => names[t.update(s)]!);
}

describe('SequenceTracker (RFC 3550 A.1)', () => {
  it('keeps a new source on probation until MIN_SEQUENTIAL packets arrive in sequence', () => {
    const t = new SequenceTracker();
    expect(feed(t, [500, 501, 502])).toEqual(['Probation', 'InOrder', 'InOrder']);
    // A.1 re-bases on the packet that ends probation: 501 is the first counted.
    expect([t.valid, t.received, t.expected, t.lost]).toEqual([true, 2, 2, 0]);
  });

  it('restarts probation when the first packets are not sequential', () => {
    const t = new SequenceTracker();
    expect(feed(t, [10, 12, 13])).toEqual(['Probation', 'Probation', 'InOrder']);
    expect(t.valid).toBe(true);
  });

  it('with minSequential 1 accepts a source on its first packet', () => {
    const t = new SequenceTracker(1);
    expect(feed(t, [7])).toEqual(['InOrder']);
    expect([t.received, t.expected]).toEqual([1, 1]);
  });

  it('counts cycles across the 16-bit wrap in the extended highest sequence number', () => {
    const t = new SequenceTracker(1);
    feed(t, [65533, 65534, 65535, 0, 1, 2]);
    expect(t.extendedMax).toBe(65536 + 2);
    expect([t.expected, t.received, t.lost]).toEqual([6, 6, 0]);
  });

  it('counts the numbers a gap skips as lost, and one gap per run', () => {
    const t = new SequenceTracker(1);
    feed(t, [100, 101, 104, 105, 107]);
    expect([t.expected, t.received, t.lost, t.gaps, t.gapPackets]).toEqual([8, 5, 3, 2, 3]);
  });

  it('tells a late packet (reordered, fills its gap) from a duplicate', () => {
    const t = new SequenceTracker(1);
    expect(feed(t, [100, 101, 103, 102, 102, 103, 101])).toEqual(['InOrder', 'InOrder', 'InOrder', 'Reordered', 'Duplicate', 'Duplicate', 'Duplicate']);
    expect([t.reordered, t.duplicates]).toEqual([1, 3]);
    // A.1 counts duplicates as received, so loss goes negative rather than hiding them.
    expect(t.lost).toBe(-3);
  });

  it('recognises duplicates across the wrap', () => {
    const t = new SequenceTracker(1);
    expect(feed(t, [65534, 65535, 0, 65535, 1, 0])).toEqual(['InOrder', 'InOrder', 'InOrder', 'Duplicate', 'InOrder', 'Duplicate']);
  });

  it('drops one packet that jumps far ahead, and resyncs when the next one follows it (a restarted source)', () => {
    const t = new SequenceTracker(1);
    expect(feed(t, [100, 101, 9000, 102])).toEqual(['InOrder', 'InOrder', 'Jump', 'InOrder']);
    expect([t.jumps, t.restarts, t.lost]).toEqual([1, 0, 0]);
    expect(feed(t, [20000, 20001, 20002])).toEqual(['Jump', 'Restart', 'InOrder']);
    expect(t.restarts).toBe(1);
    // Counters start over from the restart (A.1 init_seq).
    expect([t.received, t.expected, t.lost]).toEqual([2, 2, 0]);
  });

  it('treats a step back of more than MAX_MISORDER (100) as a jump, not a late packet', () => {
    const t = new SequenceTracker(1);
    feed(t, [1000, 1001]);
    expect(feed(t, [850, 851])).toEqual(['Jump', 'Restart']);
  });

  it('forgets the source on reset (new SSRC) and puts the next on probation', () => {
    const t = new SequenceTracker();
    feed(t, [1, 2, 3]);
    t.reset();
    expect(t.valid).toBe(false);
    expect(feed(t, [40000, 40001])).toEqual(['Probation', 'InOrder']);
  });
});

describe('InterarrivalJitter (RFC 3550 A.8)', () => {
  it('equals the A.8 recurrence worked by hand for known arrival offsets', () => {
    // 8 kHz, 20 ms packets (ts +160); arrival times in ms with deviations of 5 and 10 ms.
    const j = new InterarrivalJitter(8000);
    const arrivals = [0, 20, 45, 60, 80, 110];
    arrivals.forEach((ms, i) => j.update(1000 + 160 * i, 5000 + ms));
    // D: 0, 40, 40, 0, 80 (units of 1/8000 s). J = J + (|D| - J)/16:
    //   0 → 0 → 2.5 → 2.5 + 37.5/16 = 4.84375 → 4.84375·15/16 = 4.541015625
    //   → 4.541015625 + (80 - 4.541015625)/16 = 9.2572021484375
    expect(j.units).toBe(9);
    expect(j.ms).toBeCloseTo(9.2572021484375 / 8, 10);
  });

  it('sees no jitter in a perfectly paced stream whose timestamp wraps past 2^32', () => {
    const j = new InterarrivalJitter(8000);
    for (let i = 0; i < 50; i++) j.update((0xfffff000 + 160 * i) >>> 0, 20 * i);
    expect(j.units).toBe(0);
  });

  it('sees 48 kHz timing in 48 kHz units', () => {
    const j = new InterarrivalJitter(48000);
    j.update(0, 0);
    j.update(960, 30); // 10 ms late: D = 480 units
    expect(j.units).toBe(30);
    expect(j.ms).toBeCloseTo(0.625, 10);
  });
});
