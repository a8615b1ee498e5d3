// Persistence of SIP registrations. Writes come in bursts (thousands of REGISTERs a
// second at peak), so the repository takes batches: one transaction per flush.
import type { Kysely } from 'kysely';
import type { Database, RegistrationsTable } from './schema.js';

export type RegistrationRow = RegistrationsTable;

export class RegistrationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async loadLive(nowMs: number): Promise<RegistrationRow[]> {
    return this.db.selectFrom('registrations').selectAll().where('expires_at', '>', nowMs).execute();
  }

  /** Upserts and deletes in one transaction. */
  async apply(upserts: RegistrationRow[], deletes: string[]): Promise<void> {
    if (upserts.length === 0 && deletes.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const r of upserts) {
        await trx
          .insertInto('registrations')
          .values(r)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({
              contact: r.contact,
              params: r.params,
              call_id: r.call_id,
              cseq: r.cseq,
              expires_at: r.expires_at,
              transport: r.transport,
              source_address: r.source_address,
              source_port: r.source_port,
              connection_id: r.connection_id,
              user_agent: r.user_agent,
              updated_at: r.updated_at,
            }),
          )
          .execute();
      }
      for (let i = 0; i < deletes.length; i += 500) {
        await trx.deleteFrom('registrations').where('id', 'in', deletes.slice(i, i + 500)).execute();
      }
    });
  }

  async deleteExpired(nowMs: number): Promise<number> {
    const r = await this.db.deleteFrom('registrations').where('expires_at', '<=', nowMs).executeTakeFirst();
    return Number(r.numDeletedRows ?? 0n);
  }

  /** Live registrations of one credential, for the API. */
  async byCredential(tenantId: string, credentialId: string, nowMs: number): Promise<RegistrationRow[]> {
    return this.db
      .selectFrom('registrations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('credential_id', '=', credentialId)
      .where('expires_at', '>', nowMs)
      .orderBy('updated_at', 'desc')
      .execute();
  }
}
