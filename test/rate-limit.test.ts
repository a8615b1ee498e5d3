// Per-tenant rate limiting: past the limit, 429 with Retry-After; other tenants unaffected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type RunningServer } from './helpers/server.js';
import { client, expectMeta } from './helpers/http.js';

let sb: RunningServer;

beforeAll(async () => {
  sb = await startServer({ env: { SWITCHBOARD_RATE_LIMIT_PER_MINUTE: '20' } });
});
afterAll(async () => {
  await sb?.stop();
});

describe('rate limits', () => {
  it('answers 429 with Retry-After after the limit, per tenant', async () => {
    const other = JSON.parse((await runCli(['tenant', 'create', '--name', 'B', '--json'], sb.dataDir)).stdout);
    const a = client(sb.baseUrl, sb.firstKey);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await a.get('/api/v1/tenant')).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const limited = await a.get('/api/v1/tenant');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expectMeta(limited.body);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3);
    // The other tenant has its own budget.
    expect((await client(sb.baseUrl, other.api_key).get('/api/v1/tenant')).status).toBe(200);
  });
});
