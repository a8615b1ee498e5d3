// Health, readiness, metrics, the OpenAPI document and the docs page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './helpers/server.js';
import { call, client } from './helpers/http.js';

let sb: RunningServer;

beforeAll(async () => {
  sb = await startServer();
});
afterAll(async () => {
  await sb?.stop();
});

describe('operational endpoints', () => {
  it('answers /healthz and /readyz without a key', async () => {
    expect((await call(sb.baseUrl, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await call(sb.baseUrl, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { store: 'ok', draining: 'no' } });
  });

  it('counts requests by route pattern on /metrics', async () => {
    const api = client(sb.baseUrl, sb.firstKey);
    const before = await metric('switchboard_http_requests_total{method="GET",route="/api/v1/api-keys/{id}",status="404"}');
    await api.get('/api/v1/api-keys/key_nope1');
    await api.get('/api/v1/api-keys/key_nope2');
    const after = await metric('switchboard_http_requests_total{method="GET",route="/api/v1/api-keys/{id}",status="404"}');
    expect(after - before).toBe(2);
    const text = (await call(sb.baseUrl, 'GET', '/metrics')).text;
    expect(text).toContain('switchboard_http_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('key_nope1');
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const r = await call(sb.baseUrl, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/tenant', '/api/v1/api-keys', '/api/v1/api-keys/{id}']));
    const create = doc.paths['/api/v1/api-keys'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.properties.scopes.items.enum).toEqual(['admin', 'voice:read', 'voice:write', 'voice:monitor']);
    expect(create.responses['201']).toBeDefined();
    expect(create.responses['422']).toEqual({ $ref: '#/components/responses/E422' });
    const list = doc.paths['/api/v1/api-keys'].get;
    expect(list.parameters.map((p: any) => p.name)).toEqual(['limit', 'cursor']);
    expect(list.parameters[0].schema.maximum).toBe(100);
    expect(doc.components.securitySchemes.ApiKey).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  });

  it('documents every configuration resource of the Voice API', async () => {
    const doc = (await call(sb.baseUrl, 'GET', '/openapi.json')).body;
    const expected: [string, string][] = [
      ['/api/v1/voice/sip-trunks', 'post'],
      ['/api/v1/voice/sip-trunks/{id}', 'put'],
      ['/api/v1/voice/sip-credentials', 'post'],
      ['/api/v1/voice/ivr-flows', 'post'],
      ['/api/v1/voice/ivr-flows/{id}/simulate', 'post'],
      ['/api/v1/voice/ring-groups', 'post'],
      ['/api/v1/voice/queues', 'post'],
      ['/api/v1/voice/agents', 'post'],
      ['/api/v1/voice/agents/{id}/status', 'post'],
      ['/api/v1/voice/calendars', 'post'],
      ['/api/v1/voice/calendars/{id}/is-open', 'get'],
      ['/api/v1/voice/voicemail-boxes', 'post'],
      ['/api/v1/voice/clones', 'post'],
      ['/api/v1/numbers/{number}/routing', 'put'],
      ['/api/v1/tenant', 'patch'],
    ];
    for (const [p, m] of expected) {
      expect(doc.paths[p]?.[m], `${m} ${p}`).toBeDefined();
      expect(doc.paths[p][m].responses['401']).toBeDefined();
    }
    // Every POST documents Idempotency-Key; every list documents its cursor.
    for (const [p, ops] of Object.entries<any>(doc.paths)) {
      if (ops.post) expect(ops.post.parameters.map((x: any) => x.name), p).toContain('Idempotency-Key');
    }
    const trunk = doc.paths['/api/v1/voice/sip-trunks'].post.requestBody.content['application/json'].schema;
    expect(trunk.properties.encryption.enum).toEqual(['tls_srtp', 'tls', 'none']);
    expect(trunk.required).toEqual(expect.arrayContaining(['name', 'termination_uri']));
  });

  it('renders the docs page with its assets served locally', async () => {
    const page = await call(sb.baseUrl, 'GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    for (const src of page.text.match(/(?:href|src)="([^"]+)"/g)!.map((m) => m.split('"')[1]!)) {
      const asset = await call(sb.baseUrl, 'GET', src);
      expect(asset.status, src).toBe(200);
      expect(asset.text.length).toBeGreaterThan(10);
    }
    expect((await call(sb.baseUrl, 'GET', '/docs/init.js')).text).toContain('/openapi.json');
  });
});

async function metric(series: string): Promise<number> {
  const text = (await call(sb.baseUrl, 'GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
