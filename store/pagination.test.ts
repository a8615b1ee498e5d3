import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, InvalidCursorError, toPage } from './pagination.js';

describe('cursors', () => {
  it('round-trip the sort key', () => {
    expect(decodeCursor(encodeCursor('2026-01-01T00:00:00.000Z', 'key_1'))).toEqual({
      c: '2026-01-01T00:00:00.000Z',
      i: 'key_1',
    });
  });

  it('reject cursors this server did not issue', () => {
    for (const bad of ['', 'abc', Buffer.from('{"c":1}').toString('base64url'), Buffer.from('null').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
    }
  });

  it('use the extra row only to tell that more exist', () => {
    const rows = [1, 2, 3].map((n) => ({ id: `r${n}`, created_at: `t${n}` }));
    const p = toPage(rows, 2);
    expect(p.items.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(p.hasMore).toBe(true);
    expect(decodeCursor(p.cursor!)).toEqual({ c: 't2', i: 'r2' });
    expect(toPage(rows, 3)).toMatchObject({ hasMore: false, cursor: null });
  });
});
