// Shared setup for the Voice API resource tests: one server, two tenants (the first
// from first start, the second made with the CLI), and assertion helpers.
import { expect } from 'vitest';
import { runCli, startServer, type RunningServer, type StartOptions } from './server.js';
import { client, expectMeta, type ApiResponse, type Client } from './http.js';

export interface TwoTenants {
  sb: RunningServer;
  /** The first tenant's client (all scopes). */
  a: Client;
  /** A second tenant's client. */
  b: Client;
  tenantA: string;
  tenantB: string;
}

export async function startWithTwoTenants(opts: StartOptions = {}): Promise<TwoTenants> {
  const sb = await startServer(opts);
  const a = client(sb.baseUrl, sb.firstKey);
  const made = await runCli(['tenant', 'create', '--name', 'Tenant B', '--json'], sb.dataDir);
  if (made.code !== 0) throw new Error(made.stderr);
  const { tenant_id, api_key } = JSON.parse(made.stdout);
  const tenantA = (await a.get('/api/v1/tenant')).body.data.id;
  return { sb, a, b: client(sb.baseUrl, api_key), tenantA, tenantB: tenant_id };
}

/** Asserts a 422 whose details name exactly these body fields (order ignored). */
export function expectFieldErrors(r: ApiResponse, fields: string[]): void {
  expect(r.status, r.text).toBe(422);
  expectMeta(r.body);
  const named = [...new Set(r.body.error.details.map((d: any) => d.field))].sort();
  expect(named).toEqual([...fields].sort());
}

/** Every item of a list endpoint, following cursors with the given page size. */
export async function listAll(c: Client, path: string, limit = 100): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r: ApiResponse = await c.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.status, r.text).toBe(200);
    items.push(...r.body.data);
    cursor = r.body.meta.cursor ?? r.body.meta.pagination?.cursor ?? null;
  } while (cursor);
  return items;
}

/**
 * The common contract of a resource: list pagination without gaps, 404 for another
 * tenant's id on get, update and delete, and 404 after delete.
 */
export async function checkIsolationAndPaging(
  t: TwoTenants,
  base: string,
  make: (i: number) => unknown,
  update: unknown,
): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await t.a.post(base, make(i));
    expect(r.status, r.text).toBe(201);
    ids.push(r.body.data.id);
  }
  const listed = await listAll(t.a, base, 2);
  expect(listed.map((x) => x.id)).toEqual(expect.arrayContaining(ids));
  expect(new Set(listed.map((x) => x.id)).size).toBe(listed.length);
  const seenByB = new Set((await listAll(t.b, base)).map((x) => x.id));
  for (const id of ids) expect(seenByB.has(id)).toBe(false);
  const id = ids[0]!;
  expect((await t.b.get(`${base}/${id}`)).status).toBe(404);
  expect((await t.b.put(`${base}/${id}`, update)).status).toBe(404);
  expect((await t.b.delete(`${base}/${id}`)).status).toBe(404);
  expect((await t.a.get(`${base}/${id}`)).status).toBe(200);
  expect((await t.a.delete(`${base}/${id}`)).status).toBe(200);
  expect((await t.a.get(`${base}/${id}`)).status).toBe(404);
  expect((await t.a.delete(`${base}/${id}`)).status).toBe(404);
}
