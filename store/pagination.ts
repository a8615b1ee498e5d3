// Cursor pagination over (created_at, id), newest first. The cursor is opaque to
// clients: base64url JSON of the last row's sort key. Keyset paging never skips or
// repeats a row when rows are inserted meanwhile, and ties on created_at are broken by id.
import { sql, type Expression, type SqlBool } from 'kysely';

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next page, null when this is the last. */
  cursor: string | null;
  hasMore: boolean;
}

interface CursorKey {
  c: string;
  i: string;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this server issued');
    this.name = 'InvalidCursorError';
  }
}

export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify({ c: createdAt, i: id } satisfies CursorKey)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (v && typeof v === 'object' && typeof (v as CursorKey).c === 'string' && typeof (v as CursorKey).i === 'string') {
      return v as CursorKey;
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/** WHERE clause selecting rows strictly after the cursor in (created_at desc, id desc) order. */
export function afterCursor(cursor: string | undefined, table?: string): Expression<SqlBool> | undefined {
  if (!cursor) return undefined;
  const { c, i } = decodeCursor(cursor);
  const created = sql.ref(table ? `${table}.created_at` : 'created_at');
  const id = sql.ref(table ? `${table}.id` : 'id');
  return sql<SqlBool>`(${created} < ${c} OR (${created} = ${c} AND ${id} < ${i}))`;
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only says whether
 * another page exists.
 */
export function toPage<T extends { created_at: string; id: string }>(rows: T[], limit: number): Page<T> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, hasMore, cursor: hasMore && last ? encodeCursor(last.created_at, last.id) : null };
}
