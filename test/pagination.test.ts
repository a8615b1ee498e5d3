// Cursor pagination across more than 100 rows: every row exactly once, newest first,
// with no duplicates or gaps even though many rows share a creation millisecond.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './helpers/server.js';
import { client, type Client } from './helpers/http.js';

let sb: RunningServer;
let api: Client;
const TOTAL = 151; // 150 created here + the first-start key

beforeAll(async () => {
  sb = await startServer();
  api = client(sb.baseUrl, sb.firstKey);
  // Created in parallel batches so that many rows share a millisecond.
  for (let i = 0; i < 150; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: 25 }, (_, j) => api.post('/api/v1/api-keys', { name: `k${String(i + j).padStart(3, '0')}` })),
    );
    for (const r of batch) expect(r.status).toBe(201);
  }
});
afterAll(async () => {
  await sb?.stop();
});

async function collect(limit: number): Promise<{ ids: string[]; pages: number; created: string[] }> {
  const ids: string[] = [];
  const created: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r: any = await api.get(`/api/v1/api-keys?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.status).toBe(200);
    pages++;
    expect(r.body.data.length).toBeLessThanOrEqual(limit);
    expect(r.body.meta.has_more).toBe(r.body.meta.cursor !== null);
    for (const k of r.body.data) {
      ids.push(k.id);
      created.push(k.created_at);
    }
    cursor = r.body.meta.cursor;
  } while (cursor);
  return { ids, pages, created };
}

describe('cursor pagination', () => {
  it('pages through 151 rows with limit=100 in two pages', async () => {
    const { ids, pages } = await collect(100);
    expect(pages).toBe(2);
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL);
  });

  it('gives the same rows in the same order whatever the page size', async () => {
    const big = await collect(100);
    for (const limit of [1, 7, 50]) {
      const small = await collect(limit);
      expect(small.ids).toEqual(big.ids);
      expect(small.pages).toBe(Math.ceil(TOTAL / limit));
    }
  });

  it('lists newest first', async () => {
    const { created } = await collect(100);
    const sorted = [...created].sort().reverse();
    expect(created).toEqual(sorted);
  });

  it('defaults to 20 per page and ends with a null cursor', async () => {
    const r = await api.get('/api/v1/api-keys');
    expect(r.body.data).toHaveLength(20);
    expect(r.body.meta.has_more).toBe(true);
    expect(typeof r.body.meta.cursor).toBe('string');
    const all = await api.get('/api/v1/api-keys?limit=100');
    const last = await api.get(`/api/v1/api-keys?limit=100&cursor=${encodeURIComponent(all.body.meta.cursor)}`);
    expect(last.body.data).toHaveLength(TOTAL - 100);
    expect(last.body.meta).toMatchObject({ cursor: null, has_more: false });
  });

  it('does not skip or repeat rows when rows are added between pages', async () => {
    const first = await api.get('/api/v1/api-keys?limit=60');
    await api.post('/api/v1/api-keys', { name: 'late' });
    const rest: string[] = [];
    let cursor: string | null = first.body.meta.cursor;
    while (cursor) {
      const r: any = await api.get(`/api/v1/api-keys?limit=100&cursor=${encodeURIComponent(cursor)}`);
      rest.push(...r.body.data.map((k: any) => k.id));
      cursor = r.body.meta.cursor;
    }
    const seen = [...first.body.data.map((k: any) => k.id), ...rest];
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
  });
});
