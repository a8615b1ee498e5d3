// A second tenant made with the CLI sees and touches only its own rows: the first
// tenant's resources are 404 to it, never 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type RunningServer } from './helpers/server.js';
import { client, type Client } from './helpers/http.js';

let sb: RunningServer;
let a: Client;
let b: Client;
let bTenantId: string;

beforeAll(async () => {
  sb = await startServer();
  a = client(sb.baseUrl, sb.firstKey);
  const r = await runCli(['tenant', 'create', '--name', 'Acme', '--json'], sb.dataDir);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(Object.keys(out).sort()).toEqual(['api_key', 'tenant_id']);
  expect(out.tenant_id).toMatch(/^ten_/);
  bTenantId = out.tenant_id;
  b = client(sb.baseUrl, out.api_key);
});
afterAll(async () => {
  await sb?.stop();
});

describe('tenant isolation', () => {
  it('each key sees its own tenant', async () => {
    const ta = await a.get('/api/v1/tenant');
    const tb = await b.get('/api/v1/tenant');
    expect(tb.body.data).toMatchObject({ id: bTenantId, name: 'Acme' });
    expect(ta.body.data.id).not.toBe(bTenantId);
  });

  it("another tenant's key id is a 404 to read and to revoke, and stays usable", async () => {
    const created = await a.post('/api/v1/api-keys', { name: 'a-private' });
    const { id, key } = created.body.data;
    const get = await b.get(`/api/v1/api-keys/${id}`);
    expect(get.status).toBe(404);
    expect(get.body.error.code).toBe('NOT_FOUND');
    const del = await b.delete(`/api/v1/api-keys/${id}`);
    expect(del.status).toBe(404);
    expect((await client(sb.baseUrl, key).get('/api/v1/tenant')).status).toBe(200);
    expect((await a.get(`/api/v1/api-keys/${id}`)).body.data.revoked_at).toBeNull();
  });

  it("lists never include another tenant's rows", async () => {
    const la = await a.get('/api/v1/api-keys?limit=100');
    const lb = await b.get('/api/v1/api-keys?limit=100');
    const ida = new Set(la.body.data.map((k: any) => k.id));
    expect(lb.body.data.length).toBeGreaterThan(0);
    for (const k of lb.body.data) expect(ida.has(k.id)).toBe(false);
  });

  it('a cursor from one tenant does not reveal rows of another', async () => {
    for (let i = 0; i < 3; i++) await a.post('/api/v1/api-keys', { name: `a${i}` });
    const pageA = await a.get('/api/v1/api-keys?limit=1');
    const r = await b.get(`/api/v1/api-keys?limit=100&cursor=${encodeURIComponent(pageA.body.meta.cursor)}`);
    const idsB = new Set((await b.get('/api/v1/api-keys?limit=100')).body.data.map((k: any) => k.id));
    for (const k of r.body.data) expect(idsB.has(k.id)).toBe(true);
  });
});
