// Jitter buffers take their payload storage at their first packet and give it back when their
// stream ends (payload-pool.ts); what a listener hears must not change, whether the storage was
// fresh, reused from an ended stream, or given back and taken again.
import { describe, expect, it } from 'vitest';
import { JitterBuffer } from './jitter-buffer.js';
import { payloadPoolStats } from './payload-pool.js';

const payload = (seq: number, fill: number) => Uint8Array.of(seq & 0xff, fill, fill, fill);

/** Pushes seq..seq+n-1 (20 ms apart), then pops until the buffer is empty; returns the payloads heard. */
function playThrough(b: JitterBuffer, seq: number, n: number, fill: number): number[][] {
  for (let i = 0; i < n; i++) b.push(seq + i, (seq + i) * 160, payload(seq + i, fill), i * 20);
  const heard: number[][] = [];
  for (let i = 0; i < n + 5; i++) {
    const f = b.pop();
    if (f !== null) heard.push([...f.payload]);
  }
  return heard;
}

describe('jitter buffer storage pool', () => {
  it('a buffer that never received a packet gives nothing back, and plays silence', () => {
    const before = payloadPoolStats().blocks;
    const b = new JitterBuffer({ clockRate: 8000, mode: 'fixed' });
    expect(b.pop()).toBeNull();
    expect(b.lastMiss).toBe('empty');
    b.release();
    expect(payloadPoolStats().blocks).toBe(before);
  });

  it('an ended stream hands its storage to the next buffer, which plays only its own packets', () => {
    const a = new JitterBuffer({ clockRate: 8000, mode: 'fixed' });
    expect(playThrough(a, 100, 4, 0xaa)).toEqual([100, 101, 102, 103].map((s) => [s, 0xaa, 0xaa, 0xaa]));
    const before = payloadPoolStats().blocks;
    a.release();
    expect(payloadPoolStats().blocks).toBe(before + 1);

    const b = new JitterBuffer({ clockRate: 8000, mode: 'fixed' });
    // Its first packet takes the block back; what comes out is b's, never a's leftovers.
    expect(playThrough(b, 5000, 3, 0x55)).toEqual([5000, 5001, 5002].map((s) => [s & 0xff, 0x55, 0x55, 0x55]));
    expect(payloadPoolStats().blocks).toBe(before);
    b.release();
  });

  it('a released buffer still works: the next packets start a new stream', () => {
    const b = new JitterBuffer({ clockRate: 8000, mode: 'fixed' });
    playThrough(b, 10, 3, 1);
    b.release();
    expect(playThrough(b, 20000, 3, 2)).toEqual([20000, 20001, 20002].map((s) => [s & 0xff, 2, 2, 2]));
    expect(b.toJSON().played).toBe(6);
    b.release();
  });
});
