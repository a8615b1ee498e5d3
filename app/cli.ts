#!/usr/bin/env node
// The `switchboard` command: runs the server or manages tenants and API keys in the
// same data directory (SWITCHBOARD_DATA_DIR, or --data-dir). Safe while the server
// runs: SQLite in WAL mode takes one writer at a time and the server reads keys per request.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore, SCOPES, type Scope, type Store } from '../store/index.js';
import { DEFAULTS } from './config.js';

const USAGE = `Usage: switchboard <command> [options]

Commands:
  start                                    run the server (same as npm start)
  tenant create --name NAME [--sip-domain DOMAIN] [--json]
                                           create a tenant and its first API key
  tenant list [--json]
  apikey create --tenant ID [--scopes a,b] [--name NAME] [--json]
                                           create an API key; scopes: ${SCOPES.join(', ')}
  apikey list --tenant ID [--json]
  apikey revoke KEY_ID [--json]

Options:
  --data-dir DIR   data directory (default: $SWITCHBOARD_DATA_DIR or ./data)
  --json           machine-readable output
`;

class UsageError extends Error {}

async function withStore<T>(dataDir: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await openStore(dataDir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function parseScopes(raw: string | undefined): Scope[] | undefined {
  if (raw === undefined) return undefined;
  const scopes = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (bad.length > 0 || scopes.length === 0) {
    throw new UsageError(`unknown scope(s): ${bad.join(', ') || '(none given)'}; known: ${SCOPES.join(', ')}`);
  }
  return [...new Set(scopes)] as Scope[];
}

export async function runCli(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'sip-domain': { type: 'string' },
      tenant: { type: 'string' },
      scopes: { type: 'string' },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [cmd, sub, arg] = positionals;
  if (values.help || cmd === undefined || cmd === 'help') {
    out(USAGE);
    return cmd === undefined && !values.help ? 2 : 0;
  }
  const dataDir = path.resolve(values['data-dir'] ?? process.env.SWITCHBOARD_DATA_DIR ?? DEFAULTS.SWITCHBOARD_DATA_DIR);
  const json = values.json ?? false;
  const print = (obj: unknown, text: string): void => out(json ? JSON.stringify(obj) : text);

  switch (`${cmd} ${sub ?? ''}`.trim()) {
    case 'start': {
      const { runServer } = await import('./run-server.js');
      await runServer();
      return -1; // keep running
    }
    case 'tenant create': {
      const name = values.name?.trim();
      if (!name) throw new UsageError('tenant create needs --name');
      return withStore(dataDir, async (s) => {
        const tenant = await s.tenants.create({ name, sipDomain: values['sip-domain'] ?? null });
        const { apiKey, secret } = await s.apiKeys.create({ tenantId: tenant.id, name: 'cli' });
        print(
          { tenant_id: tenant.id, api_key: secret },
          `Created tenant "${tenant.name}" (${tenant.id}).\nAPI key ${apiKey.id} (shown only this once): ${secret}`,
        );
        return 0;
      });
    }
    case 'tenant list':
      return withStore(dataDir, async (s) => {
        const tenants = await s.tenants.list();
        print(
          tenants.map((t) => ({ tenant_id: t.id, name: t.name, sip_domain: t.sipDomain, created_at: t.createdAt })),
          tenants.map((t) => `${t.id}\t${t.name}\t${t.sipDomain ?? '-'}\t${t.createdAt}`).join('\n'),
        );
        return 0;
      });
    case 'apikey create': {
      const tenantId = values.tenant;
      if (!tenantId) throw new UsageError('apikey create needs --tenant');
      const scopes = parseScopes(values.scopes);
      return withStore(dataDir, async (s) => {
        if (!(await s.tenants.get(tenantId))) throw new UsageError(`no tenant ${tenantId}`);
        const { apiKey, secret } = await s.apiKeys.create({
          tenantId,
          name: values.name ?? 'cli',
          ...(scopes ? { scopes } : {}),
        });
        print(
          { key_id: apiKey.id, tenant_id: tenantId, api_key: secret, scopes: apiKey.scopes },
          `API key ${apiKey.id} for ${tenantId} [${apiKey.scopes.join(',')}] (shown only this once): ${secret}`,
        );
        return 0;
      });
    }
    case 'apikey list': {
      const tenantId = values.tenant;
      if (!tenantId) throw new UsageError('apikey list needs --tenant');
      return withStore(dataDir, async (s) => {
        const keys = [];
        let cursor: string | undefined;
        do {
          const page = await s.apiKeys.list(tenantId, { limit: 100, cursor });
          keys.push(...page.items);
          cursor = page.cursor ?? undefined;
        } while (cursor);
        print(
          keys.map((k) => ({ key_id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, revoked_at: k.revokedAt })),
          keys.map((k) => `${k.id}\t${k.prefix}…\t${k.scopes.join(',')}\t${k.revokedAt ? 'revoked' : 'active'}`).join('\n'),
        );
        return 0;
      });
    }
    case `apikey revoke`: {
      const keyId = arg;
      if (!keyId) throw new UsageError('apikey revoke needs KEY_ID');
      return withStore(dataDir, async (s) => {
        const k = await s.apiKeys.revoke(keyId);
        if (!k) throw new UsageError(`no API key ${keyId}`);
        print({ key_id: k.id, revoked_at: k.revokedAt }, `Revoked ${k.id} at ${k.revokedAt}`);
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }
}

// Entry point when run as a program (not when imported by tests).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runCli(process.argv.slice(2), (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n')).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError || (err instanceof TypeError && 'code' in err)) {
        process.stderr.write(`switchboard: ${err.message}\n\n${USAGE}`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`switchboard: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    },
  );
}
