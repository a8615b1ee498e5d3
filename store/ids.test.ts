import { describe, expect, it } from 'vitest';
import { randomId } from './ids.js';

describe('randomId', () => {
  it('prefixes 24 base-32 characters and does not repeat', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = randomId('call');
      expect(id).toMatch(/^call_[0-9a-hjkmnp-tv-z]{24}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(10_000);
  });
});
