import { describe, expect, it } from 'vitest';
import { ParamMap } from './param-map.js';

describe('ParamMap', () => {
  it('behaves as a Map: insertion order, replace in place, delete, size, iteration', () => {
    const p = new ParamMap();
    expect(p.size).toBe(0);
    expect(p.get('tag')).toBeUndefined();
    expect(p.delete('tag')).toBe(false);
    p.set('branch', 'z9hG4bK1').set('rport', '').set('tag', 'a');
    p.set('rport', '5060');
    expect([...p]).toEqual([
      ['branch', 'z9hG4bK1'],
      ['rport', '5060'],
      ['tag', 'a'],
    ]);
    expect(p.has('rport')).toBe(true);
    expect(p.delete('rport')).toBe(true);
    expect([...p.keys()]).toEqual(['branch', 'tag']);
    expect([...p.values()]).toEqual(['z9hG4bK1', 'a']);
    expect(Object.fromEntries(p)).toEqual({ branch: 'z9hG4bK1', tag: 'a' });
    expect(new Map(p)).toEqual(new Map([['branch', 'z9hG4bK1'], ['tag', 'a']]));
    const seen: string[] = [];
    p.forEach((v, k) => seen.push(`${k}=${v}`));
    expect(seen).toEqual(['branch=z9hG4bK1', 'tag=a']);
    p.clear();
    expect(p.size).toBe(0);
    p.set('x', '1');
    expect(p.get('x')).toBe('1');
  });

  it('keeps two empty maps independent (the shared empty state is never written)', () => {
    const a = new ParamMap();
    const b = new ParamMap();
    a.set('lr', '');
    expect(b.size).toBe(0);
    expect(new ParamMap([['q', '0.5']]).get('q')).toBe('0.5');
  });
});
