// Row types of the store's tables, as Kysely sees them. Times are ISO-8601 UTC
// strings (they sort as text in SQLite and PostgreSQL alike); JSON is stored as text.
export interface TenantsTable {
  id: string;
  name: string;
  /** SIP domain that selects this tenant for REGISTER/INVITE; null for none. */
  sip_domain: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  /** The first characters of the key, shown so people can tell keys apart. */
  key_prefix: string;
  /** Hex SHA-256 of the whole key. The key itself is never stored. */
  key_hash: string;
  /** JSON array of scope strings. */
  scopes: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  idem_key: string;
  /** Hex SHA-256 over method, path and the canonical request body. */
  request_hash: string;
  /** 0 while the first request is still being handled. */
  status_code: number;
  response_body: string | null;
  created_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  meta: MetaTable;
}
