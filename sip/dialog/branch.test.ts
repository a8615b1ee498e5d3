// Via branches for requests we send (RFC 3261 §8.1.1.7).
import { describe, expect, it } from 'vitest';
import { createBranchGenerator, withCookie } from './branch.js';

describe('branch generator', () => {
  it('starts every branch with the magic cookie and never repeats one', () => {
    const next = createBranchGenerator('a1b2c3');
    expect([next(), next(), next()]).toEqual(['z9hG4bKa1b2c3.0', 'z9hG4bKa1b2c3.1', 'z9hG4bKa1b2c3.2']);
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(next());
    expect(seen.size).toBe(5000);
  });

  it('gives two generators (two processes, or a restart) different prefixes', () => {
    const a = createBranchGenerator();
    const b = createBranchGenerator();
    expect(a()).not.toBe(b());
    expect(a()).toMatch(/^z9hG4bK[0-9a-f]{12}\.1$/);
  });

  it('adds the cookie only where it is missing', () => {
    expect(withCookie('abc')).toBe('z9hG4bKabc');
    expect(withCookie('z9hG4bKabc')).toBe('z9hG4bKabc');
  });
});
