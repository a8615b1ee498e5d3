// API keys: generated with 256 bits of randomness, shown once, stored only as a
// SHA-256 hash. A fast hash is enough for a high-entropy secret (no dictionary to
// defend against) and keeps authentication at one indexed lookup per request.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiKeysTable, Database } from './schema.js';
import type { IdGenerator } from './ids.js';
import { afterCursor, toPage, type Page, type PageRequest } from './pagination.js';

/** Every scope a key can hold. `admin` manages keys; `voice:monitor` listens to calls. */
export const SCOPES = ['admin', 'voice:read', 'voice:write', 'voice:monitor'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The secret itself: returned once, never stored. */
  secret: string;
}

export interface ApiKeyRepository {
  create(input: { tenantId: string; name?: string; scopes?: Scope[]; secret?: string }): Promise<CreatedApiKey>;
  /** The live (not revoked) key with this secret. */
  authenticate(secret: string): Promise<ApiKey | undefined>;
  /** Whether a key with this secret was ever stored, revoked or not. */
  exists(secret: string): Promise<boolean>;
  get(tenantId: string, id: string): Promise<ApiKey | undefined>;
  /** Any tenant's key by id (operator CLI). */
  getById(id: string): Promise<ApiKey | undefined>;
  list(tenantId: string, page: PageRequest): Promise<Page<ApiKey>>;
  revoke(id: string): Promise<ApiKey | undefined>;
  touch(id: string, at: string): Promise<void>;
}

export const KEY_PREFIX = 'sb_live_';

export function generateSecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toApiKey(r: ApiKeysTable): ApiKey {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    prefix: r.key_prefix,
    scopes: JSON.parse(r.scopes) as Scope[],
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

export class SqlApiKeyRepository implements ApiKeyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly newId: IdGenerator,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: { tenantId: string; name?: string; scopes?: Scope[]; secret?: string }): Promise<CreatedApiKey> {
    const secret = input.secret ?? generateSecret();
    const row: ApiKeysTable = {
      id: this.newId('key'),
      tenant_id: input.tenantId,
      name: input.name ?? 'default',
      key_prefix: secret.slice(0, KEY_PREFIX.length + 4),
      key_hash: hashSecret(secret),
      scopes: JSON.stringify(input.scopes ?? [...SCOPES]),
      created_at: this.now().toISOString(),
      revoked_at: null,
      last_used_at: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return { apiKey: toApiKey(row), secret };
  }

  async authenticate(secret: string): Promise<ApiKey | undefined> {
    const r = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hashSecret(secret))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return r && toApiKey(r);
  }

  async exists(secret: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('api_keys')
      .select('id')
      .where('key_hash', '=', hashSecret(secret))
      .executeTakeFirst();
    return r !== undefined;
  }

  async get(tenantId: string, id: string): Promise<ApiKey | undefined> {
    const r = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toApiKey(r);
  }

  async getById(id: string): Promise<ApiKey | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toApiKey(r);
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<ApiKey>> {
    let q = this.db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId);
    const after = afterCursor(page.cursor);
    if (after) q = q.where(after);
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    const p = toPage(rows, page.limit);
    return { ...p, items: p.items.map(toApiKey) };
  }

  async revoke(id: string): Promise<ApiKey | undefined> {
    await this.db
      .updateTable('api_keys')
      .set({ revoked_at: this.now().toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return this.getById(id);
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
