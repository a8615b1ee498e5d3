// Stored outcomes of POST requests that carried an Idempotency-Key, so a retry gets
// the first response instead of doing the work twice.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; statusCode: number; body: string }
  | { kind: 'mismatch' }
  | { kind: 'in_flight' };

export interface IdempotencyRepository {
  /** Claims the key for this request, or says what happened to it before. */
  claim(tenantId: string, key: string, requestHash: string): Promise<IdempotencyClaim>;
  complete(tenantId: string, key: string, statusCode: number, body: string): Promise<void>;
  /** Forgets a claim whose request failed on our side, so a retry can run it again. */
  release(tenantId: string, key: string): Promise<void>;
  purgeOlderThan(iso: string): Promise<number>;
}

export class SqlIdempotencyRepository implements IdempotencyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
    /** A claim still unfinished after this long belonged to a process that died. */
    private readonly staleClaimMs = 60_000,
  ) {}

  async claim(tenantId: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const now = this.now();
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({
        tenant_id: tenantId,
        idem_key: key,
        request_hash: requestHash,
        status_code: 0,
        response_body: null,
        created_at: now.toISOString(),
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'idem_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { kind: 'claimed' };

    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('idem_key', '=', key)
      .executeTakeFirst();
    if (!row) return this.claim(tenantId, key, requestHash); // purged in between
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status_code === 0) {
      if (now.getTime() - Date.parse(row.created_at) < this.staleClaimMs) return { kind: 'in_flight' };
      await this.db
        .updateTable('idempotency_keys')
        .set({ created_at: now.toISOString() })
        .where('tenant_id', '=', tenantId)
        .where('idem_key', '=', key)
        .execute();
      return { kind: 'claimed' };
    }
    return { kind: 'replay', statusCode: row.status_code, body: row.response_body ?? '' };
  }

  async complete(tenantId: string, key: string, statusCode: number, body: string): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ status_code: statusCode, response_body: body })
      .where('tenant_id', '=', tenantId)
      .where('idem_key', '=', key)
      .execute();
  }

  async release(tenantId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('tenant_id', '=', tenantId)
      .where('idem_key', '=', key)
      .execute();
  }

  async purgeOlderThan(iso: string): Promise<number> {
    const r = await this.db.deleteFrom('idempotency_keys').where('created_at', '<', iso).executeTakeFirst();
    return Number(r.numDeletedRows ?? 0n);
  }
}
