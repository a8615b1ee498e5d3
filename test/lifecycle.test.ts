// First start, restart and shutdown: data survives a restart, the first key is
// printed once and never logged, and SIGTERM stops the process cleanly.
import { describe, expect, it } from 'vitest';
import { startServer, tempDataDir } from './helpers/server.js';
import { call, client } from './helpers/http.js';

describe('first start and restart', () => {
  it('prints the key once, keeps every row across a restart, exits 0 on SIGTERM', async () => {
    const dataDir = tempDataDir();
    const one = await startServer({ dataDir });
    const key = one.firstKey!;
    expect(key).toMatch(/^sb_live_[A-Za-z0-9_-]{43}$/);
    // Printed once on stdout, in the banner, and in no log line.
    expect(one.stdout().split(key).length - 1).toBe(1);
    for (const line of one.stdout().split('\n').filter((l) => l.startsWith('{'))) expect(line).not.toContain(key);

    const api = client(one.baseUrl, key);
    const made = await api.post('/api/v1/api-keys', { name: 'survivor', scopes: ['voice:read'] });
    expect(made.status).toBe(201);
    const tenant = (await api.get('/api/v1/tenant')).body.data;
    expect(await one.stop('SIGTERM')).toBe(0);
    expect(one.stdout()).toContain('"msg":"stopped"');

    const two = await startServer({ dataDir });
    try {
      expect(two.firstKey).toBeUndefined();
      expect(two.stdout()).not.toContain('First start');
      const api2 = client(two.baseUrl, key);
      expect((await api2.get('/api/v1/tenant')).body.data).toEqual(tenant);
      const kept = await api2.get(`/api/v1/api-keys/${made.body.data.id}`);
      expect(kept.status).toBe(200);
      expect(kept.body.data).toMatchObject({ name: 'survivor', scopes: ['voice:read'] });
      expect((await call(two.baseUrl, 'GET', '/api/v1/tenant', { key: made.body.data.key })).status).toBe(200);
    } finally {
      expect(await two.stop('SIGINT')).toBe(0);
    }
  });

  it('adopts SWITCHBOARD_API_KEY as the first tenant key without printing it', async () => {
    const chosen = 'automation-key-0123456789abcdefXYZ';
    const sb = await startServer({ env: { SWITCHBOARD_API_KEY: chosen } });
    try {
      expect(sb.firstKey).toBeUndefined();
      expect(sb.stdout()).not.toContain(chosen);
      expect(sb.stdout()).toContain('First start');
      const r = await call(sb.baseUrl, 'GET', '/api/v1/tenant', { key: chosen });
      expect(r.status).toBe(200);
      expect(r.body.data.name).toBe('default');
    } finally {
      await sb.stop();
    }
  });
});
