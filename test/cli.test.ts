// The switchboard CLI against a data directory: tenants and keys, usage errors.
import { describe, expect, it } from 'vitest';
import { runCli, startServer, tempDataDir } from './helpers/server.js';
import { call } from './helpers/http.js';

describe('switchboard CLI', () => {
  it('creates a tenant with a working key, and scoped keys for it', async () => {
    const dataDir = tempDataDir();
    const made = await runCli(['tenant', 'create', '--name', 'Globex', '--sip-domain', 'globex.example', '--json'], dataDir);
    expect(made.code).toBe(0);
    const { tenant_id, api_key } = JSON.parse(made.stdout);

    const scoped = await runCli(['apikey', 'create', '--tenant', tenant_id, '--scopes', 'voice:read,voice:monitor', '--json'], dataDir);
    expect(scoped.code).toBe(0);
    const k = JSON.parse(scoped.stdout);
    expect(k).toMatchObject({ tenant_id, scopes: ['voice:read', 'voice:monitor'] });
    expect(k.key_id).toMatch(/^key_/);

    const listed = await runCli(['apikey', 'list', '--tenant', tenant_id, '--json'], dataDir);
    expect(JSON.parse(listed.stdout).map((x: any) => x.key_id)).toContain(k.key_id);
    expect(listed.stdout).not.toContain(k.api_key);

    const tenants = JSON.parse((await runCli(['tenant', 'list', '--json'], dataDir)).stdout);
    expect(tenants).toEqual([expect.objectContaining({ tenant_id, name: 'Globex', sip_domain: 'globex.example' })]);

    // The server started later on this data dir keeps the CLI's tenant as its first.
    const sb = await startServer({ dataDir });
    try {
      expect(sb.firstKey).toBeUndefined();
      const r = await call(sb.baseUrl, 'GET', '/api/v1/tenant', { key: api_key });
      expect(r.body.data).toMatchObject({ id: tenant_id, sip_domain: 'globex.example' });
      const revoke = await runCli(['apikey', 'revoke', k.key_id], dataDir);
      expect(revoke.code).toBe(0);
      expect(revoke.stdout).toMatch(/^Revoked key_/);
      expect((await call(sb.baseUrl, 'GET', '/api/v1/tenant', { key: k.api_key })).status).toBe(401);
    } finally {
      await sb.stop();
    }
  });

  it('explains usage errors with exit code 2', async () => {
    const dataDir = tempDataDir();
    for (const args of [
      ['tenant', 'create'],
      ['apikey', 'create', '--tenant', 'ten_missing'],
      ['apikey', 'create', '--tenant', 'x', '--scopes', 'root'],
      ['apikey', 'revoke'],
      ['frobnicate'],
    ]) {
      const r = await runCli(args, dataDir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^switchboard: /);
      expect(r.stderr).toContain('Usage:');
    }
    const help = await runCli(['--help'], dataDir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('tenant create');
  });
});
