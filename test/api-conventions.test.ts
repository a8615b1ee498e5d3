// The conventions every endpoint follows (spec §1), against a running server over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, runCli, type RunningServer } from './helpers/server.js';
import { call, client, expectMeta, type Client } from './helpers/http.js';

let sb: RunningServer;
let api: Client;

beforeAll(async () => {
  sb = await startServer();
  expect(sb.firstKey).toMatch(/^sb_live_/);
  api = client(sb.baseUrl, sb.firstKey);
});
afterAll(async () => {
  await sb?.stop();
});

describe('authentication', () => {
  it('answers 401 with the error envelope when the key is missing', async () => {
    const r = await call(sb.baseUrl, 'GET', '/api/v1/tenant');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHORIZED');
    expect(r.body.error.message).toMatch(/Missing API key/);
    expectMeta(r.body);
  });

  it('answers 401 for a wrong key, the same way for any wrong key', async () => {
    const a = await call(sb.baseUrl, 'GET', '/api/v1/tenant', { key: 'sb_live_not_a_real_key_at_all_000000' });
    const b = await call(sb.baseUrl, 'GET', '/api/v1/tenant', { bearer: 'nonsense' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body.error).toEqual(b.body.error);
  });

  it('accepts the key as X-API-Key and as Authorization: Bearer', async () => {
    const a = await call(sb.baseUrl, 'GET', '/api/v1/tenant', { key: sb.firstKey });
    const b = await call(sb.baseUrl, 'GET', '/api/v1/tenant', { bearer: sb.firstKey });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.data.id).toMatch(/^ten_/);
    expect(b.body.data.id).toBe(a.body.data.id);
    expect(a.body.data.name).toBe('default');
    expectMeta(a.body);
  });

  it('refuses a key revoked over the API from then on', async () => {
    const created = await api.post('/api/v1/api-keys', { name: 'short-lived' });
    expect(created.status).toBe(201);
    const { id, key } = created.body.data;
    expect((await call(sb.baseUrl, 'GET', '/api/v1/tenant', { key })).status).toBe(200);
    const revoked = await api.delete(`/api/v1/api-keys/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.data.revoked_at).not.toBeNull();
    const after = await call(sb.baseUrl, 'GET', '/api/v1/tenant', { key });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toBe('Invalid API key');
  });

  it('refuses a key revoked with the CLI while the server runs', async () => {
    const created = await api.post('/api/v1/api-keys', { name: 'cli-revoked' });
    const { id, key } = created.body.data;
    const r = await runCli(['apikey', 'revoke', id, '--json'], sb.dataDir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).key_id).toBe(id);
    expect((await call(sb.baseUrl, 'GET', '/api/v1/tenant', { key })).status).toBe(401);
  });

  it('answers 403 when the key lacks the scope the endpoint needs', async () => {
    const created = await api.post('/api/v1/api-keys', { name: 'reader', scopes: ['voice:read'] });
    expect(created.body.data.scopes).toEqual(['voice:read']);
    const reader = client(sb.baseUrl, created.body.data.key);
    expect((await reader.get('/api/v1/tenant')).status).toBe(200);
    const r = await reader.get('/api/v1/api-keys');
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect(r.body.error.message).toMatch(/admin/);
  });

  it('never returns the secret or its hash after creation', async () => {
    const created = await api.post('/api/v1/api-keys', { name: 'secretive' });
    const got = await api.get(`/api/v1/api-keys/${created.body.data.id}`);
    expect(got.text).not.toContain(created.body.data.key);
    expect(got.body.data.key).toBeUndefined();
    expect(got.body.data.prefix).toBe(created.body.data.key.slice(0, got.body.data.prefix.length));
    expect(JSON.stringify(got.body)).not.toMatch(/[0-9a-f]{64}/);
  });
});

describe('error envelopes', () => {
  it('answers 400 INVALID_JSON for a malformed body', async () => {
    const r = await api.post('/api/v1/api-keys', undefined, { rawBody: '{"name": "x",' });
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({ code: 'INVALID_JSON', message: 'Request body is not valid JSON', details: [] });
    expectMeta(r.body);
  });

  it('answers 422 naming every bad field with its location', async () => {
    const r = await api.post('/api/v1/api-keys', { name: '', scopes: ['voice:read', 'root'] });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    const fields = r.body.error.details.map((d: any) => `${d.location}:${d.field}`).sort();
    expect(fields).toEqual(['body:name', 'body:scopes[1]']);
    for (const d of r.body.error.details) {
      expect(typeof d.code).toBe('string');
      expect(d.message.length).toBeGreaterThan(0);
    }
    expectMeta(r.body);
  });

  it('answers 422 for bad query parameters', async () => {
    const r = await api.get('/api/v1/api-keys?limit=101');
    expect(r.status).toBe(422);
    expect(r.body.error.details).toEqual([expect.objectContaining({ field: 'limit', location: 'query' })]);
    const c = await api.get('/api/v1/api-keys?cursor=bm90LWEtY3Vyc29y');
    expect(c.status).toBe(422);
    expect(c.body.error.details[0].field).toBe('cursor');
  });

  it('answers 404 with the envelope for unknown routes and unknown ids', async () => {
    const route = await api.get('/api/v1/voice/no-such-thing');
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('NOT_FOUND');
    expectMeta(route.body);
    const id = await api.get('/api/v1/api-keys/key_doesnotexist');
    expect(id.status).toBe(404);
    expect(id.body.error.code).toBe('NOT_FOUND');
    const outside = await call(sb.baseUrl, 'GET', '/nope');
    expect(outside.status).toBe(404);
    expectMeta(outside.body);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const r = await api.post('/api/v1/api-keys', undefined, {
      rawBody: 'name=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 413 for a body over 1 MB', async () => {
    const r = await api.post('/api/v1/api-keys', { name: 'x'.repeat(1_100_000) });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('shows no product or version banner', async () => {
    const r = await api.get('/api/v1/tenant');
    expect(r.headers.get('x-powered-by')).toBeNull();
    expect(r.headers.get('server')).toBeNull();
    expect(r.headers.get('x-request-id')).toBe(r.body.meta.request_id);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body', async () => {
    const headers = { 'Idempotency-Key': 'create-key-1' };
    const first = await api.post('/api/v1/api-keys', { name: 'idem', scopes: ['voice:read'] }, { headers });
    expect(first.status).toBe(201);
    // Same body with its keys in another order is the same request.
    const again = await api.post('/api/v1/api-keys', { scopes: ['voice:read'], name: 'idem' }, { headers });
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const list = await api.get('/api/v1/api-keys?limit=100');
    expect(list.body.data.filter((k: any) => k.name === 'idem')).toHaveLength(1);
  });

  it('answers 422 when the same key comes with another body', async () => {
    const headers = { 'Idempotency-Key': 'create-key-2' };
    expect((await api.post('/api/v1/api-keys', { name: 'one' }, { headers })).status).toBe(201);
    const r = await api.post('/api/v1/api-keys', { name: 'two' }, { headers });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(r.body.error.details[0].field).toBe('Idempotency-Key');
  });

  it('replays validation errors too, and keeps keys per tenant', async () => {
    const headers = { 'Idempotency-Key': 'bad-body' };
    const a = await api.post('/api/v1/api-keys', { name: '' }, { headers });
    const b = await api.post('/api/v1/api-keys', { name: '' }, { headers });
    expect(a.status).toBe(422);
    expect(b.text).toBe(a.text);
    // Another tenant may use the same key string for its own request.
    const other = JSON.parse((await runCli(['tenant', 'create', '--name', 'idem-other', '--json'], sb.dataDir)).stdout);
    const c = await call(sb.baseUrl, 'POST', '/api/v1/api-keys', { key: other.api_key, body: { name: 'ok' }, headers });
    expect(c.status).toBe(201);
  });

  it('is not applied without the header', async () => {
    const a = await api.post('/api/v1/api-keys', { name: 'plain' });
    const b = await api.post('/api/v1/api-keys', { name: 'plain' });
    expect(a.body.data.id).not.toBe(b.body.data.id);
  });
});
