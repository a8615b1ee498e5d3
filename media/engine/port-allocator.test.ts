import { describe, expect, it } from 'vitest';
import { MediaEngineError } from './engine-error.js';
import { PortAllocator, slicePortRange } from './port-allocator.js';

describe('PortAllocator', () => {
  it('hands out even RTP ports whose odd neighbour is inside the range', () => {
    const a = new PortAllocator({ min: 20001, max: 20010 });
    const got = [a.allocate(), a.allocate(), a.allocate(), a.allocate()];
    expect(got).toEqual([20002, 20004, 20006, 20008]);
    expect(() => a.allocate()).toThrow(MediaEngineError); // 20010 has no 20011 inside the range
  });

  it('reuses a freed pair only after every other free pair (late packets of an old call reach nobody)', () => {
    const a = new PortAllocator({ min: 30000, max: 30007 }); // 4 pairs
    const first = a.allocate(); // 30000
    a.release(first);
    const next = [a.allocate(), a.allocate(), a.allocate()];
    expect(next).toEqual([30002, 30004, 30006]);
    expect(a.allocate()).toBe(30000);
    a.release(30004);
    a.release(30002);
    expect(a.allocate()).toBe(30004);
    expect(a.allocate()).toBe(30002);
  });

  it('reports exhaustion with a typed error and recovers after a release', () => {
    const a = new PortAllocator({ min: 40000, max: 40003 });
    a.allocate();
    const p = a.allocate();
    let err: unknown;
    try {
      a.allocate();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MediaEngineError);
    expect((err as MediaEngineError).code).toBe('ports_exhausted');
    a.release(p);
    expect(a.allocate()).toBe(p);
    expect(a.toJSON()).toMatchObject({ pairs: 2, free: 0, exhaustions: 1 });
  });

  it('refuses to release a port it did not hand out, or twice', () => {
    const a = new PortAllocator({ min: 40000, max: 40009 });
    const p = a.allocate();
    expect(() => a.release(p + 1)).toThrow(RangeError);
    expect(() => a.release(40004)).toThrow(RangeError);
    a.release(p);
    expect(() => a.release(p)).toThrow(RangeError);
    expect(a.available).toBe(5);
  });
});

describe('slicePortRange', () => {
  it('gives each worker a disjoint slice of whole pairs covering the range', () => {
    const slices = slicePortRange({ min: 10000, max: 10099 }, 3); // 50 pairs → 17, 17, 16
    expect(slices).toEqual([
      { min: 10000, max: 10033 },
      { min: 10034, max: 10067 },
      { min: 10068, max: 10099 },
    ]);
    const ports = new Set<number>();
    for (const s of slices) {
      const a = new PortAllocator(s);
      for (let i = 0; i < a.size; i++) ports.add(a.allocate());
    }
    expect(ports.size).toBe(50);
  });

  it('refuses more workers than pairs', () => {
    expect(() => slicePortRange({ min: 10000, max: 10003 }, 3)).toThrow(RangeError);
  });
});
