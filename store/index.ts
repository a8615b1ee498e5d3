// The store: every repository behind one object, opened from a data directory.
import type { Kysely } from 'kysely';
import { openSqliteStore } from './db.js';
import type { Database } from './schema.js';
import { randomId, type IdGenerator } from './ids.js';
import { SqlTenantRepository, type TenantRepository } from './tenant-repository.js';
import { SqlApiKeyRepository, type ApiKeyRepository } from './api-key-repository.js';
import { SqlIdempotencyRepository, type IdempotencyRepository } from './idempotency-repository.js';

export interface Store {
  tenants: TenantRepository;
  apiKeys: ApiKeyRepository;
  idempotency: IdempotencyRepository;
  /** Cheap liveness probe of the database connection. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  newId?: IdGenerator;
  now?: () => Date;
}

export function createStore(db: Kysely<Database>, close: () => Promise<void>, opts: StoreOptions = {}): Store {
  const newId = opts.newId ?? randomId;
  const now = opts.now ?? (() => new Date());
  return {
    tenants: new SqlTenantRepository(db, newId, now),
    apiKeys: new SqlApiKeyRepository(db, newId, now),
    idempotency: new SqlIdempotencyRepository(db, now),
    ping: async () => {
      await db.selectFrom('meta').select('key').limit(1).execute();
    },
    close,
  };
}

export async function openStore(dataDir: string, opts: StoreOptions = {}): Promise<Store> {
  const opened = await openSqliteStore(dataDir);
  return createStore(opened.db, opened.close, opts);
}

export type { Tenant, TenantRepository } from './tenant-repository.js';
export type { ApiKey, ApiKeyRepository, CreatedApiKey, Scope } from './api-key-repository.js';
export { SCOPES, hashSecret } from './api-key-repository.js';
export type { Page, PageRequest } from './pagination.js';
export { InvalidCursorError } from './pagination.js';
export type { IdGenerator } from './ids.js';
export { randomId } from './ids.js';
