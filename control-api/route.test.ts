import { describe, expect, it } from 'vitest';
import { canonicalJson, expressPath, fieldPath } from './route.js';

describe('route helpers', () => {
  it('formats field paths as users write them', () => {
    expect(fieldPath(['members', 0, 'value'])).toBe('members[0].value');
    expect(fieldPath(['name'])).toBe('name');
    expect(fieldPath([])).toBe('');
  });

  it('converts OpenAPI paths to Express paths', () => {
    expect(expressPath('/calls/{id}/recording')).toBe('/calls/:id/recording');
  });

  it('hashes bodies independently of key order', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });
});
