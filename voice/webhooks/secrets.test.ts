import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import { WebhookSecrets } from './secrets.js';

let store: Store;

beforeEach(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-whsec-'));
  store = await openStore(dir);
  return async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
});

describe('webhook secrets', () => {
  it('makes one on first use, the same for concurrent first uses, and keeps it', async () => {
    const id = (await store.tenants.create({ name: 't' })).id;
    const secrets = new WebhookSecrets(store);
    const [a, b] = await Promise.all([secrets.get(id), secrets.get(id)]);
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(b).toBe(a);
    expect(await new WebhookSecrets(store).get(id)).toBe(a);
    const sealed = await store.db.selectFrom('tenants').select('webhook_secret').where('id', '=', id).executeTakeFirstOrThrow();
    expect(sealed.webhook_secret).toMatch(/^v1:/);
  });

  it('gives each tenant its own, and nothing for an unknown tenant', async () => {
    const secrets = new WebhookSecrets(store);
    const x = await secrets.get((await store.tenants.create({ name: 'x' })).id);
    const y = await secrets.get((await store.tenants.create({ name: 'y' })).id);
    expect(x).not.toBe(y);
    expect(await secrets.get('ten_missing')).toBeUndefined();
  });

  it('replaces it on rotation', async () => {
    const id = (await store.tenants.create({ name: 't' })).id;
    const secrets = new WebhookSecrets(store);
    const old = await secrets.get(id);
    const fresh = await secrets.rotate(id);
    expect(fresh).not.toBe(old);
    expect(await secrets.get(id)).toBe(fresh);
  });
});
